"""Repository functions for the outbox: messages the bot owes chats, and the group-chat budget.

A post is due while its `revision` is ahead of `sent_revision`: a change made while the
post is being sent bumps the revision again, so it is sent once more, never lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import ChatSend, Post

GROUP_CHAT_LIMIT = 20  # messages per minute Telegram allows a bot in one group
WINDOW = timedelta(minutes=1)
BOARD_SIZE = 8  # tasks per board message: enough to batch, few enough to read on a phone


async def queue_text(session: AsyncSession, chat_id: int, text: str,
                     keyboard: Sequence[Sequence[tuple[str, str]]] = (), *,
                     group_id: int | None = None, ref: str | None = None) -> Post:
    """A ready-rendered message for one chat (`ref` names what it is about, e.g. q:12)."""
    post = Post(chat_id=chat_id, group_id=group_id, kind="text", text=text, ref=ref,
                keyboard=[[list(b) for b in row] for row in keyboard], task_ids=[])
    session.add(post)
    await session.flush()
    return post


async def queue_task(session: AsyncSession, chat_id: int, group_id: int, task_id: int) -> None:
    """Put a new task on the group chat's board: into an unsent board message if one waits."""
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
        await session.execute(update(Post).where(Post.id.in_(ids))
                              .values(revision=Post.revision + 1))


async def due(session: AsyncSession, limit: int = 50) -> list[Post]:
    """Posts waiting to be sent or redrawn, oldest first."""
    return list(await session.scalars(
        select(Post).where(Post.state == "active", Post.revision > Post.sent_revision)
        .order_by(Post.id).limit(limit)))


async def mark_sent(session: AsyncSession, post_id: int, revision: int, message_id: int,
                    now: datetime) -> None:
    """Remember the Telegram message and the revision it shows."""
    await session.execute(
        update(Post).where(Post.id == post_id)
        .values(message_id=message_id, sent_revision=revision, sent_at=now, attempts=0))


async def mark_failed(session: AsyncSession, post_id: int, give_up: bool) -> None:
    """Count a failed try; a post Telegram refuses for good stops being retried."""
    values: dict[str, object] = {"attempts": Post.attempts + 1}
    if give_up:
        values["state"] = "failed"
    await session.execute(update(Post).where(Post.id == post_id).values(**values))


async def drop_chat(session: AsyncSession, chat_id: int) -> None:
    """The bot left a chat: what was owed to it can no longer arrive."""
    await session.execute(update(Post).where(Post.chat_id == chat_id, Post.state == "active")
                          .values(state="failed"))


async def record_send(session: AsyncSession, chat_id: int, now: datetime) -> None:
    """Count a message put into (or edited in) a group chat."""
    session.add(ChatSend(chat_id=chat_id, at=now))
    await session.flush()


async def sends_since(session: AsyncSession, chat_id: int, since: datetime) -> list[datetime]:
    """When the bot wrote to a group chat since a moment, oldest first."""
    rows = await session.scalars(select(ChatSend.at).where(
        ChatSend.chat_id == chat_id, ChatSend.at > since).order_by(ChatSend.at))
    return list(rows)


async def forget_sends(session: AsyncSession, before: datetime) -> None:
    """The budget only looks back one minute; older rows are noise."""
    await session.execute(delete(ChatSend).where(ChatSend.at < before))
