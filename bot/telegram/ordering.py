"""Updates from different chats run concurrently; updates from one chat run strictly in order.

In a group chat the order that matters is each person's own: different members pressing
buttons on the same task card are handled at the same time (the database decides races).
A chat's turn is waited for *before* a concurrency slot is taken: one person's burst of
messages then holds one slot, never all of them, and everyone else is answered meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

Key = int | tuple[int, int] | None


WAITING = 100_000  # updates PTB may hand over at once: they wait here, in their chat's line


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """PTB's concurrency, minus its one danger: two updates of one user overtaking each other.

    asyncio.Lock is first-in-first-out, and PTB starts update tasks in arrival order, so
    a chat's updates are handled in the order Telegram sent them. PTB's own semaphore is
    taken before `do_process_update` is called, so it is set wide and the real limit on
    updates handled at once is `slots`, taken after the chat's lock.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(WAITING)
        self._slots = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._locks: dict[Key, asyncio.Lock] = {}
        self._users: dict[Key, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for earlier updates of the same chat, then for a free slot, then handle it."""
        key = chat_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock, self._slots:
                await coroutine
        finally:
            self._release(key)

    def _release(self, key: Key) -> None:
        """Forget a chat's lock when nobody waits on it, so the table does not grow forever."""
        self._users[key] -= 1
        if self._users[key] == 0:
            del self._users[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def chat_key(update: object) -> Key:
    """A private chat is one person; in a group each member keeps their own order."""
    if not isinstance(update, Update) or update.effective_chat is None:
        return None
    chat = update.effective_chat
    if chat.type == chat.PRIVATE or update.effective_user is None:
        return chat.id
    return (chat.id, update.effective_user.id)
