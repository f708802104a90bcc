"""Repository functions for questions handed to a person."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Post, Question

ACTIVE = ("open", "taken", "answered")


async def draft(session: AsyncSession, user_id: int, text: str, language: str, *,
                urgent: bool = False, theme: str | None = None) -> Question:
    """Keep a question the bot could not answer, in case the person asks for a human.

    One draft per person: a newer unknown question replaces the older draft.
    """
    await session.execute(delete(Question).where(Question.user_id == user_id,
                                                  Question.status == "draft"))
    question = Question(user_id=user_id, text=text, language=language, status="draft",
                        followups=[], urgent=urgent, theme=theme)
    session.add(question)
    await session.flush()
    return question


async def mark_urgent(session: AsyncSession, user_id: int) -> None:
    """The person's kept question turned out to be said in danger."""
    await session.execute(update(Question).where(Question.user_id == user_id,
                                                  Question.status == "draft")
                          .values(urgent=True))


async def latest_draft(session: AsyncSession, user_id: int) -> Question | None:
    """The person's kept, not yet sent question."""
    return (await session.scalars(select(Question).where(
        Question.user_id == user_id, Question.status == "draft"))).first()


async def get(session: AsyncSession, question_id: int) -> Question | None:
    """One question, fresh from the database."""
    return (await session.scalars(select(Question).where(Question.id == question_id)
                                  .execution_options(populate_existing=True))).first()


async def active_of(session: AsyncSession, user_id: int) -> Question | None:
    """The person's question that is with a person now (open, taken or answered)."""
    return (await session.scalars(
        select(Question).where(Question.user_id == user_id, Question.status.in_(("open",
                                                                                  "taken")))
        .order_by(Question.id.desc()).limit(1))).first()


async def take(session: AsyncSession, question_id: int, helper_id: int) -> bool:
    """Claim a question to answer it; of two helpers at once, exactly one succeeds."""
    result = await session.execute(
        update(Question).where(Question.id == question_id, Question.status == "open")
        .values(status="taken", helper_id=helper_id).returning(Question.id))
    return result.scalar() is not None


async def answer(session: AsyncSession, question_id: int, helper_id: int, text: str,
                 now: datetime) -> bool:
    """Store the answer of the helper who took the question (or of anyone, if it was open)."""
    result = await session.execute(
        update(Question).where(
            Question.id == question_id,
            (Question.status == "open") | ((Question.status == "taken")
                                           & (Question.helper_id == helper_id)))
        .values(status="answered", helper_id=helper_id, answer=text, answered_at=now)
        .returning(Question.id))
    return result.scalar() is not None


async def open_for(session: AsyncSession, route: str, group_ids: Sequence[int],
                   organisation_ids: Sequence[int]) -> list[Question]:
    """Unanswered questions a helper can see, oldest first."""
    query = select(Question).where(Question.status.in_(("open", "taken"))).order_by(Question.id)
    rows = await session.scalars(query)
    return [q for q in rows if route == "admin" or q.group_id in group_ids
            or (q.route == "coordinators" and q.organisation_id in organisation_ids)]


async def by_message(session: AsyncSession, chat_id: int, message_id: int) -> int | None:
    """The question a bot message was about (for answers given as a Telegram reply)."""
    ref = await session.scalar(select(Post.ref).where(Post.chat_id == chat_id,
                                                      Post.message_id == message_id))
    kind, _, number = (ref or "").partition(":")
    return int(number) if kind == "q" and number.isdigit() else None
