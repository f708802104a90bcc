"""Which reminders go out now, worded for their recipient; and what happened when sending.

Claiming marks a reminder `sending` in the same transaction that decides about it: a
reminder whose moment has passed (an appointment that has begun) becomes `missed`, a
non-urgent one in quiet hours waits until 08:00, one for a person who blocked the bot
becomes `failed`. After a crash, `sending` rows are marked `interrupted`, never resent:
a reminder may have reached the phone, and a second copy of "your appointment is in one
hour" is worse than a log line.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.ports import Reply
from bot.core.reminders import timing
from bot.core.router import Router
from bot.i18n import use_locale
from bot.storage import reminders as repo
from bot.storage.models import Reminder, User

log = logging.getLogger(__name__)
RETRY_LIMIT = 5


@dataclass(frozen=True)
class Due:
    """A claimed reminder, ready to send."""

    reminder_id: int
    chat_id: int
    reply: Reply
    attempts: int


async def claim(session: AsyncSession, router: Router, now: datetime, zone: ZoneInfo,
                limit: int) -> list[Due]:
    """Claim due reminders and decide, one by one, whether they still go out."""
    ready = []
    for reminder in await repo.claim_due(session, now, limit):
        user = await session.get(User, reminder.user_id)
        reply = await _decide(session, router, reminder, user, now=now, zone=zone)
        if reply is not None and user is not None:
            ready.append(Due(reminder.id, user.telegram_id, reply, reminder.attempts))
    return ready


async def _decide(session: AsyncSession, router: Router, reminder: Reminder, user: User | None,
                  *, now: datetime, zone: ZoneInfo) -> Reply | None:
    """Send, or record why not."""
    if user is None or user.blocked_at is not None:
        await repo.finish(session, reminder.id, "failed", now, "blocked")
        return None
    if reminder.useful_until is not None and now >= reminder.useful_until:
        await repo.finish(session, reminder.id, "missed", now, "too late")
        log.info("reminder %s missed: due %s, useful until %s", reminder.id,
                 reminder.due_at.isoformat(), reminder.useful_until.isoformat())
        return None
    quiet_end = timing.outside_quiet_hours(now, zone)
    if not reminder.urgent and quiet_end != now:
        await repo.retry(session, reminder.id, quiet_end)
        return None
    renderer = router.reminder_texts.get(reminder.kind)
    with use_locale(user.locale or "nl"):
        reply = await renderer(session, reminder, user, zone) if renderer else None
    if reply is None:
        await repo.finish(session, reminder.id, "cancelled", now, "no longer needed")
    return reply


async def sent(session: AsyncSession, reminder_id: int, now: datetime) -> None:
    """Telegram has it."""
    await repo.finish(session, reminder_id, "sent", now)


async def blocked(session: AsyncSession, due: Due, now: datetime) -> None:
    """403: the person blocked the bot; stop until they come back."""
    await repo.finish(session, due.reminder_id, "failed", now, "blocked")
    reminder = await repo.get(session, due.reminder_id)
    user = await session.get(User, reminder.user_id) if reminder else None
    if user is not None:
        user.blocked_at = now
    log.warning("reminder %s: recipient blocked the bot", due.reminder_id)


async def later(session: AsyncSession, due: Due, now: datetime, wait: timedelta) -> None:
    """429 or a network error: try again after `wait`; give up after RETRY_LIMIT tries."""
    if due.attempts >= RETRY_LIMIT:
        await repo.finish(session, due.reminder_id, "failed", now, "network")
        log.error("reminder %s failed after %s attempts", due.reminder_id, due.attempts)
        return
    await repo.retry(session, due.reminder_id, now + wait)


async def failed(session: AsyncSession, due: Due, now: datetime, reason: str) -> None:
    """Telegram refused this message for good (400): log it, do not retry."""
    await repo.finish(session, due.reminder_id, "failed", now, reason[:40])
    log.error("reminder %s failed: %s", due.reminder_id, reason)


async def recover(session: AsyncSession, now: datetime, zone: ZoneInfo) -> None:
    """At startup: sends cut off by a crash are not repeated."""
    count = await repo.interrupted(session)
    if count:
        log.warning("%s reminders were being sent when the process stopped; not resent", count)
