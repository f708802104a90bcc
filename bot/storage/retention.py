"""Queries of the retention job: who is silent too long, and which old rows may go."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Broadcast, Delivery, Post, Question, User

BATCH = 500  # per run: the job runs daily, so a backlog drains without one huge transaction


async def to_warn(session: AsyncSession, silent_since: datetime) -> list[User]:
    """People silent since before `silent_since` who have not been told yet."""
    return list(await session.scalars(
        select(User).where(User.last_seen_at < silent_since, User.retention_warned_at.is_(None))
        .order_by(User.id).limit(BATCH)))


async def to_erase(session: AsyncSession, silent_since: datetime,
                   warned_before: datetime) -> list[User]:
    """Silent people who were warned long enough ago (a warning is never skipped)."""
    return list(await session.scalars(
        select(User).where(User.last_seen_at < silent_since,
                           User.retention_warned_at <= warned_before)
        .order_by(User.id).limit(BATCH)))


async def forget_answered_questions(session: AsyncSession, before: datetime) -> int:
    """Answered questions keep their dates and status; their words and the cards go."""
    ids = list(await session.scalars(select(Question.id).where(
        Question.answered_at < before, Question.text != "")))
    if not ids:
        return 0
    await session.execute(update(Question).where(Question.id.in_(ids))
                          .values(text="", answer=None, followups=[]))
    await session.execute(delete(Post).where(Post.ref.in_([f"q:{n}" for n in ids])))
    return len(ids)


async def forget_delivered_broadcasts(session: AsyncSession, before: datetime) -> int:
    """Per-person rows of broadcasts that finished long ago (the totals stay in the report)."""
    finished = select(Broadcast.id).where(Broadcast.finished_at < before)
    result = await session.execute(delete(Delivery).where(
        Delivery.broadcast_id.in_(finished), Delivery.state != "pending"))
    return int(getattr(result, "rowcount", 0) or 0)


async def forget_sent_notices(session: AsyncSession, before: datetime) -> int:
    """Stored copies of messages delivered long ago (nothing edits them any more), and of
    messages that ended unsent long ago (failed, blocked, interrupted, expired, cancelled)."""
    sent_long_ago = (Post.sent_at < before) & (Post.sent_revision == Post.revision)
    ended_long_ago = Post.state.not_in(("active", "sending")) & (Post.created_at < before)
    result = await session.execute(delete(Post).where(
        Post.kind == "text", Post.ref.is_(None), sent_long_ago | ended_long_ago))
    return int(getattr(result, "rowcount", 0) or 0)
