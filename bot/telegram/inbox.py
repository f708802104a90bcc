"""Webhook mode: updates are stored in the inbox first, then handled by the inbox workers.

Every instance runs `Inbox`: it stores what Telegram posts to it (`receive`), and claims
updates for up to SLOTS chats at once from the shared table (bot/storage/inbox.py), which
hands out a chat's updates one at a time and in order, whichever instance stored them. A
claimed update goes through PTB's own `process_update`, so the handlers, the error
handler and the replies are those of polling mode.

What happens once, and what may happen twice, when an instance dies mid-update:

* A turn that writes (every turn that reaches the database: nearly all) marks its update
  handled in its own transaction. It is **at most once**: committed, it is never run
  again; not committed, it left nothing and another instance runs it after the lease.
  Its direct replies are sent after the commit, so they too go out at most once: an
  instance killed between the commit and the send loses them (the row ends `lapsed`).
* An update that ends without a turn (ignored group chatter, the flood warning, an
  update with nothing to answer) or whose turn failed (rolled back, the apology sent) is
  marked done after it was handled: **at least once**. An instance killed in between
  leaves it claimed, and another instance handles it again after the lease: the flood
  warning or the apology may come twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from telegram import Update

from bot.core.engine import Core
from bot.storage import inbox
from bot.telegram.ordering import chat_key
from bot.telegram.tasks import take_free, wind_down

log = logging.getLogger(__name__)
SLOTS = 8  # updates handled at once by one instance, of different chats (CONCURRENT_UPDATES)
IDLE = 1.0  # seconds between looks when nothing woke us (another instance stored an update)
STOP_WAIT = 10.0  # seconds a stop waits for the updates in flight before cancelling them
KEEP = timedelta(hours=1)  # finished updates are kept this long (they hold what people wrote)
PRUNE_EVERY = timedelta(minutes=5)
Process = Callable[[dict[str, Any]], Any]  # an update's JSON → handled (awaitable)


def now() -> datetime:
    """Inbox times are the instances' own clocks (NTP keeps them within the lease)."""
    return datetime.now(UTC)


class Inbox:
    """Stores updates as they arrive, and handles them in the background."""

    def __init__(self, core: Core, process: Process, lease: timedelta) -> None:
        self.core, self.process, self.lease = core, process, lease
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(SLOTS)
        self._work: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._renewer: asyncio.Task[None] | None = None
        self._held: set[int] = set()  # update ids this instance is handling
        self._stopping = False
        self._pruned = now()

    @property
    def instance(self) -> str:
        """Who stores and claims: the same `name/life` as the outbox rows this life sends."""
        return self.core.claimant.owner

    @property
    def running(self) -> bool:
        """Whether the workers take updates (for /healthz)."""
        return self._task is not None and not self._task.done() and not self._stopping

    async def receive(self, data: dict[str, Any], update: Update) -> bool:
        """Keep a posted update (committed before Telegram hears 200); False if we had it."""
        key = chat_key(update)
        chat = (0, 0) if key is None else (key, 0) if isinstance(key, int) else key
        arrival = inbox.Arrival(update.update_id, chat, data)
        stored = await self.core.db.retrying(partial(self._store, arrival))
        if stored:
            self._wake.set()
        return stored

    async def _store(self, arrival: inbox.Arrival) -> bool:
        async with self.core.db.session() as session:
            return await inbox.store(session, arrival, self.instance, now())

    def start(self) -> None:
        """Begin claiming in the background."""
        self._task = asyncio.create_task(self._run(), name="inbox-workers")
        self._renewer = asyncio.create_task(self._renew(), name="inbox-renewal")

    async def stop(self) -> None:
        """Claim nothing more; let the updates in flight finish (replies sent, rows done)."""
        self._stopping = True
        self._wake.set()
        # Cancelled updates stay claimed: another instance takes them after the lease.
        await wind_down([task for task in (self._task, *self._work) if task is not None],
                        STOP_WAIT, also=[self._renewer] if self._renewer is not None else [])

    async def _run(self) -> None:
        while not self._stopping:
            free = await take_free(self._slots)
            items = [] if self._stopping else await self._claim(free)
            for _unused in range(free - len(items)):
                self._slots.release()
            for item in items:
                self._held.add(item.update_id)
                task = asyncio.create_task(self._handle(item), name=f"update-{item.update_id}")
                self._work.add(task)
                task.add_done_callback(self._work.discard)
            if not items:
                await self._idle()
            await self._prune()

    async def _claim(self, free: int) -> list[inbox.Claimed]:
        """Updates for the free slots (none when the database fails: looked at again later)."""
        try:
            return await self.core.db.retrying(partial(self._claim_once, free))
        except Exception as exc:
            log.error("inbox claim failed: %s", type(exc).__name__,
                      extra={"error": type(exc).__name__})
            return []

    async def _claim_once(self, free: int) -> list[inbox.Claimed]:
        async with self.core.db.session() as session:
            return await inbox.claim(session, self.instance, now(), self.lease, free)

    async def _idle(self) -> None:
        """Until an update was stored or finished here, or a second has passed."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), IDLE)
        self._wake.clear()

    async def _handle(self, item: inbox.Claimed) -> None:
        """Handle one update through PTB, then free its chat for the next one."""
        try:
            await self.process(item.payload)
            await self.core.db.retrying(partial(self._finish, item.update_id))
        except Exception as exc:  # left claimed: handled again after the lease
            log.error("update %s not finished: %s", item.update_id, type(exc).__name__,
                      extra={"update": item.update_id, "error": type(exc).__name__})
        finally:
            self._held.discard(item.update_id)
            self._slots.release()
            self._wake.set()  # this chat's next update may be waiting

    async def _renew(self) -> None:
        """Every third of the lease: the updates in hand are still ours (a turn or a reply
        slowed down by load must not be taken over while this instance lives)."""
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            if not self._held:
                continue
            try:
                async with self.core.db.session() as session:
                    await inbox.renew(session, sorted(self._held), self.instance, now())
            except Exception as exc:  # tried again at the next third
                log.warning("inbox renewal failed: %s", type(exc).__name__,
                            extra={"error": type(exc).__name__})

    async def _finish(self, update_id: int) -> None:
        async with self.core.db.session() as session:
            await inbox.finish(session, update_id, self.instance, now())

    async def _prune(self) -> None:
        """Now and then, when idle: forget updates finished over KEEP ago."""
        if now() - self._pruned < PRUNE_EVERY:
            return
        self._pruned = now()
        try:
            async with self.core.db.session() as session:
                await inbox.prune(session, now() - KEEP)
        except Exception as exc:
            log.warning("inbox prune failed: %s", type(exc).__name__,
                        extra={"error": type(exc).__name__})

    async def backlog(self) -> inbox.Backlog:
        """What waits in the inbox (all instances)."""
        async with self.core.db.session() as session:
            return await inbox.backlog(session)
