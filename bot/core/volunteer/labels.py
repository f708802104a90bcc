"""Volunteering's words as a reader sees them: interests and Dutch levels with an emoji each
(translated msgids), days from CLDR (Babel names them in every language), languages and
places by name, and the line that says why an opportunity fits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from babel.dates import get_day_names

from bot.core.municipalities import all_municipalities
from bot.core.sources import Sourced
from bot.core.volunteer.ranking import Ranked
from bot.core.volunteer.terms import DAYS
from bot.i18n import N_, _, current_locale, language_name

INTEREST_LABELS: dict[str, str] = {
    "cooking": N_("🍳 Cooking"),
    "sports": N_("⚽ Sports"),
    "children": N_("🧒 Children"),
    "animals": N_("🐾 Animals"),
    "gardening": N_("🌱 Gardening"),
    "technology": N_("💻 Technology"),
    "care": N_("💗 Care"),
    "languages": N_("🗣 Languages"),
    "music": N_("🎵 Music"),
    "repair": N_("🔧 Repair"),
    "administration": N_("📋 Office work"),
    "events": N_("🎪 Events"),
    "nature": N_("🌳 Nature"),
}
LEVEL_LABELS: dict[str, str] = {
    "none": N_("🌱 No Dutch yet"),
    "A1": N_("🔤 A1: first words"),
    "A2": N_("💬 A2: simple talks"),
    "B1": N_("📖 B1: most daily talks"),
}
KIND_LABELS = {"place": N_("🤲 Volunteer place"), "buddy": N_("🤝 Language buddy")}
# Languages a newcomer may pick: the bot's own and those many newcomers speak.
SPOKEN = ("nl", "en", "ar", "ti", "pl", "fa", "so", "tr", "uk", "fr")
# Asylum seekers may volunteer when the organisation has a UWV vrijwilligersverklaring; they
# may start once UWV confirms the request (fact sheet §5; the Volunteering journey's rules).
ASYLUM_SOURCED = Sourced(("S43-b", "S53"), date(2026, 12, 7))


def interest(code: str) -> str:
    """An interest with its emoji, translated."""
    return _(INTEREST_LABELS[code]) if code in INTEREST_LABELS else code


def level(code: str | None) -> str:
    """A Dutch level with its emoji, translated ("not given" when unknown)."""
    return _(LEVEL_LABELS[code]) if code in LEVEL_LABELS else _("not given")


def day(code: str) -> str:
    """A weekday's name in the reader's language (CLDR), e.g. "Saturday", "ቀዳም"."""
    names = get_day_names("wide", "stand-alone", locale=current_locale())
    return str(names[DAYS.index(code)]) if code in DAYS else code


def place(code: str | None) -> str | None:
    """A municipality's name, or None."""
    found = all_municipalities().get(code or "")
    return found.name if found else None


def listed(items: Iterable[str]) -> str:
    """Items joined for a line, or "not given"."""
    shown = list(items)
    return ", ".join(shown) if shown else _("not given")


def days(codes: Iterable[str]) -> str:
    """Days in week order, by name."""
    chosen = set(codes)
    return listed(day(d) for d in DAYS if d in chosen)


def languages(codes: Iterable[str]) -> str:
    """Languages by name, in the reader's language."""
    return listed(language_name(code) for code in codes)


def why(ranked: Ranked) -> str:
    """What fits ("🍳 Cooking ✓ Saturday ✓ Arabic ✓ Utrecht ✓"), then what is missing."""
    fits = [f"{_fit(aspect, code)} ✓" for aspect, code in ranked.fits]
    missing = [_missing(aspect, code) for aspect, code in ranked.missing]
    lines = [" ".join(fits)] if fits else []
    if missing:
        lines.append(_("Less fitting: {items}").format(items=", ".join(missing)))
    return "\n".join(lines)


def _fit(aspect: str, code: str) -> str:
    if aspect == "interest":
        return interest(code)
    if aspect == "day":
        return day(code)
    if aspect == "language":
        return language_name(code)
    if aspect == "online":
        return _("💻 Online")
    return place(code) or code


def _missing(aspect: str, code: str) -> str:
    if aspect == "dutch":
        return _("asks Dutch {level}").format(level=code)
    if aspect == "day":
        return _("on {day}").format(day=day(code))
    return interest(code)


def asylum_note() -> str:
    """Why an asylum seeker sees only some places, and what the organisation needs."""
    return _("You are waiting for an asylum decision, so I only show places that are open to "
             "asylum seekers. The organisation needs a UWV vrijwilligersverklaring (volunteer "
             "statement). You may start when UWV confirms that it got the request.")
