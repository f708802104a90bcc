"""Sends broadcasts at Telegram's pace: 29 messages a second at most, by construction.

The core hands out claimed rows; this loop spaces the sends evenly (1/29 s apart, so no
second ever holds more than 29, leaving room under Telegram's 30 for other traffic is the
job of AIORateLimiter in production), waits `retry_after` on 429 without losing the row,
and redraws the coordinators' reports every few seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import partial

from telegram import Bot

from bot.core.broadcasts.delivery import Outgoing
from bot.core.engine import Core
from bot.telegram.delivery import send
from bot.telegram.line import Line
from bot.telegram.loops import SenderLoop, attempt

log = logging.getLogger(__name__)
PACE = 29  # messages per second
REPORT_EVERY = 3.0  # seconds between edits of a report message
IDLE = 1.0  # seconds between looks for work when nothing is being sent


class BroadcastSender(SenderLoop):
    """One background task per process."""

    name = "broadcast-sender"

    def __init__(self, core: Core, bot: Bot, line: Line,
                 wake_outbox: Callable[[], None]) -> None:
        super().__init__()
        self.core, self.bot, self.line, self.wake_outbox = core, bot, line, wake_outbox
        self._next = 0.0
        self._reported = 0.0

    async def _run(self) -> None:
        while not self._stopping:
            try:
                sent = await self._one()
                await self._report(force=not sent)
            except Exception as exc:  # one bad round must not stop broadcasting
                log.error("broadcast round failed: %s", type(exc).__name__)
                sent = False
            if not sent and not self._stopping:
                await asyncio.sleep(IDLE)

    async def _one(self) -> bool:
        """Wait for the next slot, claim one row, send it. Claiming one at a time means a
        crash leaves at most the one message in flight undecided, not a whole batch."""
        if not self.line.up:
            return False  # Telegram is unreachable: the rows wait, their tries unspent
        loop = asyncio.get_running_loop()
        await asyncio.sleep(max(0.0, self._next - loop.time()))
        slot = max(self._next, loop.time())  # the schedule, not the work, sets the pace
        batch = await self.core.broadcast_batch(1)
        if not batch:
            return False
        self._next = slot + 1 / PACE
        await self._send(batch[0])
        return True

    async def _send(self, item: Outgoing) -> None:
        result = await attempt(send(self.bot, item.chat_id, item.reply), item.attempts)
        if result.reason == "429":  # Telegram's limit is for the whole bot: everyone waits
            log.warning("broadcast %s: 429, waiting %s", item.broadcast_id, result.wait)
            self._next = asyncio.get_running_loop().time() + result.wait.total_seconds()
        if result.reason == "network":
            self.line.failed()
        await self.core.db.retrying(partial(self.core.broadcast_result, item, result.outcome,
                                            result.wait, result.reason))

    async def _report(self, force: bool) -> None:
        """Redraw reports at most every REPORT_EVERY seconds (and when a round is empty)."""
        now = asyncio.get_running_loop().time()
        if not force and now - self._reported < REPORT_EVERY:
            return
        self._reported = now
        if await self.core.broadcast_reports():
            self.wake_outbox()
