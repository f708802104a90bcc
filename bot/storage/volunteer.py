"""Repository functions for volunteering: opportunities with their texts, profiles, and
matches whose status moves only by conditional updates (of two answers, one wins)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import (
    VolunteerMatch,
    VolunteerOpportunity,
    VolunteerProfile,
    VolunteerText,
)

TAKEN = ("accepted", "active")  # a match in these states holds one of the places
OPEN = ("interested", "call_me")  # waiting for the organisation's answer


@dataclass
class Stored:
    """One opportunity as the database holds it, with its texts by language."""

    opportunity: VolunteerOpportunity
    texts: dict[str, VolunteerText] = field(default_factory=dict)


async def _gather(session: AsyncSession,
                  found: list[VolunteerOpportunity]) -> list[Stored]:
    """The texts of these opportunities, in one query."""
    stored = {o.id: Stored(o) for o in found}
    if stored:
        for text in await session.scalars(select(VolunteerText).where(
                VolunteerText.opportunity_id.in_(stored))):
            stored[text.opportunity_id].texts[text.language] = text
    return list(stored.values())


async def every(session: AsyncSession) -> list[Stored]:
    """Every opportunity, by id."""
    return await _gather(session, list(await session.scalars(
        select(VolunteerOpportunity).order_by(VolunteerOpportunity.id))))


async def open_near(session: AsyncSession, municipality: str | None) -> list[Stored]:
    """Opportunities still open in this municipality and those online (every open one when
    the municipality is unknown), by id."""
    query = select(VolunteerOpportunity).where(VolunteerOpportunity.closed.is_(False))
    if municipality is not None:
        query = query.where(or_(VolunteerOpportunity.municipality == municipality,
                                VolunteerOpportunity.online.is_(True)))
    return await _gather(session, list(await session.scalars(
        query.order_by(VolunteerOpportunity.id))))


async def get(session: AsyncSession, opportunity_id: str) -> Stored | None:
    """One opportunity, fresh from the database."""
    found = (await session.scalars(select(VolunteerOpportunity).where(
        VolunteerOpportunity.id == opportunity_id)
        .execution_options(populate_existing=True))).first()
    gathered = await _gather(session, [found]) if found is not None else []
    return gathered[0] if gathered else None


async def ids(session: AsyncSession) -> set[str]:
    """Every id in use."""
    return set(await session.scalars(select(VolunteerOpportunity.id)))


async def save(session: AsyncSession, stored: Stored) -> None:
    """Insert or replace one opportunity with its texts."""
    await session.execute(delete(VolunteerText).where(
        VolunteerText.opportunity_id == stored.opportunity.id))
    await session.merge(stored.opportunity)
    await session.flush()
    session.add_all(stored.texts.values())
    await session.flush()


async def set_closed(session: AsyncSession, opportunity_id: str, closed: bool) -> bool:
    """Close (full, or taken off) or reopen; True when this call changed it."""
    result = await session.execute(
        update(VolunteerOpportunity).where(VolunteerOpportunity.id == opportunity_id,
                                           VolunteerOpportunity.closed.is_(not closed))
        .values(closed=closed).returning(VolunteerOpportunity.id))
    return result.scalar() is not None


async def profile(session: AsyncSession, user_id: int) -> VolunteerProfile | None:
    """A newcomer's volunteer profile, if they started one."""
    return await session.get(VolunteerProfile, user_id)


async def profile_for_update(session: AsyncSession, user_id: int) -> VolunteerProfile:
    """The profile to change, made empty on first use."""
    found = await session.get(VolunteerProfile, user_id)
    if found is None:
        found = VolunteerProfile(user_id=user_id, interests=[], days=[], languages=[],
                                 tell_group=False)
        session.add(found)
        await session.flush()
    return found


