"""Telegram's sending limits in one place, for direct replies and the outbound queue alike.

Telegram lets a bot send about 30 messages a second in total, about one a second to one
private chat (short bursts are fine) and 20 a minute to one group chat (counted in the
database by the core, since it holds across processes). New messages from this process
are spaced at least 1/28 s apart (aiolimiter with room for one): a little under 30, so
the jitter of the network does not bunch 31 into one second at Telegram. A direct reply
and a message of the first two lanes (a kept reply, an urgent notice, a reminder) take the
next free slots in turn; notices and broadcasts are only claimed while no reply waits:
while people are answered, a running broadcast slows down instead of making them wait,
and reminders stay on time.
"""

from __future__ import annotations

import asyncio
import time

from aiolimiter import AsyncLimiter

from bot.core.outbox import Lane

PER_SECOND = 28  # new messages per second for the whole bot (Telegram allows about 30)
CHAT_BURST, CHAT_PERIOD = 3, 3.0  # a private chat: a burst of three, then one a second
CHAT_LIMITERS = 10_000  # idle per-chat limiters are forgotten beyond this many
FIRST = Lane.REMINDER  # lanes up to this one take their turn with direct replies


class Pacer:
    """Hands out sending slots; replies first, then the outbound queue."""

    def __init__(self, per_second: float = PER_SECOND) -> None:
        self.gap = 1 / per_second
        self._overall = AsyncLimiter(1, self.gap)
        self._chats: dict[int, AsyncLimiter] = {}
        self._replies_waiting = 0
        self._paused: dict[int, float] = {}  # chat → monotonic end of its 429 pause

    async def reply(self) -> None:
        """A slot for a direct reply: the next free one, before any queued message."""
        self._replies_waiting += 1
        try:
            await self._overall.acquire()
        finally:
            self._replies_waiting -= 1

    async def ready(self) -> int:
        """The last lane worth claiming now: while replies wait, only the first lanes (they
        queue with the replies); otherwise any, once a message could go at once."""
        while not self._replies_waiting and not self._overall.has_capacity():
            await asyncio.sleep(self.gap)
        return FIRST if self._replies_waiting else max(Lane)

    async def queued(self, chat_id: int) -> None:
        """A slot for a claimed message to `chat_id`, in turn with the replies (which row
        may be claimed at all is decided by `ready`)."""
        while (left := self._pause_left(chat_id)) > 0:
            await asyncio.sleep(left)
        if chat_id > 0:
            await self._chat(chat_id).acquire()
        await self._overall.acquire()

    def pause(self, seconds: float, chat_id: int) -> None:
        """Telegram said 429: nothing more to this chat for a while."""
        self._paused[chat_id] = max(self._paused.get(chat_id, 0.0), time.monotonic() + seconds)

    def _pause_left(self, chat_id: int) -> float:
        end = self._paused.get(chat_id)
        if end is None:
            return 0.0
        left = end - time.monotonic()
        if left <= 0:
            del self._paused[chat_id]
        return max(left, 0.0)

    def _chat(self, chat_id: int) -> AsyncLimiter:
        """One limiter per private chat, forgetting idle ones so the table stays small."""
        if len(self._chats) > CHAT_LIMITERS:
            self._chats = {chat: limiter for chat, limiter in self._chats.items()
                           if not limiter.has_capacity(CHAT_BURST)}
        return self._chats.setdefault(chat_id, AsyncLimiter(CHAT_BURST, CHAT_PERIOD))
