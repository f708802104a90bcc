"""APScheduler 3.11 as the alarm clock; the database tables are the truth.

Nothing is scheduled only in memory: interval jobs wake core functions that look for due
rows (each feature's timed work at its own interval, such as reminders falling due every
second; durable jobs such as Monday overviews and retention every 30 seconds), so a
restart loses nothing (what fell due meanwhile is found on the first look) and no
APScheduler job store is needed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.core.engine import Core

JOB_SECONDS = 30
# A tick still running when the next second comes makes APScheduler skip that run and log
# a warning; with the tables as the truth that is expected, not a fault.
logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
log = logging.getLogger(__name__)


def start_timer(core: Core, wake: Callable[[], None]) -> AsyncIOScheduler:
    """Every look now and then at its interval; the sender wakes when one queued work."""

    async def jobs() -> None:
        if await core.run_due_jobs():
            wake()

    async def tick(index: int) -> None:
        try:
            if await core.tick(index):
                wake()
        except Exception as exc:  # logged here: APScheduler would only say "job raised"
            log.error("timed work failed: %s", type(exc).__name__)

    scheduler = AsyncIOScheduler(timezone=UTC)
    now = datetime.now(UTC)
    options = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None,
               "next_run_time": now}
    scheduler.add_job(jobs, "interval", seconds=JOB_SECONDS, id="jobs", **options)
    for index, (_handler, seconds) in enumerate(core.router.ticks):
        scheduler.add_job(tick, "interval", args=[index], seconds=seconds, id=f"tick-{index}",
                          **options)
    scheduler.start()
    return scheduler
