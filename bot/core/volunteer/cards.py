"""An opportunity as a newcomer reads it: its title and description in their language (a
language without a text gets the Dutch one), what kind it is, where and how long, and why it
fits. Also the few lines an organisation reads about a newcomer."""

from __future__ import annotations

from bot.core.render import format_html
from bot.core.volunteer import labels
from bot.core.volunteer.suggest import Suggestion
from bot.i18n import FALLBACK_LANGUAGE, _, current_locale, shorten
from bot.storage.models import User, VolunteerProfile, VolunteerText
from bot.storage.volunteer import Stored

DESCRIPTION = 220  # characters of a description on a card


def text_of(stored: Stored) -> VolunteerText | None:
    """The text in the reader's language, else Dutch, else any."""
    texts = stored.texts
    return texts.get(current_locale()) or texts.get(FALLBACK_LANGUAGE) or next(
        iter(texts.values()), None)


def plain_title(stored: Stored) -> str:
    """The title as the reader reads it (not escaped), or the organisation's name."""
    text = text_of(stored)
    return text.title if text and text.title else stored.opportunity.organisation


def title(stored: Stored) -> str:
    """The title as the reader reads it, escaped for HTML."""
    return format_html("{t}", t=plain_title(stored))


def card(found: Suggestion, number: int) -> str:
    """One opportunity in a list: title, organisation, kind, place and hours, why it fits."""
    o = found.stored.opportunity
    text = text_of(found.stored)
    where = _("💻 Online") if o.online and not o.address else format_html(
        "📍 {place}", place=", ".join(p for p in (o.address, labels.place(o.municipality)) if p))
    lines = [f"<b>{number}. {title(found.stored)}</b>",
             format_html("{kind} · {organisation}", kind=_(labels.KIND_LABELS.get(o.kind, "")),
                         organisation=o.organisation),
             where]
    if o.hours_per_week:
        lines.append(_("⏱ {hours} hours a week").format(hours=o.hours_per_week))
    if text and text.description:
        lines.append(format_html("<i>{d}</i>", d=shorten(text.description, DESCRIPTION)))
    reasons = labels.why(found.ranked)
    if reasons:
        lines.append(format_html("{why}", why=reasons))
    return "\n".join(lines)


def person(user: User, profile: VolunteerProfile | None) -> str:
    """Who is interested: first name, languages, Dutch level, days; nothing else."""
    spoken = (profile.languages if profile and profile.languages
              else [user.locale] if user.locale else [])
    return format_html(_("👤 {name}\n🗣 {languages}\n🇳🇱 Dutch: {level}\n📅 {days}"),
                       name=user.first_name or "—", languages=labels.languages(spoken),
                       level=labels.level(profile.dutch_level if profile else None),
                       days=labels.days(profile.days if profile else []))
