"""What a process measures about itself during the load: CPU share and event-loop lag."""

from __future__ import annotations

import asyncio
import time


async def cpu_share(begin: float, duration: float) -> float:
    """The share of one CPU this process used from `begin` for `duration` seconds."""
    await asyncio.sleep(max(0.0, begin - time.time()))
    used = time.process_time()
    await asyncio.sleep(duration)
    return (time.process_time() - used) / duration


async def loop_lag(begin: float, duration: float, every: float = 0.05) -> list[float]:
    """How late this process's event loop wakes a sleeper, sampled during the load."""
    await asyncio.sleep(max(0.0, begin - time.time()))
    lags: list[float] = []
    while time.time() < begin + duration:
        asked = time.perf_counter()
        await asyncio.sleep(every)
        lags.append(time.perf_counter() - asked - every)
    return lags
