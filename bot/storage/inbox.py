"""The inbox of webhook updates: store once, claim in order per chat across instances.

An update's row goes waiting → claimed (an instance took it) → handled (its turn was
committed, in the turn's own transaction: `mark_handled`) → done (its replies were sent).
A chat (in a group chat: one member of it) is busy while one of its rows is claimed or
handled; only the oldest unfinished row of a chat that is not busy can be claimed, so one
person's updates are handled one at a time and in update_id order by whichever instance
gets them. Claims are serialised: on PostgreSQL by a transaction-level advisory lock
(every instance, every claim), on SQLite by its one writer (the claim writes first).

An instance renews the claims it is working on (every third of the lease); one that
stops mid-update leaves its row claimed or handled. After the lease, the next claim takes
a claimed row over (its turn never committed: running it again is
safe), and settles a handled row as lapsed (its turn committed; whether its replies went
out is unknown, so it is not run again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.storage.models import InboxUpdate

CLAIM_LOCK = 0x5765_6777_696A_7301  # pg_advisory_xact_lock key of the inbox claim ("Wegwijs")
UNFINISHED = ("waiting", "claimed", "handled")
FINISHED = ("done", "lapsed")


@dataclass(frozen=True)
class Claimed:
    """An update this instance may handle now."""

    update_id: int
    payload: dict[str, Any]


@dataclass(frozen=True)
class Backlog:
    """What waits, for /healthz."""

    waiting: int
    busy: int  # claimed or handled, by any instance
    oldest: datetime | None  # when the oldest waiting update arrived


@dataclass(frozen=True)
class Arrival:
    """An update as Telegram posted it, and whose line it joins."""

    update_id: int
    chat: tuple[int, int]  # (chat id, member id): the line its chat's updates wait in
    payload: dict[str, Any]


async def store(session: AsyncSession, arrival: Arrival, instance: str, now: datetime) -> bool:
    """Keep an update; False if it was stored before (Telegram sent it again)."""
    dialect = postgresql if _on_postgres(session) else sqlite
    statement = dialect.insert(InboxUpdate).values(
        update_id=arrival.update_id, chat_id=arrival.chat[0], member_id=arrival.chat[1],
        payload=arrival.payload, received_at=now, received_by=instance, state="waiting",
        attempts=0,
    ).on_conflict_do_nothing(index_elements=["update_id"])
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0))


async def claim(session: AsyncSession, instance: str, now: datetime, lease: timedelta,
                limit: int) -> list[Claimed]:
    """The oldest updates of chats nobody is handling, at most one per chat, now ours."""
    stale = now - lease
    if _on_postgres(session):
        await session.execute(select(func.pg_advisory_xact_lock(CLAIM_LOCK)))
    # Written first: on SQLite this takes the write lock before anything is read.
    await session.execute(
        update(InboxUpdate).where(InboxUpdate.state == "handled",
                                  InboxUpdate.claimed_at < stale)
        .values(state="lapsed", done_at=now))
    earlier = aliased(InboxUpdate)
    claimable = or_(InboxUpdate.state == "waiting",
                    and_(InboxUpdate.state == "claimed", InboxUpdate.claimed_at < stale))
    ids = list(await session.scalars(
        select(InboxUpdate.update_id).where(
            claimable,
            ~exists().where(earlier.chat_id == InboxUpdate.chat_id,
                            earlier.member_id == InboxUpdate.member_id,
                            earlier.state.in_(UNFINISHED),
                            earlier.update_id < InboxUpdate.update_id))
        .order_by(InboxUpdate.update_id).limit(limit)))
    if not ids:
        return []
    # Checked again: a slow turn of a taken-over row may commit while we wait for its row
    # lock (PostgreSQL re-reads the row then); it is handled, no longer claimable.
    rows = await session.execute(
        update(InboxUpdate).where(InboxUpdate.update_id.in_(ids), claimable)
        .values(state="claimed", claimed_by=instance, claimed_at=now,
                attempts=InboxUpdate.attempts + 1)
        .returning(InboxUpdate.update_id, InboxUpdate.payload))
    return sorted((Claimed(update_id, payload) for update_id, payload in rows),
                  key=lambda item: item.update_id)


async def mark_handled(session: AsyncSession, update_id: int) -> bool:
    """In the turn's own transaction: this update's turn is done. False if another turn did
    it already (then this one must write nothing): the row lock makes a second wait."""
    result = await session.execute(
        update(InboxUpdate).where(InboxUpdate.update_id == update_id,
                                  InboxUpdate.state == "claimed")
        .values(state="handled"))
    return bool(getattr(result, "rowcount", 0))


async def finish(session: AsyncSession, update_id: int, instance: str, now: datetime) -> None:
    """The update has been handled and answered: its chat is free for the next one."""
    await session.execute(
        update(InboxUpdate).where(InboxUpdate.update_id == update_id,
                                  InboxUpdate.claimed_by == instance,
                                  InboxUpdate.state.in_(("claimed", "handled")))
        .values(state="done", done_at=now))


async def renew(session: AsyncSession, update_ids: list[int], instance: str,
                now: datetime) -> None:
    """Still ours: an instance that is alive, only slow, keeps what it is handling."""
    await session.execute(
        update(InboxUpdate).where(InboxUpdate.update_id.in_(update_ids),
                                  InboxUpdate.claimed_by == instance,
                                  InboxUpdate.state.in_(("claimed", "handled")))
        .values(claimed_at=now))


async def backlog(session: AsyncSession) -> Backlog:
    """How many updates wait and since when, and how many are being handled."""
    waiting, oldest = (await session.execute(
        select(func.count(), func.min(InboxUpdate.received_at))
        .where(InboxUpdate.state == "waiting"))).one()
    busy = await session.scalar(select(func.count()).where(
        InboxUpdate.state.in_(("claimed", "handled"))))
    return Backlog(int(waiting), int(busy or 0), oldest)  # min() keeps the column's type


async def prune(session: AsyncSession, before: datetime) -> int:
    """Forget finished updates: they hold what people wrote."""
    result = await session.execute(
        delete(InboxUpdate).where(InboxUpdate.state.in_(FINISHED),
                                  InboxUpdate.done_at < before))
    return int(getattr(result, "rowcount", 0))



def _on_postgres(session: AsyncSession) -> bool:
    """PostgreSQL and SQLite spell an upsert and a lock differently."""
    return session.get_bind().dialect.name == "postgresql"
