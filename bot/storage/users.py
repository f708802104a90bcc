"""Repository functions for the User aggregate."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Post, User, utcnow


async def get_or_create(session: AsyncSession, telegram_id: int) -> User:
    """The user for this chat id, marked as seen now (created on first contact).

    Fetching and touching in one UPDATE … RETURNING is one round trip instead of two,
    and it takes the write lock at once, so a turn never has to upgrade a read lock.
    """
    touch = (
        update(User).where(User.telegram_id == telegram_id).values(last_seen_at=utcnow())
        .returning(User)
    )
    found: User | None = (await session.execute(select(User).from_statement(touch))).scalar()
    if found is not None:
        return found
    user = User(telegram_id=telegram_id, state="onboarding:language")
    session.add(user)
    await session.flush()
    return user


def remember_name(user: User, first_name: str) -> None:
    """Task cards show first names; Telegram is the source, so follow its changes."""
    name = first_name.strip()[:64]
    if name and user.first_name != name:
        user.first_name = name


async def get_by_telegram_id(session: AsyncSession, telegram_id: int) -> User | None:
    """Look a user up without creating one (for jobs and silent paths)."""
    result = await session.execute(select(User).where(User.telegram_id == telegram_id))
    return result.scalar_one_or_none()


async def erase(session: AsyncSession, user: User) -> None:
    """Delete everything stored about a user.

    The database cascades to their memberships, coordinator roles, task assignments, drafts
    and progress; tasks and comments they wrote stay for the group, without their name.
    Messages still waiting for their chat are dropped.
    """
    await session.execute(delete(Post).where(Post.chat_id == user.telegram_id))
    await session.delete(user)
