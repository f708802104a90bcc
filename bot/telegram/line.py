"""Whether Telegram answers at all, so that an outage does not use up every message's retries.

When a background send fails on the network (connection refused or dropped, a 5xx), the
line is marked down and one cheap call (getMe) probes it with a growing pause; meanwhile
the outbox, reminder and broadcast senders claim nothing new. The message that failed
is retried as usual once the line is up: an outage of any length costs it one try.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Bot
from telegram.error import BadRequest, NetworkError, TelegramError

log = logging.getLogger(__name__)
FIRST_PROBE = 0.5  # seconds after a failure before the first probe
GROWTH = 1.5  # each further pause is this much longer (as PTB's polling backs off) …
LAST_PROBE = 30.0  # … up to this


class Line:
    """Up until a send fails on the network; down until a probe gets an answer."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.outages = 0  # how often the line went down (for logs and tests)
        self._up = asyncio.Event()
        self._up.set()
        self._prober: asyncio.Task[None] | None = None

    @property
    def up(self) -> bool:
        """Whether senders may go ahead."""
        return self._up.is_set()

    def failed(self) -> None:
        """A send failed on the network: hold the senders until a probe gets through."""
        if not self.up:
            return
        self._up.clear()
        self.outages += 1
        log.warning("Telegram unreachable; background sends wait", extra={"count": self.outages})
        self._prober = asyncio.create_task(self._probe(), name="telegram-line-probe")

    async def close(self) -> None:
        """Stop probing (at shutdown)."""
        if self._prober is not None:
            self._prober.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._prober

    async def _probe(self) -> None:
        pause = FIRST_PROBE
        while not await _answers(self.bot, pause):
            pause = min(pause * GROWTH, LAST_PROBE)
        log.info("Telegram reachable again", extra={"count": self.outages})
        self._up.set()


async def _answers(bot: Bot, after: float) -> bool:
    """After a pause, whether Telegram gives any answer at all (an error answer counts)."""
    await asyncio.sleep(after)
    try:
        await bot.get_me()
    except NetworkError as error:  # refused, dropped, timed out or a 5xx: still down
        return isinstance(error, BadRequest)  # (a 400 is an answer)
    except TelegramError:  # 401, 403, 429…: the line works, whatever it says
        return True
    return True
