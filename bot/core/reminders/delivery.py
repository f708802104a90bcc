"""Which reminders go out now, worded for their recipient; and how their sending ended.

Every second the timer asks `release` for reminders that have fallen due. Each is taken
(scheduled → queued, one conditional UPDATE) in the same transaction that decides about
it: a reminder whose moment has passed (an appointment that has begun) becomes `missed`,
a non-urgent one in quiet hours waits until 08:00, one for a person who blocked the bot
becomes `failed`; the others are worded in the person's language and put in the one
outbound queue (bot.core.outbox), in the reminder lane, expiring when they stop being
useful. The queue tells `ended` how each one went.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.outbox import Lane
from bot.core.ports import Reply
from bot.core.reminders import timing
from bot.core.router import Router
from bot.i18n import FALLBACK_LANGUAGE, use_locale
from bot.storage import outbox
from bot.storage import reminders as repo
from bot.storage.models import Reminder, User

log = logging.getLogger(__name__)
SOURCE = "reminder"  # how the outbox names what it reports back to this module
BATCH = 200  # reminders released per second at most; the rest follow a second later
# How an outbox row's end is recorded on its reminder.
ENDINGS = {"sent": "sent", "blocked": "failed", "failed": "failed",
           "interrupted": "interrupted", "expired": "missed"}


async def release(session: AsyncSession, now: datetime, zone: ZoneInfo, *,
                  router: Router) -> bool:
    """Queue the reminders that go out now; True if any did."""
    queued = False
    for reminder in await repo.claim_due(session, now, BATCH):
        user = await session.get(User, reminder.user_id)
        reply = await _decide(session, router, reminder, user, now=now, zone=zone)
        if reply is not None and user is not None:
            rows = [[(b.label, b.data) for b in row] for row in reply.keyboard]
            await outbox.queue_text(session, user.telegram_id, reply.text, rows,
                                    lane=Lane.REMINDER, user_id=user.id, source=SOURCE,
                                    source_id=reminder.id, expires_at=reminder.useful_until)
            queued = True
    return queued


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
    with use_locale(user.locale or FALLBACK_LANGUAGE):
        reply = await renderer(session, reminder, user, zone) if renderer else None
    if reply is None:
        await repo.finish(session, reminder.id, "cancelled", now, "no longer needed")
    return reply


async def ended(session: AsyncSession, reminder_id: int, state: str, reason: str,
                now: datetime) -> None:
    """The outbox is done with a reminder: sent, or why not."""
    await repo.finish(session, reminder_id, ENDINGS[state], now, None if state == "sent"
                      else reason[:40])
    if state == "expired":
        log.info("reminder %s missed: it waited until it was no longer useful", reminder_id)
