"""Closing an opportunity, and telling the newcomers who were still waiting for an answer.

A newcomer who pressed "I'm interested" must not wait for a place that is gone: whoever
closes one (a coordinator, an import, the last place being taken) calls `close_and_tell`,
which moves every waiting match to `closed` and tells each person once, in their own
language. `close_if_full` is the check after places are taken or lowered.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import outbox
from bot.core.render import format_html
from bot.core.volunteer import cards, offers
from bot.core.volunteer.suggest import Suggestion
from bot.i18n import _
from bot.storage import audit
from bot.storage import volunteer as repo
from bot.storage import volunteer_admin as admin_repo
from bot.storage.volunteer import OPEN, Stored

CLOSED = "closed"


def _closed_text(stored: Stored, found: Suggestion | None) -> str:
    """In the newcomer's language: which place, that it is gone, that it is not them, and
    the next best match."""
    return format_html(_("<b>{title}</b> ({organisation})\nSorry: this place is no longer "
                         "available. It is full, or it has stopped. This is not because of "
                         "you."),
                       title=cards.plain_title(stored),
                       organisation=stored.opportunity.organisation) + "\n\n" + \
        offers.offer_text(found)


async def close_and_tell(session: AsyncSession, opportunity_id: str, now: datetime) -> int:
    """Close the opportunity; every match still waiting (interested, call me) becomes
    `closed` and its newcomer is told, with their next best match. Returns how many were
    told (a second call: none)."""
    stored = await repo.get(session, opportunity_id)
    if stored is None:
        return 0
    await repo.set_closed(session, opportunity_id, True)
    waiting = await repo.matches_for(session, opportunity_id, OPEN)
    moved = [m for m in waiting if await repo.move(session, m.id, OPEN, CLOSED, answered_at=now)]
    people = await admin_repo.people(session, [m.user_id for m in moved])
    for match in moved:
        person = people.get(match.user_id)
        if person is None:
            continue
        found = await offers.next_best(session, person)
        await outbox.tell(session, person, partial(_closed_text, stored, found),
                          partial(offers.offer_buttons, found), ref=f"vol:closed:{match.id}")
    return len(moved)


async def close_by(session: AsyncSession, opportunity_id: str, now: datetime,
                   by: int) -> int:
    """A keeper's close (the bot's ⛔ or the dashboard's button): closed, those waiting told,
    and who did it in the audit log. Returns how many were told."""
    told = await close_and_tell(session, opportunity_id, now)
    audit.record(session, by, "volunteer.close", now, opportunity=opportunity_id, told=told)
    return told


async def close_if_full(session: AsyncSession, opportunity_id: str, now: datetime) -> bool:
    """Close an open opportunity whose places are all taken (and tell those waiting);
    True when it closed now."""
    stored = await repo.get(session, opportunity_id)
    if stored is None or stored.opportunity.closed:
        return False
    taken = (await repo.taken(session, [opportunity_id])).get(opportunity_id, 0)
    if stored.opportunity.places > taken:
        return False
    await close_and_tell(session, opportunity_id, now)
    return True
