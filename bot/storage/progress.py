"""Repository functions for journey progress (one row per user and journey)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import JourneyProgress, utcnow


async def all_for(session: AsyncSession, user_id: int) -> dict[str, JourneyProgress]:
    """Every journey the user has started, by journey id."""
    rows = await session.execute(select(JourneyProgress).where(JourneyProgress.user_id == user_id))
    return {row.journey: row for row in rows.scalars()}


async def get(session: AsyncSession, user_id: int, journey: str) -> JourneyProgress | None:
    """Progress in one journey, if started."""
    rows = await session.execute(
        select(JourneyProgress).where(JourneyProgress.user_id == user_id,
                                      JourneyProgress.journey == journey)
    )
    return rows.scalar_one_or_none()


async def start(session: AsyncSession, user_id: int, journey: str, version: int,
                node: str) -> JourneyProgress:
    """A fresh row at the journey's first step."""
    progress = JourneyProgress(user_id=user_id, journey=journey, journey_version=version,
                               node=node, done=[], history=[], updated_at=utcnow())
    session.add(progress)
    await session.flush()
    return progress


def restart(progress: JourneyProgress, node: str, version: int) -> None:
    """Back to the first step of a changed journey; what was done stays done."""
    progress.node, progress.history, progress.journey_version = node, [], version
    progress.updated_at = utcnow()


def tick(progress: JourneyProgress, node: str) -> None:
    """Mark a step done; JSON columns are replaced, never mutated, so the change is saved."""
    if node not in progress.done:
        progress.done = [*progress.done, node]
    progress.updated_at = utcnow()


def move(progress: JourneyProgress, node: str, *, done: str | None = None,
         back: bool = False) -> None:
    """Go to `node` (ticking `done` on the way), remembering the way back."""
    if done is not None:
        tick(progress, done)
    progress.history = progress.history[:-1] if back else [*progress.history, progress.node]
    progress.node = node
    progress.updated_at = utcnow()
