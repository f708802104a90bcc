"""APScheduler 3.11 as the alarm clock; the `jobs` and `reminders` tables are the truth.

Nothing is scheduled only in memory: two interval jobs look for due rows (reminders every
second, other jobs every 30 seconds), so a restart loses nothing (what fell due meanwhile
is found on the first look) and no persistent APScheduler job store is needed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.core.engine import Core

TICK_SECONDS = 30
# A reminder tick that is still sending when the next second comes makes APScheduler skip
# that run and log a warning; with the table as the truth that is expected, not a fault.
logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
REMINDER_SECONDS = 1  # reminders are looked up every second: lateness stays under two


def start_timer(core: Core, after_run: Callable[[], None],
                reminders: Callable[[], Awaitable[None]]) -> AsyncIOScheduler:
    """Jobs now and every TICK_SECONDS (waking the outbox sender); reminders every second."""

    async def tick() -> None:
        if await core.run_due_jobs():
            after_run()

    scheduler = AsyncIOScheduler(timezone=UTC)
    now = datetime.now(UTC)
    scheduler.add_job(tick, "interval", seconds=TICK_SECONDS, id="jobs", coalesce=True,
                      max_instances=1, misfire_grace_time=None, next_run_time=now)
    scheduler.add_job(reminders, "interval", seconds=REMINDER_SECONDS, id="reminders",
                      coalesce=True, max_instances=1, misfire_grace_time=None, next_run_time=now)
    scheduler.start()
    return scheduler

