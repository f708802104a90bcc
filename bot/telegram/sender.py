"""The one background sender: claims rows of the outbound queue, paces them, reports back.

It wakes when a turn or the timer queued something, and once a second anyway (a group
chat's budget may have freed up, a retry's pause may be over). The core decides what may
go now and in which order (lanes); this module only talks to Telegram. Rows for all free
slots are claimed in one transaction. Up to PARALLEL sends are in flight, never two to one
chat in any instance (they could overtake each other: the claim skips chats with a row
`sending` in the database), so a crash leaves at most PARALLEL rows undecided.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import timedelta
from functools import partial

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.core.engine import Core
from bot.core.outbox import Lane, Outgoing, Result
from bot.telegram.delivery import left, markup, retry_seconds, send
from bot.telegram.line import Line
from bot.telegram.pacing import Pacer
from bot.telegram.tasks import take_free, wind_down

log = logging.getLogger(__name__)
IDLE = 1.0  # seconds between looks at the queue when nobody wakes the sender
PARALLEL = 8  # sends in flight at once (30 ms round trips: 30 a second needs a few)
BATCH = 4  # rows claimed in one transaction: fewer round trips, few rows ahead of replies
STOP_WAIT = 5.0  # seconds a stop waits for the sends in flight before cancelling them
TIMED_OUT = "timed out mid-send"  # the reason of a row that may have arrived


class Sender:
    """One background task per process, and one task per send in flight."""

    def __init__(self, core: Core, bot: Bot, line: Line, pacer: Pacer) -> None:
        self.core, self.bot, self.line, self.pacer = core, bot, line, pacer
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(PARALLEL)
        self._busy: set[int] = set()  # chats with a send in flight
        self._sends: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        """Begin in the background."""
        self._task = asyncio.create_task(self._run(), name="outbound-sender")

    def wake(self) -> None:
        """Something was queued: look now instead of at the next tick."""
        self._wake.set()

    async def stop(self) -> None:
        """Claim nothing more; let the sends in flight finish and record their result."""
        self._stopping = True
        self._wake.set()
        await wind_down([task for task in (self._task, *self._sends) if task is not None],
                        STOP_WAIT)

    async def _run(self) -> None:
        while not self._stopping:
            free = await take_free(self._slots)
            items, held_back = await self._next(free)
            for _unused in range(free - len(items)):
                self._slots.release()
            for item in items:
                self._busy.add(item.chat_id)
                task = asyncio.create_task(self._deliver(item), name=f"send-{item.post_id}")
                self._sends.add(task)
                task.add_done_callback(self._sends.discard)
            if not items:
                await self._idle(held_back)

    async def _next(self, free: int) -> tuple[list[Outgoing], bool]:
        """Rows for the free slots, once a send could go now (none while the line is down);
        and whether later lanes were held back for waiting replies."""
        if self._stopping or not self.line.up:
            return [], False
        last_lane = await self.pacer.ready()
        try:
            items = await self.core.claim(frozenset(self._busy), last_lane=last_lane,
                                          limit=min(free, BATCH))
        except Exception as exc:  # a failed claim is retried at the next look
            log.error("outbound claim failed: %s", type(exc).__name__)
            return [], False
        return items, last_lane < max(Lane)

    async def _idle(self, held_back: bool) -> None:
        """Until something is queued or a send ended (or IDLE seconds have passed); if later
        lanes were held back for waiting replies, also until no reply waits any more."""
        waits: list[asyncio.Future[object]] = [asyncio.ensure_future(self._wake.wait())]
        if held_back:
            waits.append(asyncio.ensure_future(self.pacer.replies_gone()))
        try:
            await asyncio.wait(waits, timeout=IDLE, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
        self._wake.clear()

    async def _deliver(self, item: Outgoing) -> None:
        """Pace, send, record; the chat is free again afterwards."""
        try:
            await self.pacer.queued(item.chat_id)
            result = await outcome(self._send(item), item.attempts,
                                   edit=item.message_id is not None)
            if result.reason == "429":
                self.pacer.pause(result.after.total_seconds(), item.chat_id)
            elif result.reason in ("network", TIMED_OUT):
                self.line.failed()
            # Recorded even through a lock: a row Telegram has, left unrecorded, would repeat.
            await self.core.db.retrying(partial(self.core.report, item, result))
        except Exception as exc:  # one bad send must not stop the others
            log.error("outbound %s: %s", item.post_id, type(exc).__name__)
        finally:
            self._busy.discard(item.chat_id)
            self._slots.release()
            self._wake.set()  # a row for this chat may be waiting

    async def _send(self, item: Outgoing) -> int:
        """A new message, or an edit of the message it redraws; its Telegram message id."""
        reply = item.reply
        if item.message_id is None:
            return (await send(self.bot, item.chat_id, reply)).message_id
        try:
            await self.bot.edit_message_text(
                reply.text, chat_id=item.chat_id, message_id=item.message_id,
                parse_mode=ParseMode.HTML, reply_markup=markup(reply.keyboard),
                disable_web_page_preview=True)
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise
        return item.message_id


async def outcome(sending: Awaitable[int], attempts: int, *, edit: bool = False) -> Result:
    """Telegram's answer in the core's words (BadRequest is a NetworkError: caught first).

    A new message whose request left but got no answer in time may have arrived: it is
    `interrupted`, never sent again. An edit is idempotent, so it is simply retried.
    """
    try:
        message_id = await sending
    except RetryAfter as error:
        return Result.retry(timedelta(seconds=retry_seconds(error)), "429")
    except Forbidden:
        return Result.blocked()
    except BadRequest as error:
        return Result.failed(error.message)
    except NetworkError as error:  # TimedOut among them
        if isinstance(error, TimedOut) and not edit and left(error):
            return Result.interrupted(TIMED_OUT)
        return Result.retry(timedelta(seconds=2 ** attempts), "network")
    return Result.sent(message_id)

