"""APScheduler 3.11 as the alarm clock for durable jobs; the `jobs` table is the truth.

Nothing is scheduled only in memory: one interval job looks for due rows, so a restart
loses nothing (missed runs are simply found on the next look) and needs no job store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.core.engine import Core

TICK_SECONDS = 30


def start_timer(core: Core, after_run: Callable[[], None]) -> AsyncIOScheduler:
    """Look for due jobs now and every TICK_SECONDS; wake the sender when some ran."""

    async def tick() -> None:
        if await core.run_due_jobs():
            after_run()

    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(tick, "interval", seconds=TICK_SECONDS, id="jobs", coalesce=True,
                      max_instances=1, misfire_grace_time=None, next_run_time=datetime.now(UTC))
    scheduler.start()
    return scheduler

