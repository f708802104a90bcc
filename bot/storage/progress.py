"""Repository functions for journey progress (one row per user and journey)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Exists, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from bot.storage.models import JourneyProgress, User, utcnow


class _JsonItems(FunctionElement[str]):
    """The text items of a JSON array as rows (column `value`); each dialect names it its way."""

    name = "json_items"
    inherit_cache = True


@compiles(_JsonItems, "sqlite")
def _json_each(element: _JsonItems, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_each({compiler.process(element.clauses, **kw)})"


@compiles(_JsonItems, "postgresql")
def _json_array_elements_text(element: _JsonItems, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_array_elements_text({compiler.process(element.clauses, **kw)})"


def finished(journey: str) -> Exists:
    """A condition on users, for queries over many people: the step they are on in `journey`
    is ticked (its last step, once they reached the end) and no step waits (⏳ Not yet: a
    person still waiting for the DigiD letter has not finished First steps)."""
    ticked = _JsonItems(JourneyProgress.done).table_valued("value")
    return exists().where(JourneyProgress.user_id == User.id, JourneyProgress.journey == journey,
                          exists().where(ticked.c.value == JourneyProgress.node),
                          func.json_array_length(JourneyProgress.waiting) == 0)


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
                               node=node, done=[], history=[], waiting=[], updated_at=utcnow())
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
    if node in progress.waiting:
        progress.waiting = [n for n in progress.waiting if n != node]
    progress.updated_at = utcnow()


def wait(progress: JourneyProgress, node: str) -> None:
    """Mark a step as waiting ("Not yet"): it stays open, shown with ⏳."""
    if node not in progress.waiting and node not in progress.done:
        progress.waiting = [*progress.waiting, node]
    progress.updated_at = utcnow()


def jump(progress: JourneyProgress, node: str) -> None:
    """Open a step from the overview: Back from there leads to the overview again."""
    progress.node, progress.history = node, []
    progress.updated_at = utcnow()


def move(progress: JourneyProgress, node: str, *, done: str | None = None,
         back: bool = False) -> None:
    """Go to `node` (ticking `done` on the way), remembering the way back."""
    if done is not None:
        tick(progress, done)
    progress.history = progress.history[:-1] if back else [*progress.history, progress.node]
    progress.node = node
    progress.updated_at = utcnow()
