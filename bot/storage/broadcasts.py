"""Repository functions for broadcasts and their deliveries (the broadcast outbox)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Broadcast, Delivery

FINAL = ("sent", "blocked", "failed", "interrupted", "cancelled")


async def add_deliveries(session: AsyncSession, broadcast_id: int,
                         rows: Sequence[tuple[int | None, int, str]]) -> None:
    """One pending row per recipient (user id, chat id, language), in bulk."""
    if rows:
        await session.execute(insert(Delivery), [
            {"broadcast_id": broadcast_id, "user_id": user_id, "chat_id": chat_id,
             "language": language, "state": "pending", "attempts": 0}
            for user_id, chat_id, language in rows])


async def claim(session: AsyncSession, now: datetime, limit: int) -> list[Delivery]:
    """Take pending rows of running broadcasts for sending, oldest first."""
    running = select(Broadcast.id).where(Broadcast.state == "sending")
    due = (select(Delivery.id).where(
        Delivery.state == "pending", Delivery.broadcast_id.in_(running),
        or_(Delivery.not_before.is_(None), Delivery.not_before <= now))
        .order_by(Delivery.id).limit(limit))
    rows = await session.scalars(
        update(Delivery).where(Delivery.id.in_(due.scalar_subquery()),
                               Delivery.state == "pending")
        .values(state="sending", attempts=Delivery.attempts + 1).returning(Delivery)
        .execution_options(populate_existing=True))
    return sorted(rows.all(), key=lambda d: d.id)


async def finish(session: AsyncSession, delivery_id: int, state: str, now: datetime,
                 error: str | None = None) -> None:
    """Record how one send ended."""
    values: dict[str, object] = {"state": state, "error": error}
    if state == "sent":
        values["sent_at"] = now
    await session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))


async def later(session: AsyncSession, delivery_id: int, not_before: datetime) -> None:
    """Back to pending, not before a moment (429 or a network error)."""
    await session.execute(update(Delivery).where(Delivery.id == delivery_id)
                          .values(state="pending", not_before=not_before))


async def counts(session: AsyncSession, broadcast_id: int) -> dict[str, int]:
    """Deliveries of one broadcast per state."""
    rows = await session.execute(select(Delivery.state, func.count()).where(
        Delivery.broadcast_id == broadcast_id).group_by(Delivery.state))
    return {state: int(n) for state, n in rows.all()}


async def interrupted(session: AsyncSession) -> int:
    """At startup: rows cut off mid-send are not resent (they may have arrived)."""
    result = await session.execute(update(Delivery).where(Delivery.state == "sending")
                                   .values(state="interrupted").returning(Delivery.id))
    return len(result.all())


async def running(session: AsyncSession) -> list[Broadcast]:
    """Broadcasts being sent now."""
    return list(await session.scalars(select(Broadcast).where(Broadcast.state == "sending")))


async def cancel(session: AsyncSession, broadcast_id: int, now: datetime) -> None:
    """Stop a broadcast: what was not sent yet will not be."""
    await session.execute(update(Broadcast).where(Broadcast.id == broadcast_id)
                          .values(state="cancelled", finished_at=now))
    await session.execute(update(Delivery).where(Delivery.broadcast_id == broadcast_id,
                                                 Delivery.state == "pending")
                          .values(state="cancelled"))
