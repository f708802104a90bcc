"""Broadcast throughput against a fake Bot API that enforces Telegram's flood limits.

The fake answers 429 (retry_after 1) when the bot goes faster than 30 messages/s overall
or 1/s to one chat. The bot is the real `python main.py` process; the database already
holds a broadcast to `--recipients` people (the coordinator has just pressed Send).
Run 1 sends everything; run 2 kills the bot with SIGKILL about halfway and starts it
again. Printed: messages/second while sending, 429s received, duplicates, losses.

    .venv/bin/python -m bench.broadcast --recipients 10000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import Any

from fakebot import FakeTelegram
from worlds.broadcast import COORDINATOR, queue_broadcast

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH"
FIRST = 3_000_000


class TimedFake(FakeTelegram):
    """The fake, noting when each message reached it."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[tuple[int, float]] = []

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await super()._send_message(params)
        self.arrivals.append((int(params["chat_id"]), time.monotonic()))
        return result


async def bot(fake: FakeTelegram, workdir: Path) -> asyncio.subprocess.Process:
    """`python main.py` against the fake, as in production (no token: no real Telegram)."""
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.root_url,
           "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bot.db'}"}
    return await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "main.py"), cwd=workdir, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)


async def one_run(recipients: int, kill_at: int | None) -> None:
    """Send to everyone (killing the bot once if asked) and print the numbers."""
    people = list(range(FIRST, FIRST + recipients))
    async with TimedFake() as fake:
        fake.enforce_limits(30, 1.0)
        for chat in [*people, COORDINATOR]:
            await fake.add_chat(chat)
        with tempfile.TemporaryDirectory() as workdir:
            await queue_broadcast(f"sqlite+aiosqlite:///{Path(workdir) / 'bot.db'}", people)
            process = await bot(fake, Path(workdir))
            if kill_at is not None:
                await _wait(fake, people, kill_at)
                process.send_signal(signal.SIGKILL)
                await process.wait()
                process = await bot(fake, Path(workdir))
            await _wait(fake, people, recipients)
            await asyncio.sleep(3)  # a duplicate would arrive now
            process.send_signal(signal.SIGINT)
            await process.wait()
        _report(fake, people, kill_at)


async def _wait(fake: TimedFake, people: list[int], count: int) -> None:
    wanted = set(people)
    while len({c for c, _ in fake.arrivals if c in wanted}) < count:
        await asyncio.sleep(0.2)


def _report(fake: TimedFake, people: list[int], kill_at: int | None) -> None:
    wanted = set(people)
    mine = [(c, t) for c, t in fake.arrivals if c in wanted]
    per_chat = Counter(c for c, _ in mine)
    times = sorted(t for _, t in mine)
    gaps = sorted(b - a for a, b in pairwise(times))
    downtime = gaps[-1] if kill_at is not None and gaps else 0.0
    rate = (len(times) - 1) / (times[-1] - times[0] - downtime)
    label = f"killed at {kill_at} and restarted" if kill_at is not None else "uninterrupted"
    print(f"{label}: {len(people)} recipients, {rate:.1f} messages/s while sending"
          + (f" (restart gap {downtime:.1f} s left out)" if kill_at is not None else "")
          + f"; 429s: {fake.throttled}; duplicates: {sum(n - 1 for n in per_chat.values())}"
          + f"; losses: {len(people) - len(per_chat)}")


def main() -> None:
    """Print the numbers; docs/benchmarks.md records them with this command."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--recipients", type=int, default=10_000)
    args = parser.parse_args()
    asyncio.run(one_run(args.recipients, None))
    asyncio.run(one_run(args.recipients, args.recipients // 2))


if __name__ == "__main__":
    main()
