"""The bot's process: Wegwijs as `main.py run` builds it polls the fake while the people act;
the broadcast starts once the load has begun."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import re
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from sqlalchemy import func, select

from bench.latency.gauges import cpu_share, loop_lag
from bench.latency.plan import Options, Plan
from bench.latency.serve import Observed, serve
from bench.latency.world import schedule_reminders, seed, start_broadcast
from bot.app import build_core
from bot.config import Settings, load_settings
from bot.storage.db import Database
from bot.storage.models import Task
from bot.telegram.app import Background, build_application
from fakebot.polling import polling

TOKEN = "123456:BENCH"
BROADCAST_AFTER = 2.0  # seconds into the load when the coordinator presses Send
LEAD = 1.0  # seconds between telling the fake to start and the first update


@dataclass(frozen=True)
class Run:
    """Everything the report needs."""

    plan: Plan
    observed: Observed
    due: dict[int, float]
    broadcast_started: float
    broadcast_took: float
    cpu: float  # share of one CPU the bot's process used during the load
    claimed: int  # tasks claimed in the database at the end
    lags: list[float]  # the bot's event loop: how late a sleeper woke, during the load
    load_average: float  # the machine's, over the last minute, at the end of the load


class Tally(logging.Handler):
    """Counts warnings and errors by message, numbers left out (instead of printing them)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        """Count one record."""
        text = re.sub(r"\d+", "#", record.getMessage())
        self.seen[f"{record.levelname} {record.name}: {text}"] += 1


async def measure(options: Options) -> Run:
    """Seed, start the fake and the bot, let the people act; returns what was seen."""
    with tempfile.TemporaryDirectory() as workdir:
        settings = load_settings({"DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/bench.db"},
                                 env_file=Path(workdir) / "none.env")
        db = Database(settings.database_url)
        await db.migrate()
        seeded = time.perf_counter()
        plan = await seed(db, options)
        print(f"seeded {len(plan.chats())} people in {time.perf_counter() - seeded:.1f} s",
              flush=True)
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        server = context.Process(target=serve, args=(child, plan), daemon=True)
        server.start()
        root_url = await asyncio.to_thread(parent.recv)
        run = await _run(db, settings, root_url, parent, plan)
        parent.send("stop")
        server.join(timeout=10)
    return run


async def _run(db: Database, settings: Settings, root_url: str, pipe: Connection,
               plan: Plan) -> Run:
    """The bot polls while the people act; the broadcast starts once the load has begun."""
    core = build_core(settings, db)
    app = build_application(core, TOKEN, root_url)
    async with polling(app):
        begin = time.time() + LEAD
        due = await schedule_reminders(db, plan.options, begin)
        pipe.send(begin)
        cpu = asyncio.create_task(cpu_share(begin, plan.options.duration))
        lags = asyncio.create_task(loop_lag(begin, plan.options.duration))
        await asyncio.sleep(max(0.0, begin + BROADCAST_AFTER - time.time()))
        started, took = await start_broadcast(core)
        background: Background = app.bot_data["background"]
        background.wake()
        print(f"load running; broadcast queued in {took:.2f} s; waiting for the run and the "
              "broadcast to finish…", flush=True)
        bot_cpu = await cpu
        load_average = os.getloadavg()[0]
        observed = Observed(**await asyncio.to_thread(pipe.recv))
        async with db.session() as session:
            claimed = await session.scalar(
                select(func.count()).select_from(Task).where(Task.status == "claimed"))
    return Run(plan, observed, due, started, took, bot_cpu, claimed or 0, await lags,
               load_average)
