"""Updates per second: a bare PTB echo bot versus Wegwijs, through the same fake Bot API.

Run: .venv/bin/python -m bench.throughput --messages 2000 --runs 3
     BENCH_DATABASE_URL=postgresql+asyncpg://… .venv/bin/python -m bench.throughput

Both bots poll a fake Bot API server on 127.0.0.1 (fakebot/), running in its own
process, that already holds N text messages from 50 users. The clock runs from the start
of polling until the N-th reply has arrived. Wegwijs answers "/menu" for onboarded users:
it reads the user, writes last_seen_at (a real SQLite file in WAL mode, or the database in
BENCH_DATABASE_URL), renders the menu and sends it with buttons. Neither bot has a rate
limiter, so the numbers compare processing cost. Each line also shows the CPU time per
update in the bot's process and in the fake server's process. Both use PTB's own HTTP
transport (httpx).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from sqlalchemy import delete
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.app import build_core
from bot.config import load_settings
from bot.core.ports import Incoming, Kind
from bot.storage.db import Database
from bot.storage.models import User
from bot.telegram.app import PTBApplication, build_application
from fakebot import FakeTelegram
from fakebot.polling import TOKEN

USERS = 50
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL")  # e.g. a scratch PostgreSQL database
Factory = Callable[[str, Path], Awaitable[PTBApplication]]


async def echo_bot(root_url: str, _workdir: Path) -> PTBApplication:
    """The baseline: PTB's cost alone."""

    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    app: PTBApplication = Application.builder().token(TOKEN).base_url(f"{root_url}/bot").build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


async def wegwijs_bot(root_url: str, workdir: Path) -> PTBApplication:
    """Wegwijs with its real database; users are onboarded before the clock starts."""
    url = DATABASE_URL or f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    # 40 messages per user within seconds: a load generator, not people, so the per-person
    # flood gate (which would rightly pause them) is opened wide for the measurement.
    settings = load_settings({"DATABASE_URL": url, "WEGWIJS_FLOOD_BURST": "1000000"},
                             env_file=workdir / "none.env")
    db = Database(settings.database_url)
    await db.migrate()
    await _forget_bench_users(db)
    core = build_core(settings, db)
    for user_id in range(1, USERS + 1):
        for data in ("lang:ar", "priv:yes", "ob:role:member"):
            await core.handle(Incoming(user_id, user_id, Kind.BUTTON, data=data))
    return build_application(core, TOKEN, root_url)


@dataclass(frozen=True)
class Sample:
    """One run: wall-clock throughput, and CPU spent per update on each side of the wire."""

    updates_per_second: float
    bot_cpu_ms: float
    server_cpu_ms: float


async def measure(factory: Factory, messages: int, text: str) -> Sample:
    """Throughput and CPU cost for one bot over `messages` queued updates.

    The fake Bot API runs in its own process, as Telegram is a remote server: the bot
    under test gets this process to itself.
    """
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    server = context.Process(target=_serve, args=(child, messages, text), daemon=True)
    server.start()
    try:
        root_url = await asyncio.to_thread(parent.recv)
        with tempfile.TemporaryDirectory() as workdir:
            app = await factory(root_url, Path(workdir))
            parent.send("go")
            await asyncio.to_thread(parent.recv)  # the queue is full
            rate, bot_cpu = await _poll_until_answered(app, parent, messages)
            server_cpu = await asyncio.to_thread(parent.recv)
            return Sample(rate, bot_cpu / messages * 1000, server_cpu / messages * 1000)
    finally:
        server.join(timeout=10)


async def _poll_until_answered(
    app: PTBApplication, pipe: Connection, messages: int
) -> tuple[float, float]:
    """Updates per second and the CPU seconds this process spent on them."""
    await app.initialize()
    assert app.updater is not None
    await app.start()
    started, cpu = time.perf_counter(), time.process_time()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    await asyncio.to_thread(pipe.recv)  # the server saw the last reply
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    await app.updater.stop()
    pipe.send("stop")
    await app.stop()
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
    return messages / elapsed, cpu


def _serve(pipe: Connection, messages: int, text: str) -> None:
    """Child process: a fake Bot API holding `messages` updates, reporting the last reply."""
    asyncio.run(_serve_async(pipe, messages, text))


async def _serve_async(pipe: Connection, messages: int, text: str) -> None:
    async with FakeTelegram() as fake:
        pipe.send(fake.root_url)
        await asyncio.to_thread(pipe.recv)  # the bot is ready (users onboarded)
        for n in range(messages):
            await fake.user_sends(n % USERS + 1, text)
        pipe.send("queued")
        cpu = time.process_time()
        await fake.wait_for(lambda: _replies(fake) >= messages, timeout=600, what="all replies")
        cpu = time.process_time() - cpu
        pipe.send("done")
        await asyncio.to_thread(pipe.recv)  # the bot has stopped polling
        pipe.send(cpu)


async def _forget_bench_users(db: Database) -> None:
    """A reused PostgreSQL database must start each run with the same, empty users."""
    async with db.session() as session:
        await session.execute(delete(User).where(User.telegram_id <= USERS))


def _replies(fake: FakeTelegram) -> int:
    return sum(1 for record in fake.sent if record["method"] == "sendMessage")


async def run(messages: int, runs: int) -> dict[str, list[Sample]]:
    """Alternate the two bots so drift on the machine hits both equally."""
    samples: dict[str, list[Sample]] = {"echo": [], "wegwijs": []}
    for _ in range(runs):
        samples["echo"].append(await measure(echo_bot, messages, "hello"))
        samples["wegwijs"].append(await measure(wegwijs_bot, messages, "/menu"))
    return samples


def report(name: str, samples: list[Sample]) -> float:
    """Print one bot's line; return its median throughput."""
    rates = [s.updates_per_second for s in samples]
    bot_cpu = statistics.median(s.bot_cpu_ms for s in samples)
    server_cpu = statistics.median(s.server_cpu_ms for s in samples)
    print(f"{name}: " + ", ".join(f"{r:.0f}" for r in rates)
          + f" updates/s; median {statistics.median(rates):.0f}"
          + f" | CPU per update: bot {bot_cpu:.2f} ms, fake server {server_cpu:.2f} ms")
    return statistics.median(rates)


def main() -> None:
    """Print the numbers; docs/benchmarks.md records them with this command."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    samples = asyncio.run(run(args.messages, args.runs))
    print(f"messages per run: {args.messages}, runs: {args.runs}")
    a = report("(a) bare PTB echo bot", samples["echo"])
    b = report("(b) Wegwijs /menu    ", samples["wegwijs"])
    print(f"ratio b/a: {b / a:.2f}")


if __name__ == "__main__":
    main()
