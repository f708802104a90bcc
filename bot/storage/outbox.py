"""Repository functions for the outbox, the one outbound queue, and the group-chat budget.

A post is due while it is `active`, its `revision` is ahead of `sent_revision` and its
`not_before` has passed. Claiming makes it `sending` (one conditional UPDATE, so two
senders never take the same row) and names who took it and when; a change made while it
is being sent bumps the revision again, so it is sent once more, never lost.

No chat has two rows `sending` at once, whichever instance sends them (they could
overtake each other): a claim skips chats with a row in flight, and on PostgreSQL claims
are serialised by a transaction-level advisory lock, so a claim always sees the rows the
previous one took (SQLite's single writer serialises them already).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.storage import locks
from bot.storage.models import ChatSend, Post, User

GROUP_CHAT_LIMIT = 20  # messages per minute Telegram allows a bot in one group
WINDOW = timedelta(minutes=1)
BOARD_SIZE = 8  # tasks per board message: enough to batch, few enough to read on a phone
QUEUED = "outbox.queued"  # session.info key: this unit of work gave the sender something to do


def queued(session: AsyncSession) -> bool:
    """Whether this unit of work queued or changed a message (the sender should look now)."""
    return bool(session.info.get(QUEUED))


def _mark(session: AsyncSession) -> None:
    session.info[QUEUED] = True


async def queue_text(session: AsyncSession, chat_id: int, text: str,
                     keyboard: Sequence[Sequence[tuple[str, str]]] = (), *, lane: int,
                     group_id: int | None = None, ref: str | None = None,
                     **more: Any) -> Post:
    """A ready-rendered message for one chat (`ref` names what it is about, e.g. q:12;
    `more` sets user_id, source, source_id, expires_at)."""
    post = Post(chat_id=chat_id, group_id=group_id, kind="text", text=text, ref=ref,
                keyboard=[[list(b) for b in row] for row in keyboard], task_ids=[],
                lane=lane, **more)
    session.add(post)
    await session.flush()
    _mark(session)
    return post


async def queue_many(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Many ready-rendered text messages in one statement (a broadcast's recipients)."""
    if rows:
        _mark(session)
        await session.execute(insert(Post), [
            {"kind": "text", "keyboard": [], "task_ids": [], "revision": 1, "sent_revision": 0,
             "state": "active", "attempts": 0, **row} for row in rows])


async def by_ref(session: AsyncSession, chat_id: int, ref: str) -> Post | None:
    """The message about `ref` (e.g. a broadcast's report) in one chat, if queued before."""
    return (await session.scalars(select(Post).where(Post.chat_id == chat_id,
                                                     Post.ref == ref))).first()


async def rewrite(session: AsyncSession, post: Post, text: str) -> bool:
    """New text for a message: edited in its chat (or sent, if it has not gone yet)."""
    if post.text == text:
        return False
    post.text, post.revision = text, post.revision + 1
    _mark(session)
    return True


async def queue_task(session: AsyncSession, chat_id: int, group_id: int, task_id: int) -> None:
    """Put a new task on the group chat's board: into an unsent board message if one waits."""
    _mark(session)
    waiting = (await session.scalars(
        select(Post).where(Post.chat_id == chat_id, Post.kind == "tasks",
                           Post.message_id.is_(None), Post.state == "active")
        .order_by(Post.id.desc()).limit(1))).first()
    if waiting is not None and len(waiting.task_ids) < BOARD_SIZE:
        waiting.task_ids = [*waiting.task_ids, task_id]
        waiting.revision += 1
        await session.flush()
        return
    session.add(Post(chat_id=chat_id, group_id=group_id, kind="tasks", task_ids=[task_id]))
    await session.flush()


async def touch_task(session: AsyncSession, group_id: int, task_id: int) -> None:
    """A task changed: every board message that shows it must be redrawn."""
    boards = await session.scalars(
        select(Post).where(Post.group_id == group_id, Post.kind == "tasks",
                           Post.state == "active").order_by(Post.id.desc()).limit(200))
    ids = [post.id for post in boards if task_id in post.task_ids]
    if ids:
        _mark(session)
        await session.execute(update(Post).where(Post.id.in_(ids))
                              .values(revision=Post.revision + 1))


def _due(now: datetime) -> Select[Post, datetime | None]:
    """Rows that may go now, most urgent lane first, each with its person's blocked mark;
    not to a group chat that has used its 20 messages of the last minute."""
    full = (select(ChatSend.chat_id).where(ChatSend.at > now - WINDOW)
            .group_by(ChatSend.chat_id).having(func.count() >= GROUP_CHAT_LIMIT))
    in_flight = aliased(Post)
    sending = select(in_flight.chat_id).where(in_flight.state == "sending")
    return (select(Post, User.blocked_at)
            .outerjoin(User, (User.telegram_id == Post.chat_id) & (Post.chat_id > 0))
            .where(Post.state == "active", Post.revision > Post.sent_revision,
                   or_(Post.not_before.is_(None), Post.not_before <= now),
                   Post.chat_id.not_in(full), Post.chat_id.not_in(sending))
            .order_by(Post.lane, Post.id))


