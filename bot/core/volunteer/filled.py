"""A place that fills up closes by itself, and whoever still waits for an answer hears it
kindly, with the next best match."""

from __future__ import annotations

from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import outbox
from bot.core.volunteer import cards, offers
from bot.core.volunteer.suggest import Suggestion
from bot.i18n import _
from bot.storage import volunteer as repo
from bot.storage.models import User
from bot.storage.volunteer import Stored


async def close_and_tell(session: AsyncSession, opportunity_id: str) -> int:
    """Close the opportunity when accepted matches hold every place; the waiting newcomers
    are told (in their language). Returns how many were told."""
    stored = await repo.get(session, opportunity_id)
    held = (await repo.taken(session, [opportunity_id])).get(opportunity_id, 0)
    if stored is None or held < stored.opportunity.places or \
            not await repo.set_closed(session, opportunity_id, True):
        return 0
    told = 0
    for match in await repo.matches_for(session, opportunity_id, repo.OPEN):
        user = await session.get(User, match.user_id)
        if user is None or not await repo.move(session, match.id, repo.OPEN, "closed"):
            continue
        found = await offers.next_best(session, user)
        await outbox.tell(session, user, partial(_filled, stored, found),
                          partial(offers.offer_buttons, found))
        told += 1
    return told


def _filled(stored: Stored, found: Suggestion | None) -> str:
    return _("🔒 The places at “{title}” are filled now. I am sorry.").format(
        title=cards.title(stored)) + "\n\n" + offers.offer_text(found)
