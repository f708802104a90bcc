"""Telegram's sending limits in one place, for direct replies and the outbound queue alike.

Telegram lets a bot send about 30 messages a second in total, about one a second to one
private chat (short bursts are fine) and 20 a minute to one group chat (counted in the
database by the core, since it holds across processes). New messages are spaced at least
1/28 s apart: a little under 30, so the jitter of the network does not bunch 31 into one
second at Telegram. A direct reply and a message of the first two lanes (a kept reply, an
urgent notice, a reminder) take the next free slots in turn; notices and broadcasts are
only claimed while no reply waits: while people are answered, a running broadcast slows
down instead of making them wait, and reminders stay on time.

The bot-wide slot and the private chats' pace have two implementations behind one
`Budget`: in memory (aiolimiter) when the database is SQLite, which one process uses;
in PostgreSQL when it is PostgreSQL, since every instance on that database shares
Telegram's one budget (bot/storage/budget.py). Not an elected sender: each instance's
direct replies would then either bypass the budget or detour through the leader. The
shared budget costs one round trip per message (two for a queued message to a private
chat); a reply always takes the next slot, a queued message only a slot that is free
within one gap, so replies of any instance go ahead of every instance's queue.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

from aiolimiter import AsyncLimiter
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.outbox import Lane
from bot.storage import budget
from bot.storage.db import Database

PER_SECOND = 28  # new messages per second for the whole bot (Telegram allows about 30)
# Across instances each process's wake-up and network jitter adds to the others': at 28 a
# second two loaded instances once put 31 into one second at the fake server (the test
# tests/test_instances.py::test_instances_share_one_telegram_budget, 2026-12-07).
SHARED_PER_SECOND = 25
CHAT_BURST, CHAT_PERIOD = 3, 3.0  # a private chat: a burst of three, then one a second
CHAT_LIMITERS = 10_000  # idle per-chat limiters are forgotten beyond this many
FIRST = Lane.REMINDER  # lanes up to this one take their turn with direct replies
LATE, LATE_TRIES = 1, 3  # a shared slot woken this many gaps late is taken anew, so often


class Budget(Protocol):
    """The bot-wide slots and the private chats' pace (one process, or every instance)."""

    gap: float

    async def reply(self) -> None:
        """The next bot-wide slot, however far ahead (replies go before queued messages)."""

    async def queued(self) -> None:
        """A bot-wide slot that is free now (within one gap), after the replies'."""

    def could_send(self) -> bool:
        """Whether a queued message would find a free slot now (no waiting, no I/O)."""

    async def chat(self, chat_id: int) -> None:
        """A private chat's next slot: a burst of three, then one a second."""


class LocalBudget:
    """One process: aiolimiter, with room for one message, and one limiter per chat."""

    def __init__(self, per_second: float = PER_SECOND) -> None:
        self.gap = 1 / per_second
        self._overall = AsyncLimiter(1, self.gap)
        self._chats: dict[int, AsyncLimiter] = {}

    async def reply(self) -> None:
        """The next slot."""
        await self._overall.acquire()

    async def queued(self) -> None:
        """The next slot (the pacer claims queued rows only while no reply waits)."""
        await self._overall.acquire()

    def could_send(self) -> bool:
        """Whether the limiter has room now."""
        return self._overall.has_capacity()

    async def chat(self, chat_id: int) -> None:
        """One limiter per private chat, forgetting idle ones so the table stays small."""
        if len(self._chats) > CHAT_LIMITERS:
            self._chats = {chat: limiter for chat, limiter in self._chats.items()
                           if not limiter.has_capacity(CHAT_BURST)}
        await self._chats.setdefault(chat_id, AsyncLimiter(CHAT_BURST, CHAT_PERIOD)).acquire()


