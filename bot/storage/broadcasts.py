"""Repository functions for broadcasts and their deliveries (one record per recipient)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Broadcast, Delivery, Post


async def add_deliveries(session: AsyncSession, broadcast_id: int,
                         rows: Sequence[tuple[int | None, int, str]]) -> list[Delivery]:
    """One pending row per recipient (user id, chat id, language), in bulk."""
    if not rows:
        return []
    result = await session.scalars(insert(Delivery).returning(
        Delivery, sort_by_parameter_order=True), [
        {"broadcast_id": broadcast_id, "user_id": user_id, "chat_id": chat_id,
         "language": language, "state": "pending", "attempts": 0}
        for user_id, chat_id, language in rows])
    return list(result.all())


def pending_ids(broadcast_id: int) -> Select[int]:
    """The deliveries of a broadcast that have not been sent (as a subquery)."""
    return select(Delivery.id).where(Delivery.broadcast_id == broadcast_id,
                                     Delivery.state == "pending")


async def unqueued(session: AsyncSession, broadcast_id: int, source: str) -> list[Delivery]:
    """Pending deliveries without an outbound row."""
    queued = select(Post.source_id).where(Post.source == source, Post.source_id.is_not(None))
    return list(await session.scalars(select(Delivery).where(
        Delivery.id.in_(pending_ids(broadcast_id)), Delivery.id.not_in(queued))))


async def finish(session: AsyncSession, delivery_id: int, state: str, now: datetime,
                 error: str | None = None) -> None:
    """Record how one send ended."""
    values: dict[str, object] = {"state": state, "error": error}
    if state == "sent":
        values["sent_at"] = now
    await session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))


async def counts(session: AsyncSession, broadcast_id: int) -> dict[str, int]:
    """Deliveries of one broadcast per state."""
    rows = await session.execute(select(Delivery.state, func.count()).where(
        Delivery.broadcast_id == broadcast_id).group_by(Delivery.state))
    return {state: int(n) for state, n in rows.all()}


async def history(session: AsyncSession, author_id: int | None, limit: int) -> list[Broadcast]:
    """Broadcasts past the draft stage, newest first (author None: everyone's)."""
    query = select(Broadcast).where(Broadcast.state != "draft").order_by(Broadcast.id.desc())
    if author_id is not None:
        query = query.where(Broadcast.author_id == author_id)
    return list(await session.scalars(query.limit(limit)))


async def discard(session: AsyncSession, broadcast: Broadcast) -> None:
    """A draft thrown away leaves nothing behind."""
    await session.delete(broadcast)


async def running(session: AsyncSession, *, lock: bool = False,
                  skip_locked: bool = False) -> list[Broadcast]:
    """Broadcasts being sent now; locked for this transaction if asked (another instance
    doing the same work waits, or with `skip_locked` leaves them to the one that has them)."""
    query = select(Broadcast).where(Broadcast.state == "sending").order_by(Broadcast.id)
    if lock or skip_locked:
        query = query.with_for_update(skip_locked=skip_locked)
    return list(await session.scalars(query))


async def cancel(session: AsyncSession, broadcast_id: int, now: datetime) -> None:
    """Stop a broadcast: what was not sent yet will not be."""
    await session.execute(update(Broadcast).where(Broadcast.id == broadcast_id)
                          .values(state="cancelled", finished_at=now))
    await session.execute(update(Delivery).where(Delivery.broadcast_id == broadcast_id,
                                                 Delivery.state == "pending")
                          .values(state="cancelled"))


async def counts_by_language(session: AsyncSession,
                             broadcast_id: int) -> dict[str, dict[str, int]]:
    """language → state → deliveries of one broadcast (the dashboard's report)."""
    rows = await session.execute(
        select(Delivery.language, Delivery.state, func.count())
        .where(Delivery.broadcast_id == broadcast_id)
        .group_by(Delivery.language, Delivery.state))
    found: dict[str, dict[str, int]] = {}
    for language, state, n in rows.all():
        found.setdefault(language, {})[state] = int(n)
    return found
