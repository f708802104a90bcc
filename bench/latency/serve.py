"""The fake's process: the fake Bot API and the people, until the broadcast and the reminders
have arrived; what it saw goes back to the bot's process."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection

from bench.latency.fake import TimedFake
from bench.latency.gauges import cpu_share
from bench.latency.people import Load, faq_phrases
from bench.latency.plan import Plan

STALL = 30.0  # seconds without broadcast progress after which waiting for it stops
SETTLE = 3.0  # seconds to wait at the end: a second copy of something would arrive now
MENU = {"newcomer": ("steps:", "r:l", "menu:me"), "helper": ("steps:", "g:h", "r:l", "menu:me")}


@dataclass
class Observed:
    """What the fake's process saw (sent back as a dict of plain values)."""

    begin: float
    end: float
    latencies: list[tuple[str, float]]
    timeline: list[tuple[float, float]]
    unanswered: dict[str, int]
    steps: dict[str, int]
    skipped: int
    pushed: int
    arrivals: list[tuple[int, float, str]]
    cpu: float  # share of one CPU the fake's process used during the load


def serve(pipe: Connection, plan: Plan) -> None:
    """Child process: the fake Bot API and the people."""
    asyncio.run(serve_async(pipe, plan))


async def serve_async(pipe: Connection, plan: Plan) -> None:
    """Open the chats, run the people, wait for the broadcast, send back what was seen."""
    options = plan.options
    async with TimedFake() as fake:
        fake.slow_down(options.latency)
        for chat in plan.chats():  # everyone has opened the chat with the bot before
            await fake.add_chat(chat)
        for person in plan.people:  # and left the main menu there
            fake.left_open(person.chat, MENU["helper" if person.group is not None else "newcomer"])
        pipe.send(fake.root_url)
        begin = float(await asyncio.to_thread(pipe.recv))
        load = Load(fake, random.Random(options.seed), faq_phrases())
        cpu = asyncio.create_task(cpu_share(begin, options.duration))
        await load.run(list(plan.people), begin, options.duration, options.rate)
        await _until_delivered(fake, plan)
        await asyncio.sleep(SETTLE)
        observed = Observed(begin, begin + options.duration, load.latencies, load.timeline,
                            dict(load.unanswered), dict(load.steps), load.skipped, load.pushed,
                            fake.arrivals, await cpu)
        pipe.send(asdict(observed))
        await asyncio.to_thread(pipe.recv)  # the bot has stopped: the fake may go


async def _until_delivered(fake: TimedFake, plan: Plan) -> None:
    """Until every recipient has the broadcast and every reminder arrived, or no progress
    for STALL seconds."""
    wanted = len(plan.audience()) + len(plan.reminded())
    seen, since = -1, time.time()
    while (count := fake.reached(plan.audience()) + fake.reached(plan.reminded())) < wanted:
        if count != seen:
            seen, since = count, time.time()
        elif time.time() - since > STALL:
            return
        await asyncio.sleep(0.5)
