"""Repository functions for the dashboard's login links, sessions and failed logins.

Only SHA-256 hashes of links and cookies are stored: a leaked database opens no session.
A login link is used with one conditional UPDATE, so of two tabs opening it at once
exactly one logs in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import DashboardAttempt, DashboardLogin, DashboardSession


async def add_login(session: AsyncSession, user_id: int, token_hash: str, now: datetime,
                    lifetime: timedelta) -> None:
    """A new one-time link (older unused links of the person stay valid until they expire)."""
    session.add(DashboardLogin(token_hash=token_hash, user_id=user_id, created_at=now,
                               expires_at=now + lifetime))
    await session.flush()


async def use_login(session: AsyncSession, token_hash: str, now: datetime) -> int | None:
    """The person a valid link logs in, marking it used; None if unknown, used or expired."""
    result = await session.execute(
        update(DashboardLogin).where(DashboardLogin.token_hash == token_hash,
                                     DashboardLogin.used_at.is_(None),
                                     DashboardLogin.expires_at > now)
        .values(used_at=now).returning(DashboardLogin.user_id))
    return result.scalar()


async def login_valid(session: AsyncSession, token_hash: str, now: datetime) -> bool:
    """Whether a link would still log someone in (shown before the press that uses it)."""
    found = await session.scalar(select(DashboardLogin.id).where(
        DashboardLogin.token_hash == token_hash, DashboardLogin.used_at.is_(None),
        DashboardLogin.expires_at > now))
    return found is not None


async def add_session(session: AsyncSession, user_id: int, token_hash: str, language: str, *,
                      now: datetime, lifetime: timedelta) -> None:
    """A browser logged in until `now + lifetime`."""
    session.add(DashboardSession(token_hash=token_hash, user_id=user_id, language=language,
                                 created_at=now, expires_at=now + lifetime))
    await session.flush()


async def live_session(session: AsyncSession, token_hash: str,
                       now: datetime) -> DashboardSession | None:
    """The session behind a cookie, if it has not expired."""
    return (await session.scalars(select(DashboardSession).where(
        DashboardSession.token_hash == token_hash, DashboardSession.expires_at > now))).first()


async def end_session(session: AsyncSession, token_hash: str) -> None:
    """Log out: the cookie opens nothing any more."""
    await session.execute(delete(DashboardSession).where(
        DashboardSession.token_hash == token_hash))


async def forget_expired(session: AsyncSession, now: datetime) -> None:
    """Expired sessions and links leave nothing behind."""
    await session.execute(delete(DashboardSession).where(DashboardSession.expires_at <= now))
    await session.execute(delete(DashboardLogin).where(DashboardLogin.expires_at <= now))


async def failures(session: AsyncSession, source: str, now: datetime,
                   window: timedelta) -> int:
    """Failed logins from one source in the current window."""
    attempt = await session.get(DashboardAttempt, source)
    if attempt is None or attempt.window_start + window <= now:
        return 0
    return attempt.count


async def record_failure(session: AsyncSession, source: str, now: datetime,
                         window: timedelta) -> None:
    """Count a failed login towards the source's slow-down."""
    attempt = await session.get(DashboardAttempt, source)
    if attempt is None:
        session.add(DashboardAttempt(source=source, window_start=now, count=1))
    elif attempt.window_start + window <= now:
        attempt.window_start, attempt.count = now, 1
    else:
        attempt.count += 1
    await session.flush()
    await session.execute(delete(DashboardAttempt).where(
        DashboardAttempt.window_start <= now - window))


async def set_language(session: AsyncSession, token_hash: str, language: str) -> None:
    """The language the session's pages are shown in."""
    await session.execute(update(DashboardSession).where(
        DashboardSession.token_hash == token_hash).values(language=language))
