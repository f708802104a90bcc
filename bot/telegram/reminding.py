"""Sends due reminders: APScheduler wakes this every second; the `reminders` table decides.

Nothing is scheduled in memory, so there is nothing to lose on restart: a reminder that
fell due while the bot was down is found on the first tick (and sent late, or marked
missed, by the core). 429 → wait `retry_after` and try again; 403 → the person blocked
us: failed, and no more reminders until they write again; network errors → back off.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial

from telegram import Bot

from bot.core.engine import Core
from bot.core.reminders.delivery import Due
from bot.telegram.delivery import send
from bot.telegram.line import Line
from bot.telegram.loops import attempt

log = logging.getLogger(__name__)
PARALLEL = 8  # sends in flight at once; each worker claims one reminder right before sending


class ReminderSender:
    """The tick's work: claim, send, report."""

    def __init__(self, core: Core, bot: Bot, line: Line) -> None:
        self.core, self.bot, self.line = core, bot, line
        self._stopping = False
        self._idle = asyncio.Event()
        self._idle.set()

    async def tick(self) -> None:
        """Send everything that is due. Claiming one at a time, right before its send,
        means a crash leaves at most the PARALLEL messages in flight undecided."""
        self._idle.clear()
        try:
            first = await self._claim()
            if first is not None:  # only then more workers: an idle second costs one claim
                await asyncio.gather(self._worker(first),
                                     *(self._worker() for _ in range(PARALLEL - 1)))
        finally:
            self._idle.set()

    async def stop(self) -> None:
        """Let the sends in flight finish and record their result; claim nothing more."""
        self._stopping = True
        await self._idle.wait()

    async def _worker(self, first: Due | None = None) -> None:
        """Send `first` if given, then claim and send until nothing more is due."""
        if first is not None:
            await self._deliver(first)
        while (due := await self._claim()) is not None:
            await self._deliver(due)

    async def _claim(self) -> Due | None:
        """The next due reminder, unless stopping or Telegram is out of reach."""
        if self._stopping or not self.line.up:
            return None
        due = await self.core.due_reminders(1)
        return due[0] if due else None

    async def _deliver(self, due: Due) -> None:
        result = await attempt(send(self.bot, due.chat_id, due.reply), due.attempts)
        if result.outcome == "later":
            log.warning("reminder %s: %s, retry in %ss (attempt %s)", due.reminder_id,
                        result.reason, result.wait.total_seconds(), due.attempts)
        if result.reason == "network":
            self.line.failed()
        # Recorded even through a lock: a claimed reminder left `sending` is never resent.
        await self.core.db.retrying(partial(self.core.reminder_result, due, result.outcome,
                                            result.wait, result.reason))