class SharedBudget:
    """Every instance on one PostgreSQL database: slots taken there, on its clock."""

    def __init__(self, engine: AsyncEngine, per_second: float = PER_SECOND) -> None:
        self.engine = engine
        self.gap = 1 / per_second
        self._free_at = 0.0  # monotonic moment the next slot is free, as last heard
        self._polling = asyncio.Lock()  # one queued message of this process asks at a time

    async def reply(self) -> None:
        """Always taken: the wait is at most the slots already promised (a few gaps)."""
        for tried in range(LATE_TRIES):
            mine, _ahead = await budget.slot(self.engine, self.gap)
            if await self._wait(mine or 0.0) or tried == LATE_TRIES - 1:
                return

    async def queued(self) -> None:
        """Asks until the budget is free within one gap (replies may have taken it)."""
        for tried in range(LATE_TRIES):
            async with self._polling:
                while True:
                    mine, ahead = await budget.slot(self.engine, self.gap, within=self.gap)
                    if mine is not None:
                        break
                    self._heard(ahead)
                    await asyncio.sleep(max(ahead - self.gap, self.gap / 2))
            if await self._wait(mine) or tried == LATE_TRIES - 1:
                return

    def could_send(self) -> bool:
        """As last heard from the database (another instance may have taken slots since:
        then `queued` waits a little)."""
        return time.monotonic() >= self._free_at - self.gap

    async def chat(self, chat_id: int) -> None:
        """GCRA per chat in the database: claims keep one send per chat in flight, but the
        next message to the chat may be sent by another instance."""
        wait = await budget.chat_slot(self.engine, chat_id, CHAT_PERIOD / CHAT_BURST,
                                      CHAT_BURST)
        if wait > 0:
            await asyncio.sleep(wait)

    async def _wait(self, seconds: float) -> bool:
        """Until the slot; False if this process woke up more than LATE gaps late (a busy
        event loop): sent now, the message would bunch with the next slots' and could put
        more than 30 into one second at Telegram, so the caller takes a new slot instead
        (LATE_TRIES times at most, so a starved process still sends)."""
        self._heard(seconds + self.gap)
        due = time.monotonic() + seconds
        if seconds > 0:
            await asyncio.sleep(seconds)
        return time.monotonic() - due <= LATE * self.gap

    def _heard(self, ahead: float) -> None:
        self._free_at = time.monotonic() + ahead


def budget_for(db: Database) -> Budget:
    """PostgreSQL: the budget every instance shares; SQLite: this process's own."""
    if db.engine.dialect.name == "postgresql":
        return SharedBudget(db.engine, SHARED_PER_SECOND)
    return LocalBudget(PER_SECOND)


class Pacer:
    """Hands out sending slots; replies first, then the outbound queue."""

    def __init__(self, slots: Budget | None = None) -> None:
        self.slots: Budget = slots or LocalBudget()
        self.gap = self.slots.gap
        self._replies_waiting = 0
        self._no_replies = asyncio.Event()  # set while no reply waits for a slot
        self._no_replies.set()
        self._paused: dict[int, float] = {}  # chat → monotonic end of its 429 pause

    async def reply(self) -> None:
        """A slot for a direct reply: the next free one, before any queued message."""
        self._replies_waiting += 1
        self._no_replies.clear()
        try:
            await self.slots.reply()
        finally:
            self._replies_waiting -= 1
            if not self._replies_waiting:
                self._no_replies.set()

    async def replies_gone(self) -> None:
        """Until no reply waits: the later lanes may be claimed again (the sender waits for
        this instead of asking the database every gap while people are answered)."""
        await self._no_replies.wait()

    async def ready(self) -> int:
        """The last lane worth claiming now: while replies wait, only the first lanes (they
        queue with the replies); otherwise any, once a message could go at once."""
        while not self._replies_waiting and not self.slots.could_send():
            await asyncio.sleep(self.gap)
        return FIRST if self._replies_waiting else max(Lane)

    async def queued(self, chat_id: int) -> None:
        """A slot for a claimed message to `chat_id`, in turn with the replies (which row
        may be claimed at all is decided by `ready`)."""
        while (left := self._pause_left(chat_id)) > 0:
            await asyncio.sleep(left)
        if chat_id > 0:
            await self.slots.chat(chat_id)
        await self.slots.queued()

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
