"""CPU per database turn: the ORM session Wegwijs uses vs SQLAlchemy Core vs the raw driver.

Run: .venv/bin/python -m bench.db_turn
     BENCH_DATABASE_URL=postgresql+asyncpg://… .venv/bin/python -m bench.db_turn

Each turn is what a Wegwijs update does: one "UPDATE users … RETURNING" and a commit,
for 50 users in turn. Prints wall and CPU milliseconds per turn for each layer.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.db import Database
from bot.storage.models import Base, User, utcnow

TURNS = 2000
USERS = 50
Turn = Callable[[int], Awaitable[None]]


def orm_turn(db: Database) -> Turn:
    """What bot.storage.users.get_or_create does inside Database.session()."""

    async def run(telegram_id: int) -> None:
        async with db.session() as session:
            touch = (update(User).where(User.telegram_id == telegram_id)
                     .values(last_seen_at=utcnow()).returning(User))
            (await session.execute(select(User).from_statement(touch))).scalar()

    return run


def core_turn(engine: AsyncEngine) -> Turn:
    """The same statement through an AsyncConnection: no session, no identity map."""
    table = Base.metadata.tables["users"]

    async def run(telegram_id: int) -> None:
        async with engine.begin() as connection:
            statement = (update(table).where(table.c.telegram_id == telegram_id)
                         .values(last_seen_at=utcnow()).returning(*table.c))
            (await connection.execute(statement)).first()

    return run


async def measure(name: str, turn: Turn) -> None:
    """Print wall and CPU time per turn."""
    wall, cpu = time.perf_counter(), time.process_time()
    for n in range(TURNS):
        await turn(n % USERS + 1)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{name:28} wall {wall / TURNS * 1000:.2f} ms   CPU {cpu / TURNS * 1000:.2f} ms")


async def main(url: str) -> None:
    """Fresh users, then the two layers, alternating twice to even out drift."""
    db = Database(url)
    await db.migrate()
    async with db.session() as session:
        await session.execute(delete(User).where(User.telegram_id <= USERS))
        session.add_all(User(telegram_id=n, state="menu") for n in range(1, USERS + 1))
    for _ in range(2):
        await measure("ORM session (Wegwijs)", orm_turn(db))
        await measure("SQLAlchemy Core connection", core_turn(db.engine))
    await db.close()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        default = f"sqlite+aiosqlite:///{Path(folder) / 'turns.db'}"
        asyncio.run(main(os.environ.get("BENCH_DATABASE_URL", default)))
