"""APScheduler 3.11 as the alarm clock; the database tables are the truth.

Nothing is scheduled only in memory: interval jobs wake core functions that look for due
rows (each feature's timed work at its own interval, such as reminders falling due every
second; durable jobs such as Monday overviews and retention every 30 seconds; sends that
a dead instance left behind every half lease), so a
restart loses nothing (what fell due meanwhile is found on the first look) and no
APScheduler job store is needed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.core.engine import Core
from bot.telegram.tasks import wind_down

JOB_SECONDS = 30
STOP_WAIT = 5.0  # seconds a stop waits for the looks in flight
# A tick still running when the next second comes makes APScheduler skip that run and log
# a warning; with the tables as the truth that is expected, not a fault.
logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
log = logging.getLogger(__name__)


class Timer:
    """The scheduler and the looks it is running now, so a stop can let them finish."""

    def __init__(self, core: Core, wake: Callable[[], None]) -> None:
        self.core, self.wake = core, wake
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._running: set[asyncio.Task[Any]] = set()
        self._stopped = False

    def start(self) -> None:
        """Every look now and then at its interval."""
        now = datetime.now(UTC)
        options = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None,
                   "next_run_time": now}
        self.scheduler.add_job(self._jobs, "interval", seconds=JOB_SECONDS, id="jobs",
                               **options)
        # Another instance's abandoned sends are found within 1.5 leases of its death.
        lease = self.core.policy.send_lease.total_seconds()
        self.scheduler.add_job(self._claims, "interval", seconds=min(lease / 2, JOB_SECONDS),
                               id="claims", **options)
        for index, (_handler, seconds) in enumerate(self.core.router.ticks):
            self.scheduler.add_job(self._tick, "interval", args=[index], seconds=seconds,
                                   id=f"tick-{index}", **options)
        self.scheduler.start()

    async def stop(self) -> None:
        """No new looks; the ones running finish their transaction (the database closes
        after this, and a look cut off at loop shutdown could hang on its connection)."""
        self._stopped = True
        self.scheduler.shutdown(wait=False)
        await wind_down(set(self._running), STOP_WAIT)  # cut off: rolled back, run again

    async def _jobs(self) -> None:
        await self._look(self.core.run_due_jobs())

    async def _claims(self) -> None:
        await self._look(self.core.recover_claims())

    async def _tick(self, index: int) -> None:
        await self._look(self.core.tick(index))

    async def _look(self, work: Coroutine[Any, Any, object]) -> None:
        """Run one look, waking the sender if it queued messages.

        APScheduler creates a job's task before it runs: one that starts after the stop
        must not open a session on a database that is closing (the loop's shutdown would
        wait for it forever).
        """
        if self._stopped:
            work.close()
            return
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            if await work:
                self.wake()
        except Exception as exc:  # logged here: APScheduler would only say "job raised"
            log.error("timed work failed: %s", type(exc).__name__)
        finally:
            if task is not None:
                self._running.discard(task)