async def interested(session: AsyncSession, opportunity_id: str, user_id: int,
                     now: datetime) -> VolunteerMatch:
    """The tentative match of this pair: made once, however often the button is pressed
    (a pair that was withdrawn or declined before stays as it is)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    await session.execute(dialect.insert(VolunteerMatch).values(
        opportunity_id=opportunity_id, user_id=user_id, status="interested",
        created_at=now).on_conflict_do_nothing())
    found = (await session.scalars(select(VolunteerMatch).where(
        VolunteerMatch.opportunity_id == opportunity_id, VolunteerMatch.user_id == user_id)
        .execution_options(populate_existing=True))).one()
    return found


async def match(session: AsyncSession, match_id: int) -> VolunteerMatch | None:
    """One match, fresh from the database."""
    return (await session.scalars(select(VolunteerMatch).where(VolunteerMatch.id == match_id)
                                  .execution_options(populate_existing=True))).first()


async def move(session: AsyncSession, match_id: int, before: Collection[str], after: str,
               **values: object) -> bool:
    """Move a match from one of `before` to `after` (with more columns set); False when it
    had already moved (the other side answered first, or a second press)."""
    result = await session.execute(
        update(VolunteerMatch).where(VolunteerMatch.id == match_id,
                                     VolunteerMatch.status.in_(list(before)))
        .values(status=after, **values).returning(VolunteerMatch.id))
    return result.scalar() is not None


async def matches_of(session: AsyncSession, user_id: int) -> list[VolunteerMatch]:
    """A newcomer's matches, newest first."""
    return list(await session.scalars(select(VolunteerMatch).where(
        VolunteerMatch.user_id == user_id).order_by(VolunteerMatch.created_at.desc(),
                                                    VolunteerMatch.id.desc())))


async def matches_for(session: AsyncSession, opportunity_id: str,
                      statuses: Collection[str]) -> list[VolunteerMatch]:
    """An opportunity's matches in these states, oldest first."""
    return list(await session.scalars(select(VolunteerMatch).where(
        VolunteerMatch.opportunity_id == opportunity_id,
        VolunteerMatch.status.in_(list(statuses))).order_by(VolunteerMatch.created_at,
                                                            VolunteerMatch.id)))


async def taken(session: AsyncSession, opportunity_ids: Collection[str]) -> dict[str, int]:
    """How many places of each opportunity accepted matches hold."""
    rows = await session.execute(
        select(VolunteerMatch.opportunity_id, func.count()).where(
            VolunteerMatch.opportunity_id.in_(list(opportunity_ids)),
            VolunteerMatch.status.in_(TAKEN)).group_by(VolunteerMatch.opportunity_id))
    return {opportunity_id: count for opportunity_id, count in rows}


async def unanswered_since(session: AsyncSession, before: datetime) -> list[VolunteerMatch]:
    """Tentative matches the organisation left unanswered since `before`, not yet passed to
    a coordinator."""
    return list(await session.scalars(select(VolunteerMatch).where(
        VolunteerMatch.status.in_(OPEN), VolunteerMatch.created_at < before,
        VolunteerMatch.escalated_at.is_(None)).order_by(VolunteerMatch.id)))


async def started_by(session: AsyncSession, day: date) -> list[VolunteerMatch]:
    """Accepted matches whose first agreed date is on or before `day`."""
    return list(await session.scalars(select(VolunteerMatch).where(
        VolunteerMatch.status == "accepted", VolunteerMatch.start_date <= day)
        .order_by(VolunteerMatch.id)))


async def escalate(session: AsyncSession, match_id: int, now: datetime) -> bool:
    """Mark a match still waiting for the organisation as passed to a coordinator; False
    when it was answered meanwhile or already passed on (it is passed on once)."""
    result = await session.execute(
        update(VolunteerMatch).where(VolunteerMatch.id == match_id,
                                     VolunteerMatch.status.in_(OPEN),
                                     VolunteerMatch.escalated_at.is_(None))
        .values(escalated_at=now).returning(VolunteerMatch.id))
    return result.scalar() is not None


async def note_outcome(session: AsyncSession, match_id: int, newcomer: bool,
                       outcome: str) -> None:
    """One side's answer to "did it work out?" (the status moves apart, with `move`)."""
    column = "newcomer_outcome" if newcomer else "organisation_outcome"
    await session.execute(update(VolunteerMatch).where(VolunteerMatch.id == match_id)
                          .values({column: outcome}))
