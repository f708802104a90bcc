"""Telegram's sending limits in one place, for direct replies and the outbound queue alike.

Telegram lets a bot send about 30 messages a second in total, about one a second to one
private chat (short bursts are fine) and 20 a minute to one group chat (counted in the
database by the core, since it holds across processes). New messages from this process
are spaced at least 1/30 s apart (aiolimiter with room for one), so no second ever holds
more than 30. A direct reply takes the next free slot ahead of anything queued: while
people are answered, a running broadcast slows down instead of making them wait.
"""

from __future__ import annotations

import asyncio
import time

from aiolimiter import AsyncLimiter

PER_SECOND = 30  # new messages per second for the whole bot
CHAT_BURST, CHAT_PERIOD = 3, 3.0  # a private chat: a burst of three, then one a second
CHAT_LIMITERS = 10_000  # idle per-chat limiters are forgotten beyond this many


class Pacer:
    """Hands out sending slots; replies first, then the outbound queue."""

    def __init__(self, per_second: float = PER_SECOND) -> None:
        self.gap = 1 / per_second
        self._overall = AsyncLimiter(1, self.gap)
        self._chats: dict[int, AsyncLimiter] = {}
        self._replies_waiting = 0
        self._paused: dict[int | None, float] = {}  # chat (None: everyone) → monotonic end

    async def reply(self) -> None:
        """A slot for a direct reply: the next free one, before any queued message."""
        self._replies_waiting += 1
        try:
            await self._overall.acquire()
        finally:
            self._replies_waiting -= 1

    async def ready(self) -> None:
        """Wait until a queued message could go now (worth claiming one)."""
        while not self._free() or self._pause_left(None) > 0:
            await asyncio.sleep(max(self.gap, self._pause_left(None)))

    async def queued(self, chat_id: int) -> None:
        """A slot for a message from the outbound queue to `chat_id`."""
        while (left := max(self._pause_left(None), self._pause_left(chat_id))) > 0:
            await asyncio.sleep(left)
        if chat_id > 0:
            await self._chat(chat_id).acquire()
        while not self._free():
            await asyncio.sleep(self.gap)
        await self._overall.acquire()  # free just now, with no await since: no wait here

    def pause(self, seconds: float, chat_id: int | None = None) -> None:
        """Telegram said 429: nothing more to this chat (None: to anyone) for a while."""
        self._paused[chat_id] = max(self._paused.get(chat_id, 0.0), time.monotonic() + seconds)

    def _free(self) -> bool:
        """No reply is waiting and the overall budget has room."""
        return not self._replies_waiting and self._overall.has_capacity()

    def _pause_left(self, chat_id: int | None) -> float:
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
