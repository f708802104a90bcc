"""Repository functions for those who keep volunteering: opportunities by area, places and
checks changed, removal on a replacing import, and the matches a monthly report counts."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import User, VolunteerMatch, VolunteerOpportunity
from bot.storage.volunteer import OPEN, Stored, _gather


async def in_area(session: AsyncSession, codes: Collection[str] | None) -> list[Stored]:
    """Opportunities in these municipalities (None: every one), open or closed, by id."""
    query = select(VolunteerOpportunity)
    if codes is not None:
        query = query.where(VolunteerOpportunity.municipality.in_(list(codes)))
    return await _gather(session, list(await session.scalars(
        query.order_by(VolunteerOpportunity.id))))


async def waiting(session: AsyncSession, opportunity_ids: Collection[str]) -> dict[str, int]:
    """How many matches of each opportunity wait for the organisation's answer."""
    rows = await session.execute(
        select(VolunteerMatch.opportunity_id, func.count()).where(
            VolunteerMatch.opportunity_id.in_(list(opportunity_ids)),
            VolunteerMatch.status.in_(OPEN)).group_by(VolunteerMatch.opportunity_id))
    return {opportunity_id: count for opportunity_id, count in rows}


async def set_places(session: AsyncSession, opportunity_id: str, places: int, now: datetime,
                     by: int | None) -> None:
    """The number of places, with who changed it and when."""
    await session.execute(update(VolunteerOpportunity).where(
        VolunteerOpportunity.id == opportunity_id).values(
        places=places, updated_at=now, updated_by=by))


async def mark_checked(session: AsyncSession, opportunity_id: str, today: date,
                       now: datetime, by: int | None) -> None:
    """Someone confirmed today that the opportunity is still as described."""
    await session.execute(update(VolunteerOpportunity).where(
        VolunteerOpportunity.id == opportunity_id).values(
        last_checked=today, updated_at=now, updated_by=by))


async def closed_ids(session: AsyncSession) -> set[str]:
    """Opportunities that are closed (an import keeps them closed)."""
    return set(await session.scalars(select(VolunteerOpportunity.id).where(
        VolunteerOpportunity.closed.is_(True))))


async def with_matches(session: AsyncSession, opportunity_ids: Collection[str]) -> set[str]:
    """Those of these opportunities that anyone ever showed interest in."""
    return set(await session.scalars(select(VolunteerMatch.opportunity_id).where(
        VolunteerMatch.opportunity_id.in_(list(opportunity_ids))).distinct()))


async def remove(session: AsyncSession, opportunity_ids: Collection[str]) -> None:
    """Delete these opportunities (their texts go with them)."""
    await session.execute(delete(VolunteerOpportunity).where(
        VolunteerOpportunity.id.in_(list(opportunity_ids))))


async def people(session: AsyncSession, user_ids: Collection[int]) -> dict[int, User]:
    """Users by id, for telling them something."""
    found = await session.scalars(select(User).where(User.id.in_(list(user_ids))))
    return {user.id: user for user in found}


async def matches_since(session: AsyncSession, since: datetime
                        ) -> list[tuple[str | None, VolunteerMatch]]:
    """Matches made or answered since `since`, each with its opportunity's municipality."""
    rows = await session.execute(
        select(VolunteerOpportunity.municipality, VolunteerMatch).join(
            VolunteerOpportunity, VolunteerOpportunity.id == VolunteerMatch.opportunity_id)
        .where(or_(VolunteerMatch.created_at >= since, VolunteerMatch.answered_at >= since))
        .order_by(VolunteerMatch.id))
    return [(municipality, found) for municipality, found in rows]
