"""Repository functions for the User aggregate."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import User, utcnow


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


async def get_by_telegram_id(session: AsyncSession, telegram_id: int) -> User | None:
    """Look a user up without creating one (for jobs and silent paths)."""
    result = await session.execute(select(User).where(User.telegram_id == telegram_id))
    return result.scalar_one_or_none()


async def erase(session: AsyncSession, user: User) -> None:
    """Delete everything stored about a user (today: the users row itself)."""
    await session.delete(user)
