"""Sends due reminders: APScheduler wakes this every second; the `reminders` table decides.

Nothing is scheduled in memory, so there is nothing to lose on restart: a reminder that
fell due while the bot was down is found on the first tick (and sent late, or marked
missed, by the core). 429 → wait `retry_after` and try again; 403 → the person blocked
us: failed, and no more reminders until they write again; network errors → back off.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot

from bot.core.engine import Core
from bot.core.reminders.delivery import Due
from bot.telegram.delivery import send
from bot.telegram.loops import attempt

log = logging.getLogger(__name__)
PARALLEL = 8  # sends in flight at once; each worker claims one reminder right before sending


class ReminderSender:
    """The tick's work: claim, send, report."""

    def __init__(self, core: Core, bot: Bot) -> None:
        self.core, self.bot = core, bot
        self._stopping = False
        self._idle = asyncio.Event()
        self._idle.set()

    async def tick(self) -> None:
        """Send everything that is due. Claiming one at a time, right before its send,
        means a crash leaves at most the PARALLEL messages in flight undecided."""
        self._idle.clear()
        try:
            await asyncio.gather(*(self._worker() for _ in range(PARALLEL)))
        finally:
            self._idle.set()

    async def stop(self) -> None:
        """Let the sends in flight finish and record their result; claim nothing more."""
        self._stopping = True
        await self._idle.wait()

    async def _worker(self) -> None:
        while not self._stopping and (due := await self.core.due_reminders(1)):
            await self._deliver(due[0])

    async def _deliver(self, due: Due) -> None:
        result = await attempt(send(self.bot, due.chat_id, due.reply), due.attempts)
        if result.outcome == "later":
            log.warning("reminder %s: %s, retry in %ss (attempt %s)", due.reminder_id,
                        result.reason, result.wait.total_seconds(), due.attempts)
        await self.core.reminder_result(due, result.outcome, result.wait, result.reason)
