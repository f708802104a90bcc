"""The next best match, offered when one did not work out (declined, filled, ended)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.ports import Button, Keyboard
from bot.core.volunteer import cards
from bot.core.volunteer.buttons import Interested, ShowMatches
from bot.core.volunteer.suggest import Suggestion, suggestions
from bot.i18n import _
from bot.storage import volunteer as repo
from bot.storage.models import User


async def next_best(session: AsyncSession, user: User) -> Suggestion | None:
    """The best opportunity this person has not answered yet."""
    found = await suggestions(session, user, await repo.profile(session, user.id))
    return found[0] if found else None


def offer_text(found: Suggestion | None) -> str:
    """The next best match, under a message that one did not work out."""
    if found is None:
        return _("I know no other open place that fits now. Look again later in 🤲 Volunteer "
                 "work.")
    return _("This one may fit:") + "\n\n" + cards.card(found, 1)


def offer_buttons(found: Suggestion | None) -> Keyboard:
    """🙋 for the next best, and the whole list."""
    first = ((Button(_("🙋 {number}. I'm interested").format(number=1),
                     Interested(found.stored.opportunity.id).encode()),),) if found else ()
    return (*first, (Button(_("🔎 Show matches"), ShowMatches().encode()),))
