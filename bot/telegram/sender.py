"""Delivers the outbox: task boards and notices for chats other than the one being answered.

It wakes when a turn queued something, and once a second anyway (a group chat's budget may
have freed up). The core decides what may go now; this module only talks to Telegram and
reports back. A crash between Telegram's answer and our record can repeat one post; it
cannot lose one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from functools import partial

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.core.engine import Core
from bot.core.groups.feed import OutboxMessage
from bot.telegram.delivery import markup
from bot.telegram.line import Line
from bot.telegram.loops import SenderLoop, retry_seconds

log = logging.getLogger(__name__)
IDLE = 1.0  # seconds between looks at the outbox when nobody wakes the sender
GIVE_UP_AFTER = 5  # network failures in a row before a post is abandoned


class OutboxSender(SenderLoop):
    """One background task per process."""

    name = "outbox-sender"

    def __init__(self, core: Core, bot: Bot, line: Line) -> None:
        super().__init__()
        self.core, self.bot, self.line = core, bot, line
        self._wake = asyncio.Event()
        self._failures: dict[int, int] = {}

    def wake(self) -> None:
        """Something was queued: look now instead of at the next tick."""
        self._wake.set()

    def _interrupt(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self.flush()
            except Exception as exc:  # keep delivering whatever one post did
                log.error("outbox round failed: %s", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), IDLE)
            self._wake.clear()

    async def flush(self) -> int:
        """Send what may go now; returns how many posts were delivered."""
        sent = 0
        if not self.line.up:
            return sent  # Telegram is unreachable: the posts wait, their tries unspent
        for delivery in await self.core.deliveries():
            if self._stopping:
                break
            try:
                message_id = await self._send(delivery)
            except RetryAfter as exc:
                await asyncio.sleep(retry_seconds(exc))
                return sent  # Telegram asked us to wait: nothing is lost, the post stays due
            except (Forbidden, BadRequest) as exc:
                log.warning("post %s refused: %s", delivery.post_id, type(exc).__name__)
                await self.core.db.retrying(partial(self.core.undelivered, delivery, True))
                continue
            except (TimedOut, NetworkError):
                await self._network_failure(delivery)
                return sent
            self._failures.pop(delivery.post_id, None)
            # A lock must not leave a post that Telegram has unrecorded: it would go twice.
            await self.core.db.retrying(partial(self.core.delivered, delivery, message_id))
            sent += 1
        return sent

    async def _network_failure(self, delivery: OutboxMessage) -> None:
        """Back off, and give up on a post only after several failures in a row."""
        count = self._failures.get(delivery.post_id, 0) + 1
        self._failures[delivery.post_id] = count
        self.line.failed()
        await self.core.db.retrying(partial(self.core.undelivered, delivery,
                                            count >= GIVE_UP_AFTER))
        await asyncio.sleep(min(2 ** count, 30))

    async def _send(self, delivery: OutboxMessage) -> int:
        """A new message, or an edit of the board message it redraws."""
        reply = delivery.reply
        if delivery.message_id is not None:
            try:
                await self.bot.edit_message_text(
                    reply.text, chat_id=delivery.chat_id, message_id=delivery.message_id,
                    parse_mode=ParseMode.HTML, reply_markup=markup(reply.keyboard),
                    disable_web_page_preview=True)
            except BadRequest as exc:
                if "not modified" not in exc.message.lower():
                    raise
            return delivery.message_id
        message = await self.bot.send_message(
            delivery.chat_id, reply.text, parse_mode=ParseMode.HTML,
            reply_markup=markup(reply.keyboard), disable_web_page_preview=True)
        return message.message_id

