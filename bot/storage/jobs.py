"""Repository functions for durable jobs: the table is the truth, timers only wake us up.

Several instances look at the same table at the same second: a job is scheduled with an
insert that a unique constraint makes idempotent, and taken with one conditional UPDATE
of a row locked with SKIP LOCKED, so it runs exactly once and nobody waits for another's
job to finish.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Job


async def ensure(session: AsyncSession, kind: str, ref: str, due_at: datetime) -> None:
    """Schedule a job unless that exact one is already there (restarts, and two instances
    starting at once, add nothing twice: uq_jobs_kind)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    await session.execute(dialect.insert(Job).values(
        kind=kind, ref=ref, due_at=due_at, state="scheduled").on_conflict_do_nothing())


async def upcoming(session: AsyncSession, kind: str, ref: str) -> Job | None:
    """The next scheduled job of a kind for one subject."""
    return (await session.scalars(
        select(Job).where(Job.kind == kind, Job.ref == ref, Job.state == "scheduled")
        .order_by(Job.due_at).limit(1))).first()


async def due(session: AsyncSession, now: datetime, limit: int = 100) -> list[Job]:
    """Jobs whose time has come, oldest first."""
    return list(await session.scalars(
        select(Job).where(Job.state == "scheduled", Job.due_at <= now)
        .order_by(Job.due_at, Job.id).limit(limit)))


async def take(session: AsyncSession, job_id: int, now: datetime) -> bool:
    """Claim a job; its work is done in the same transaction, so it runs exactly once (a
    job another instance is running now is skipped, not waited for)."""
    free = (select(Job.id).where(Job.id == job_id, Job.state == "scheduled")
            .with_for_update(skip_locked=True))
    result = await session.execute(
        update(Job).where(Job.id.in_(free.scalar_subquery()), Job.state == "scheduled")
        .values(state="done", done_at=now).returning(Job.id))
    return result.scalar() is not None
