"""Repository functions for durable jobs: the table is the truth, timers only wake us up."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Job


async def ensure(session: AsyncSession, kind: str, ref: str, due_at: datetime) -> None:
    """Schedule a job unless that exact one is already there (restarts add nothing twice)."""
    found = await session.scalar(select(Job.id).where(
        Job.kind == kind, Job.ref == ref, Job.due_at == due_at))
    if found is None:
        session.add(Job(kind=kind, ref=ref, due_at=due_at))
        await session.flush()


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
    """Claim a job; its work is done in the same transaction, so it runs exactly once."""
    result = await session.execute(
        update(Job).where(Job.id == job_id, Job.state == "scheduled")
        .values(state="done", done_at=now).returning(Job.id))
    return result.scalar() is not None
