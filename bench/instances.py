"""A broadcast sent by one and by two instances sharing one PostgreSQL database and one
Telegram budget, while people write to the bot.

The instances are in-process: two PTB Applications, each with its own `Core` and its own
engine (connection pool), in one event loop, against the fake Bot API (which records when
each message arrived). Each update goes to one of them, as a load balancer would hand out
webhooks. While the broadcast runs, `--askers` people each send /help every two seconds;
the time from their message to the bot's answer is a reply's latency. Printed per run:
broadcast messages/s, the most messages in any one second at "Telegram" (≤ 30 is the
budget), replies' p50/p99, duplicates and losses; and what one slot of the shared budget
costs (a round trip to PostgreSQL).

    scripts/with-postgres .venv/bin/python -m bench.instances --recipients 10000
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import os
import statistics
import time
from collections import Counter
from contextlib import AsyncExitStack
from dataclasses import replace
from pathlib import Path

import asyncpg
from sqlalchemy import make_url

from bot.app import build_router, load_content
from bot.config import load_settings
from bot.core.engine import Core
from bot.core.router import Router
from bot.storage import budget
from bot.storage.db import Database
from bot.telegram.app import build_application
from fakebot.polling import TOKEN, polling
from fakebot.split import SplitFake
from worlds.broadcast import COORDINATOR, queue_broadcast

FIRST = 4_000_000
ASKER = 5_000_000
ASK_EVERY = 2.0  # seconds between one person's messages


class TimedFake(SplitFake):
    """Also notes when each person's waiting message was written, and how long its reply
    took."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: dict[int, float] = {}  # chat → when their waiting message was written
        self.latencies: list[float] = []

    def arrived(self, chat: int, at: float) -> None:
        """A message reached the fake Telegram; a waiting person's reply ends their wait."""
        super().arrived(chat, at)
        if chat in self.asked:
            self.latencies.append(at - self.asked.pop(chat))


async def fresh_database(server: str, name: str) -> str:
    """A new, migrated database on the server (dropped first if a run left it)."""
    admin = await asyncpg.connect(make_url(server).set(drivername="postgresql")
                                  .render_as_string(hide_password=False))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    database = Database(url)
    await database.migrate()
    await database.close()
    return url


async def slot_cost(url: str, rounds: int = 2000) -> float:
    """Microseconds per bot-wide slot taken (the reservation alone, not the wait)."""
    database = Database(url)
    started = time.perf_counter()
    for _round in range(rounds):
        await budget.slot(database.engine, 1e-6)
    took = time.perf_counter() - started
    await database.close()
    return took / rounds * 1e6


async def ask(fake: TimedFake, askers: list[int], until: asyncio.Event) -> None:
    """Each person writes /help, waits for the answer, and writes again two seconds later."""
    while not until.is_set():
        for chat in askers:
            if chat not in fake.asked:
                fake.asked[chat] = time.monotonic()
                await fake.user_sends(chat, "/help")
            await asyncio.sleep(ASK_EVERY / len(askers))


async def one_run(server: str, router: Router, instances: int, recipients: int,
                  askers: int) -> None:
    """Everything sent once; the numbers printed."""
    url = await fresh_database(server, f"wegwijs_bench_{instances}")
    people = list(range(FIRST, FIRST + recipients))
    people_asking = list(range(ASKER, ASKER + askers))
    await queue_broadcast(url, people)
    base = load_settings({"DATABASE_URL": url}, env_file=Path("/nonexistent.env")).policy()
    cores = [Core(Database(url), router, replace(base, instance=f"bench-{n}"))
             for n in range(instances)]
    done = asyncio.Event()
    async with TimedFake() as fake, AsyncExitStack() as stack:
        for chat in [*people, *people_asking, COORDINATOR]:
            await fake.add_chat(chat)
        for core in cores:
            await stack.enter_async_context(polling(build_application(core, TOKEN,
                                                                      fake.root_url)))
        asking = asyncio.create_task(ask(fake, people_asking, done))
        wanted = set(people)
        while len({c for c, _ in fake.arrivals if c in wanted}) < recipients:
            await asyncio.sleep(0.5)
        done.set()
        await asyncio.sleep(3)  # a duplicate would arrive now
        await asking
        _report(fake, people, instances)


def _report(fake: TimedFake, people: list[int], instances: int) -> None:
    wanted = set(people)
    mine = sorted(t for c, t in fake.arrivals if c in wanted)
    per_chat = Counter(c for c, _ in fake.arrivals if c in wanted)
    every = sorted(t for _, t in fake.arrivals)
    busiest = max(bisect.bisect_right(every, t + 0.999) - i for i, t in enumerate(every))
    rate = (len(mine) - 1) / (mine[-1] - mine[0])
    lat = sorted(fake.latencies)
    p50, p99 = statistics.median(lat), lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    print(f"{instances} instance(s): {len(people)} recipients, {rate:.1f} broadcast messages/s; "
          f"busiest second {busiest} messages (all kinds); replies {len(lat)}: "
          f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms; "
          f"duplicates {sum(n - 1 for n in per_chat.values())}; "
          f"losses {len(people) - len(per_chat)}", flush=True)


async def main(recipients: int, askers: int, runs: list[int]) -> None:
    """The slot's cost, then one run per number of instances."""
    server = os.environ.get("WEGWIJS_TEST_POSTGRES", "")
    if not server:
        raise SystemExit("run under scripts/with-postgres (WEGWIJS_TEST_POSTGRES is not set)")
    content = load_content()
    router = build_router(content.journeys, content.answers)
    url = await fresh_database(server, "wegwijs_bench_slot")
    print(f"one slot of the shared budget: {await slot_cost(url):.0f} µs (a round trip)",
          flush=True)
    for instances in runs:
        await one_run(server, router, instances, recipients, askers)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--askers", type=int, default=20)
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2])
    arguments = parser.parse_args()
    asyncio.run(main(arguments.recipients, arguments.askers, arguments.instances))
