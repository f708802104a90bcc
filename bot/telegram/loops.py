"""What the adapter's background senders share: a task that stops between two sends, and
how long Telegram asked us to wait."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from telegram.error import RetryAfter

STOP_WAIT = 5.0  # seconds a stop waits for the send in flight before cancelling


class SenderLoop:
    """A background task with a graceful stop: the send in flight finishes and is recorded."""

    name = "sender"

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        """Begin in the background."""
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Ask the loop to end after its current send; cancel it only if that takes long."""
        self._stopping = True
        self._interrupt()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), STOP_WAIT)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _interrupt(self) -> None:
        """Cut an idle wait short (a loop that sleeps on an event sets it here)."""

    async def _run(self) -> None:
        raise NotImplementedError


def retry_seconds(error: RetryAfter) -> float:
    """PTB gives retry_after as a timedelta (PTB_TIMEDELTA) or as seconds."""
    wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
