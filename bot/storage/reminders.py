"""Repository functions for appointments and reminders.

Releasing takes a reminder first (scheduled → queued, one conditional UPDATE), so two
timers or two processes never queue it twice; rows another instance is taking right now
are skipped (SKIP LOCKED), so two instances' ticks neither wait for nor deadlock on each
other.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Appointment, Reminder, User


async def add(session: AsyncSession, reminder: Reminder) -> Reminder:
    """Store a reminder."""
    session.add(reminder)
    await session.flush()
    return reminder


async def claim_due(session: AsyncSession, now: datetime, limit: int) -> list[Reminder]:
    """Take up to `limit` due reminders for the outbound queue, soonest first."""
    due = (select(Reminder.id).where(Reminder.state == "scheduled", Reminder.due_at <= now)
           .order_by(Reminder.due_at, Reminder.id).limit(limit)
           .with_for_update(skip_locked=True))
    result = await session.scalars(
        update(Reminder).where(Reminder.id.in_(due.scalar_subquery()),
                               Reminder.state == "scheduled")
        .values(state="queued", attempts=Reminder.attempts + 1).returning(Reminder)
        .execution_options(populate_existing=True))
    return sorted(result.all(), key=lambda r: (r.due_at, r.id))


async def finish(session: AsyncSession, reminder_id: int, state: str, now: datetime,
                 error: str | None = None) -> None:
    """Record how a send ended: sent, missed, failed or cancelled."""
    values: dict[str, object] = {"state": state, "error": error}
    if state == "sent":
        values["sent_at"] = now
    await session.execute(update(Reminder).where(Reminder.id == reminder_id).values(**values))


async def retry(session: AsyncSession, reminder_id: int, due_at: datetime) -> None:
    """Back to the queue (Telegram asked us to wait, or the network failed)."""
    await session.execute(update(Reminder).where(Reminder.id == reminder_id)
                          .values(state="scheduled", due_at=due_at))


async def has_scheduled(session: AsyncSession, user_id: int, kind: str) -> bool:
    """Whether a reminder of this kind is already waiting for the person."""
    return bool(await session.scalar(select(exists().where(
        Reminder.user_id == user_id, Reminder.kind == kind, Reminder.state == "scheduled"))))


async def newcomers_without(session: AsyncSession, kind: str) -> list[int]:
    """The onboarded newcomers (user ids) with no reminder of this kind waiting: one query,
    however many newcomers there are."""
    waiting = select(Reminder.id).where(Reminder.user_id == User.id, Reminder.kind == kind,
                                        Reminder.state == "scheduled")
    return list(await session.scalars(select(User.id).where(
        User.declared_role == "newcomer", User.onboarded_at.is_not(None), ~waiting.exists())))


async def cancel_scheduled(session: AsyncSession, user_id: int, kind: str, ref: str) -> None:
    """The person's waiting reminders of one kind about one thing go (it is being moved)."""
    await session.execute(
        update(Reminder).where(Reminder.user_id == user_id, Reminder.ref == ref,
                               Reminder.kind == kind, Reminder.state == "scheduled")
        .values(state="cancelled"))


async def upcoming(session: AsyncSession, user_id: int) -> list[Reminder]:
    """A person's scheduled reminders, soonest first."""
    return list(await session.scalars(
        select(Reminder).where(Reminder.user_id == user_id, Reminder.state == "scheduled")
        .order_by(Reminder.due_at, Reminder.id)))


async def get(session: AsyncSession, reminder_id: int) -> Reminder | None:
    """One reminder."""
    return await session.get(Reminder, reminder_id)


async def cancel_appointment(session: AsyncSession, appointment_id: int) -> None:
    """An appointment changed or was cancelled: its unsent reminders go."""
    await session.execute(
        update(Reminder).where(Reminder.appointment_id == appointment_id,
                               Reminder.state == "scheduled").values(state="cancelled"))


async def appointment(session: AsyncSession, appointment_id: int) -> Appointment | None:
    """One appointment."""
    return await session.get(Appointment, appointment_id)


async def discard_appointment(session: AsyncSession, appointment: Appointment) -> None:
    """An appointment the person stopped entering is not kept."""
    await session.delete(appointment)


async def counts(session: AsyncSession) -> dict[str, int]:
    """Reminders per state (for logs and the benchmark)."""
    rows = await session.execute(select(Reminder.state, func.count()).group_by(Reminder.state))
    return {state: int(count) for state, count in rows.all()}
