"""An entry as a short card in the reader's language: what it is, today's hours and whether
it is open now, a number Telegram lets you tap to call, the website, the address."""

from __future__ import annotations

from datetime import datetime, time
from html import escape
from urllib.parse import urlsplit

from babel import Locale
from babel.lists import format_list

from bot.core.directory.hours import today
from bot.core.directory.schema import EntryRow, dutch_phone, international_phone
from bot.core.directory.search import Found, Reach
from bot.core.municipalities import all_municipalities
from bot.core.ports import Venue
from bot.core.render import format_html
from bot.i18n import N_, _, current_locale

DESCRIPTION_LIMIT = 220  # characters of a description on a card
THEME_LABELS: dict[str, str] = {
    "housing": N_("🏠 Housing"),
    "money": N_("💶 Money and benefits"),
    "debt": N_("🧾 Debts"),
    "inburgering": N_("📘 Inburgering"),
    "language": N_("🗣 Learning Dutch"),
    "work": N_("💼 Work"),
    "volunteering": N_("🙌 Volunteering"),
    "health": N_("🩺 Health"),
    "mental_health": N_("💬 Mental health"),
    "legal": N_("⚖️ Legal help"),
    "children_school": N_("🎒 Children and school"),
    "family": N_("👪 Family"),
    "social_contact": N_("☕ Meeting people"),
    "crisis": N_("🆘 Crisis and violence"),
    "eu_workers": N_("🇪🇺 Work from the EU"),
}


def place_name(code: str | None) -> str | None:
    """A municipality's CBS name."""
    found = all_municipalities().get(code or "")
    return found.name if found else None


def _reach(reach: Reach, municipality: str | None) -> str:
    if reach == "local":
        return format_html(_("📍 {place}"), place=place_name(municipality) or "")
    return _("🗺 In the region") if reach == "regional" else _("🇳🇱 Whole country")


def _clock(moment: time | None) -> str:
    return "24:00" if moment is None else moment.strftime("%H:%M")


def hours_line(row: EntryRow, local_now: datetime) -> str | None:
    """Closed for now, by appointment, or today's hours with open now / closed now."""
    if row.temporarily_closed:
        return _("⛔ Temporarily closed")
    appointment = _("📅 By appointment only")
    if row.opening_hours is None:
        return appointment if row.appointment_only else None
    day = today(row.opening_hours, local_now)
    if day.spans == ((time(0), None),):
        text = _("🕘 Open day and night")
    elif day.spans:
        # a hyphen keeps "09:00-17:00" one left-to-right run in Arabic (an en dash would
        # split it in two, which a right-to-left line shows as 17:00–09:00)
        spans = ", ".join(f"{_clock(a)}-{_clock(b)}" for a, b in day.spans)
        text = _("🕘 Today: {hours}").format(hours=spans)
    else:
        text = _("🕘 Today: closed")
    if row.appointment_only:
        return f"{text} · {appointment}"
    if day.status == "open" and day.spans != ((time(0), None),):
        return f"{text} · " + _("🟢 open now")
    return f"{text} · " + _("🔴 closed now") if day.status == "closed" and day.spans else text


def phone_line(row: EntryRow) -> str | None:
    """The Dutch way of writing it, then the +31 form Telegram links for tapping to call."""
    if row.phone is None:
        return None
    return f"📞 {dutch_phone(row.phone)} · {international_phone(row.phone)}"


def _website(row: EntryRow) -> str | None:
    if row.website is None:
        return None
    shown = urlsplit(row.website).netloc.removeprefix("www.") or row.website
    return f'🌐 <a href="{escape(row.website)}">{escape(shown, quote=False)}</a>'


def address(row: EntryRow) -> str | None:
    """Street, postcode and town on one line."""
    town = " ".join(part for part in (row.postcode, row.city) if part)
    parts = [part for part in (row.address, town) if part]
    return ", ".join(parts) or None


def _languages(row: EntryRow) -> str | None:
    if not row.languages:
        return None
    names = Locale.parse(current_locale()).languages
    return "🗣 " + format_list([names.get(code, code) for code in row.languages],
                              locale=current_locale())


def _clip(text: str) -> str:
    return text if len(text) <= DESCRIPTION_LIMIT else text[:DESCRIPTION_LIMIT - 1] + "…"


def card(found: Found, municipality: str | None, local_now: datetime) -> str:
    """One entry, a few lines, in the reader's language (HTML; user text escaped)."""
    row, lang = found.row, current_locale()
    lines = [f"<b>{escape(row.shown_name(lang), quote=False)}</b> · "
             f"{_reach(found.reach, municipality)}"]
    description = row.description(lang)
    where = address(row)
    lines += [escape(_clip(description), quote=False)] if description else []
    lines += [line for line in (hours_line(row, local_now), phone_line(row), _website(row))
              if line]
    lines += [f"📍 {escape(where, quote=False)}"] if where else []
    lines += [line for line in (_languages(row),) if line]
    return "\n".join(lines)


def venue(row: EntryRow) -> Venue | None:
    """The entry as a place on the map, where its coordinates are known."""
    if row.latitude is None or row.longitude is None:
        return None
    return Venue(row.latitude, row.longitude, row.shown_name(current_locale()),
                 address(row) or row.city or row.name)
