"""Running it all: seed, start the bot, let the people act while faults strike (including
database locks and a network outage), calm down, stop, check and report."""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import sqlite3
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bench.soak.actions import broadcast_later, live
from bench.soak.checks import check
from bench.soak.fake import FaultRates, SoakFake
from bench.soak.people import Ledger, Person, cast
from bench.soak.process import BotSetup, bot_process
from bench.soak.report import log_levels, report
from bench.soak.world import seed
from bot.storage.db import Database


@dataclass
class Options:
    """The command line."""

    duration: float
    users: int
    think: float
    seed: int
    busy_timeout: float
    calm: float
    keep: Path | None


async def soak(options: Options) -> int:
    """Run, calm down, stop, check, print; returns the number of inconsistencies."""
    rng = random.Random(options.seed)
    with tempfile.TemporaryDirectory() as scratch:
        workdir = options.keep or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        for leftover in workdir.glob("soak.db*"):
            leftover.unlink()  # a kept run from before
        path = workdir / "soak.db"
        db = Database(f"sqlite+aiosqlite:///{path}")
        await db.migrate()
        world = await seed(db, options.users, rng)
        await db.close()
        async with SoakFake(FaultRates(), rng) as fake:
            for gid, (members, newcomer, chat) in world.groups.items():
                if chat is not None:
                    await fake.add_chat(chat, "supergroup", f"Groep {gid}")
                for person in [*members, newcomer]:
                    await fake.add_chat(person)  # they have talked to the bot before
            for person in world.coordinators:
                await fake.add_chat(person)
            ledger, started = Ledger(), time.monotonic()
            process, pipe = _start_bot(fake, path, options, world.coordinators[0])
            await fake.wait_for(lambda: bool(fake.commands), 60, "the bot to start")
            people = cast(fake, ledger, world, options.seed)
            active = await _run(fake, people, path, options, rng)
            calm = await _calm(path, options.calm)
            pipe.send("stop")
            await asyncio.to_thread(pipe.recv)
            await asyncio.to_thread(process.join, 30)
            log_text = (workdir / "bot.log").read_text(encoding="utf-8")
            found = check(path, fake, ledger, log_text)
            report(options, world, fake, ledger, found, path=path)
            print(f"bot log: {log_levels(log_text)}; the people acted for {active:.0f} s, the bot "
                  f"settled in {calm:.0f} s, {time.monotonic() - started:.0f} s in all")
    return sum(len(v) for v in found.values())


def _start_bot(fake: SoakFake, path: Path, options: Options, admin: int
               ) -> tuple[Any, Connection]:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    setup = BotSetup(fake.root_url, f"sqlite+aiosqlite:///{path}", str(path.with_name("bot.log")),
                     options.busy_timeout, admin)
    process = context.Process(target=bot_process, args=(setup, child), daemon=True)
    process.start()
    return process, parent


async def _run(fake: SoakFake, people: list[Person], path: Path, options: Options,
               rng: random.Random) -> float:
    """The people act and the faults strike, for the whole duration; returns how long that
    took (the last actions begun before the end are finished)."""
    began = time.monotonic()
    until = began + options.duration
    fake.faulty = True
    broadcasters = [p for p in people if p.role == "coordinator"][:2]
    background = [asyncio.create_task(hold_locks(path, until, rng, fake.injected,
                                                 3 * options.busy_timeout + 1.5)),
                  asyncio.create_task(outage(fake, options.duration * 0.4, 5, fake.injected))]
    await asyncio.gather(*(live(p, until, options.think) for p in people
                           if p not in broadcasters),
                         *(broadcast_later(p, options.duration * share)
                           for p, share in zip(broadcasters, (0.25, 0.75), strict=True)))
    fake.faulty = False
    for task in background:
        task.cancel()
    await asyncio.gather(*background, return_exceptions=True)
    if not fake.online:
        await fake.reconnect()
    return time.monotonic() - began


async def _calm(path: Path, limit: float) -> float:
    """Wait until the bot owes nothing that is due (or `limit` seconds); returns the wait."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if not _owed(path):
            break
        await asyncio.sleep(1)
    await asyncio.sleep(3)  # a duplicate, if any, would come now
    return time.monotonic() - started


def _owed(path: Path) -> int:
    """Posts, deliveries, due reminders and the appointments' reminders still to go."""
    db = sqlite3.connect(path)
    try:
        now = datetime.now(UTC).isoformat(sep=" ")
        return sum(db.execute(sql, params).fetchone()[0] for sql, params in (
            ("SELECT COUNT(*) FROM outbox WHERE state = 'active' "
             "AND revision > sent_revision", ()),
            ("SELECT COUNT(*) FROM deliveries WHERE state IN ('pending', 'sending')", ()),
            ("SELECT COUNT(*) FROM reminders WHERE state = 'sending' "
             "OR (state = 'scheduled' AND due_at <= ?)", (now,)),
            # the appointments' "one hour before" reminders all fall due within minutes:
            # wait for them, so that every one is checked as sent (or decided) once
            ("SELECT COUNT(*) FROM reminders WHERE state = 'scheduled' AND lead = 'hour'", ())))
    finally:
        db.close()


# ---------------------------------------------------------------------- database-level faults


async def hold_locks(path: Path, until: float, rng: random.Random, counts: Counter[str],
                     longest: float) -> None:
    """Another program takes SQLite's write lock now and then, sometimes for longer than
    the bot's busy timeout and its retries together."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                 timeout=30)
    try:
        while True:
            await asyncio.sleep(rng.uniform(8, 20))
            if time.monotonic() >= until:
                return
            await asyncio.to_thread(connection.execute, "BEGIN IMMEDIATE")
            counts["db lock"] += 1
            await asyncio.sleep(rng.uniform(0.2, longest))
            await asyncio.to_thread(connection.execute, "ROLLBACK")
    finally:
        connection.close()


async def outage(fake: SoakFake, after: float, seconds: float, counts: Counter[str]) -> None:
    """Telegram out of reach once: connections refused, then back on the same port."""
    await asyncio.sleep(after)
    await fake.disconnect()
    counts["network outage"] += 1
    await asyncio.sleep(seconds)
    await fake.reconnect()
