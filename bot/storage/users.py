"""Repository functions for the User aggregate."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import User, utcnow


async def get_or_create(session: AsyncSession, telegram_id: int) -> tuple[User, bool]:
    """The user for this chat id; the flag says whether they are new."""
    user = await get_by_telegram_id(session, telegram_id)
    if user is not None:
        user.last_seen_at = utcnow()
        return user, False
    user = User(telegram_id=telegram_id, state="onboarding:language")
    session.add(user)
    await session.flush()
    return user, True


async def get_by_telegram_id(session: AsyncSession, telegram_id: int) -> User | None:
    """Look a user up without creating one (for jobs and silent paths)."""
    result = await session.execute(select(User).where(User.telegram_id == telegram_id))
    return result.scalar_one_or_none()


async def erase(session: AsyncSession, user: User) -> None:
    """Delete everything stored about a user (today: the users row itself)."""
    await session.delete(user)
