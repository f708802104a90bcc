"""What the adapter's background senders share: a task that stops between two sends, and
one reading of what Telegram answered."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import timedelta

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

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


@dataclass(frozen=True)
class Attempt:
    """How one send went: sent, later (429, network; after `wait`), blocked (403), failed."""

    outcome: str
    wait: timedelta = timedelta()
    reason: str = ""


async def attempt(sending: Awaitable[object], tries: int) -> Attempt:
    """Send, and sort Telegram's answer (BadRequest is a NetworkError: it is caught first)."""
    try:
        await sending
    except RetryAfter as error:
        return Attempt("later", timedelta(seconds=retry_seconds(error)), "429")
    except Forbidden:
        return Attempt("blocked")
    except BadRequest as error:
        return Attempt("failed", reason=error.message)
    except (TimedOut, NetworkError):
        return Attempt("later", timedelta(seconds=2 ** tries), "network")
    return Attempt("sent")