async def due(session: AsyncSession, now: datetime, busy: Sequence[int] = (),
              last_lane: int | None = None, limit: int = 40) -> list[tuple[Post, datetime | None]]:
    """Posts waiting to be sent or redrawn (lane ≤ last_lane if given), except to chats with a
    send in flight (a row `sending` in the database, or `busy` here)."""
    query = _due(now).limit(limit)
    if last_lane is not None:
        query = query.where(Post.lane <= last_lane)
    if busy:
        query = query.where(Post.chat_id.not_in(busy))
    return [(post, blocked) for post, blocked in (await session.execute(query)).all()]


async def owed(session: AsyncSession, now: datetime, *, below_lane: int) -> int:
    """Rows due now or being sent in lanes under `below_lane`: what the bot still owes people
    right now (zero means every reply and notice has gone out; the tests wait for it)."""
    pending = and_(Post.state == "active", Post.revision > Post.sent_revision,
                   or_(Post.not_before.is_(None), Post.not_before <= now))
    query = (select(func.count()).select_from(Post)
             .where(Post.lane < below_lane, or_(Post.state == "sending", pending)))
    return int(await session.scalar(query) or 0)


async def lock_claims(session: AsyncSession) -> None:
    """PostgreSQL: one claim at a time across instances, until this transaction ends (so
    the check for chats in flight sees every row another instance took)."""
    await locks.serialise(session, locks.CLAIMS)


async def take(session: AsyncSession, post_id: int, owner: str, now: datetime) -> bool:
    """Claim one post for sending, in `owner`'s name; False if another sender was first."""
    result = await session.execute(
        update(Post).where(Post.id == post_id, Post.state == "active")
        .values(state="sending", attempts=Post.attempts + 1, claimed_by=owner, claimed_at=now))
    return bool(getattr(result, "rowcount", 0))


async def mark_sent(session: AsyncSession, post_id: int, revision: int, message_id: int,
                    now: datetime) -> None:
    """Remember the Telegram message and the revision it shows."""
    await session.execute(
        update(Post).where(Post.id == post_id)
        .values(state="active", message_id=message_id, sent_revision=revision, sent_at=now,
                attempts=0, error=None))


async def retry(session: AsyncSession, post_id: int, not_before: datetime, reason: str) -> None:
    """Due again after a pause (Telegram asked us to wait, or the network failed)."""
    await session.execute(update(Post).where(Post.id == post_id).values(
        state="active", not_before=not_before, error=reason[:40]))


async def settle(session: AsyncSession, post_id: int, state: str, reason: str = "") -> None:
    """A post that will not be sent (again): failed, blocked, interrupted or expired."""
    await session.execute(update(Post).where(Post.id == post_id).values(
        state=state, error=reason[:40] or None))


async def abandoned(session: AsyncSession, me: str, previous: str, before: datetime) -> list[Post]:
    """Posts `sending` that nobody will report on: claimed by an earlier life of this
    instance (`previous` is its name's prefix), by no one (a version before claims had
    owners), or by anyone other than `me` before `before` (the lease ran out: it died).
    Rows another instance is settling right now are skipped, not waited for."""
    lost = or_(Post.claimed_by.is_(None), Post.claimed_by.startswith(previous, autoescape=True),
               Post.claimed_at < before)
    return list(await session.scalars(
        select(Post).where(Post.state == "sending", or_(Post.claimed_by.is_(None),
                                                         Post.claimed_by != me), lost)
        .order_by(Post.id).with_for_update(skip_locked=True)))


async def cancel_sources(session: AsyncSession, source: str, source_ids: Any) -> None:
    """Unsent posts of these sources will not go (`source_ids` may be a subquery)."""
    await session.execute(update(Post).where(
        Post.source == source, Post.source_id.in_(source_ids), Post.state == "active")
        .values(state="cancelled"))


async def drop_chat(session: AsyncSession, chat_id: int) -> None:
    """The bot left a chat: what was owed to it can no longer arrive."""
    await session.execute(update(Post).where(Post.chat_id == chat_id, Post.state == "active")
                          .values(state="failed"))


async def record_send(session: AsyncSession, chat_id: int, now: datetime) -> None:
    """Count a message put into (or edited in) a group chat."""
    session.add(ChatSend(chat_id=chat_id, at=now))
    await session.flush()


async def forget_sends(session: AsyncSession, before: datetime) -> None:
    """The budget only looks back one minute; older rows are noise."""
    await session.execute(delete(ChatSend).where(ChatSend.at < before))
