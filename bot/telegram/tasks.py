"""Background work of the adapter: slots taken in batches, and stops that wait, then cancel.

The sender, the inbox workers and the timer each run tasks beside PTB; a stop lets them
finish what they began (a send recorded, an update answered, a look committed) for a
while, then cancels and awaits the rest, so nothing is left running at loop shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from typing import Any


async def take_free(slots: asyncio.Semaphore) -> int:
    """Wait for one free slot, then take every other free one: one claim fills them all."""
    await slots.acquire()
    free = 1
    while not slots.locked():
        await slots.acquire()
        free += 1
    return free


async def wind_down(tasks: Iterable[asyncio.Task[Any]], seconds: float,
                    also: Iterable[asyncio.Task[Any]] = ()) -> None:
    """Give `tasks` `seconds` to finish; cancel and await the late ones and `also`."""
    running = set(tasks)
    late: set[asyncio.Task[Any]] = set()
    if running:
        _done, late = await asyncio.wait(running, timeout=seconds)
    late |= set(also)
    for task in late:
        task.cancel()
    for task in late:
        with contextlib.suppress(asyncio.CancelledError):
            await task
