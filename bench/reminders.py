"""Reminders at scale: startup with 100,000 pending reminders, memory, and lateness.

The database holds `--pending` reminders due next month plus `--due` reminders spread
evenly over one minute, starting a few seconds after the bot has started. The fake Bot
API runs in its own process and timestamps each sendMessage; lateness is the time from a
reminder's due moment to its arrival at the fake server. Startup is the time from
building the bot to the end of its first reminder tick (migrations, startup work, command
menus, and the first look at the reminders table). Nothing is scheduled in memory, so the
100,000 pending reminders cost a query, not 100,000 timers.

    .venv/bin/python -m bench.reminders --pending 100000 --due 1000
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bot.app import build_core
from bot.config import load_settings
from bot.storage.db import Database
from bot.storage.models import Appointment, Reminder, User
from bot.telegram.app import build_application
from fakebot import FakeTelegram
from fakebot.polling import polling

TOKEN = "123456:BENCH"
LEAD = 8.0  # seconds between the bot's start and the first due reminder
CHUNK = 5000


async def fill(db: Database, pending: int, due: int, first_due: datetime) -> None:
    """Users, one appointment each, and their reminders, inserted in bulk."""
    users = max(due, pending // 10)
    now = datetime.now(UTC)
    async with db.session() as session:
        await _insert(session, User, [
            {"telegram_id": 1_000_000 + n, "locale": "nl", "state": "menu", "created_at": now,
             "last_seen_at": now} for n in range(users)])
        ids = list(await session.scalars(select(User.id).order_by(User.id)))
        await _insert(session, Appointment, [
            {"user_id": uid, "what": "gemeente", "status": "active", "day_before": True,
             "hour_before": True, "created_at": now, "at": now + timedelta(days=40)}
            for uid in ids])
        appointments = list(await session.scalars(select(Appointment.id).order_by(Appointment.id)))
        rows = [_reminder(ids[n % users], appointments[n % users], now + timedelta(days=30), now)
                for n in range(pending)]
        spread = 60.0 / due
        rows += [_reminder(ids[n], appointments[n], first_due + timedelta(seconds=n * spread), now)
                 for n in range(due)]
        await _insert(session, Reminder, rows)


def _reminder(user_id: int, appointment_id: int, due: datetime, now: datetime) -> dict[str, Any]:
    return {"user_id": user_id, "kind": "appointment", "appointment_id": appointment_id,
            "lead": "hour", "due_at": due, "useful_until": due + timedelta(days=1),
            "urgent": True, "state": "scheduled", "attempts": 0, "created_at": now}


async def _insert(session: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(model), rows[start:start + CHUNK])


async def measure(pending: int, due: int) -> None:
    """Run once and print the numbers."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    server = context.Process(target=_serve, args=(child, due), daemon=True)
    server.start()
    root_url = await asyncio.to_thread(parent.recv)
    with tempfile.TemporaryDirectory() as workdir:
        settings = load_settings({"DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/bench.db"},
                                 env_file=Path(workdir) / "none.env")
        db = Database(settings.database_url)
        await db.migrate()
        filled = time.perf_counter()
        await fill(db, pending, due, datetime.now(UTC) + timedelta(seconds=600))
        print(f"filled {pending + due} reminders in {time.perf_counter() - filled:.1f} s")
        await _start_and_wait(db, settings, root_url, parent, due)
    server.join(timeout=10)


async def _start_and_wait(db: Database, settings: Any, root_url: str, pipe: Connection,
                          due: int) -> None:
    """Move the due minute to just after startup, start, and collect arrival times."""
    first_due = await _shift_due_minute(db, due)
    started = time.perf_counter()
    core = build_core(settings, db)
    app = build_application(core, TOKEN, root_url)
    async with polling(app):
        await core.tick()  # the first look at the tables, as the first tick does
        startup = time.perf_counter() - started
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"startup: {startup:.2f} s; resident memory (max RSS): {rss_mb:.0f} MB")
        arrivals: list[tuple[int, float]] = await asyncio.to_thread(pipe.recv)
    pipe.send("stop")  # the bot has stopped polling: the fake may go
    lateness = sorted(arrival - (first_due + index * 60.0 / due)
                      for index, (_chat, arrival) in enumerate(sorted(arrivals)))
    chats = [chat for chat, _ in arrivals]
    print(f"due in one minute: {due}; arrived: {len(arrivals)}; "
          f"sent twice: {len(chats) - len(set(chats))}")
    print(f"lateness p50 {statistics.median(lateness):.3f} s, "
          f"p99 {lateness[int(len(lateness) * 0.99) - 1]:.3f} s, max {lateness[-1]:.3f} s")


async def _shift_due_minute(db: Database, due: int) -> float:
    """The due reminders start LEAD seconds from now (after filling, which takes a while)."""
    first = datetime.now(UTC) + timedelta(seconds=LEAD)
    async with db.session() as session:
        soon = list(await session.scalars(select(Reminder).where(
            Reminder.due_at < datetime.now(UTC) + timedelta(days=1)).order_by(Reminder.id)))
        for index, reminder in enumerate(soon[:due]):
            reminder.due_at = first + timedelta(seconds=index * 60.0 / due)
    return first.timestamp()


def _serve(pipe: Connection, due: int) -> None:
    asyncio.run(_serve_async(pipe, due))


async def _serve_async(pipe: Connection, due: int) -> None:
    """A fake Bot API that notes when each reminder arrived."""
    async with FakeTelegram() as fake:
        for n in range(due):  # the people whose reminders fall due have opened the chat
            await fake.add_chat(1_000_000 + n)
        pipe.send(fake.root_url)
        await fake.wait_for(lambda: _sent(fake) >= due, timeout=600, what="all reminders")
        await asyncio.sleep(3)  # anything sent twice would arrive now
        arrivals = [(int(r["params"]["chat_id"]), float(r["result"]["_arrived"]))
                    for r in fake.sent if r["method"] == "sendMessage"]
        pipe.send(arrivals)
        await asyncio.to_thread(pipe.recv)


def _sent(fake: FakeTelegram) -> int:
    """Count sendMessage calls, stamping each with its arrival time the first time it is seen
    (the predicate runs whenever the fake's state changes, so right after each call)."""
    messages = [r for r in fake.sent if r["method"] == "sendMessage"]
    for record in messages:
        record["result"].setdefault("_arrived", time.time())
    return len(messages)


def main() -> None:
    """Print the numbers; docs/benchmarks.md records them with this command."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1000)
    args = parser.parse_args()
    asyncio.run(measure(args.pending, args.due))


if __name__ == "__main__":
    main()
