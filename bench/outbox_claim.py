"""How long the sender's look for owed messages takes when many sent ones stay in the outbox.

Run: .venv/bin/python -m bench.outbox_claim [--sent 20000]
     BENCH_DATABASE_URL=postgresql+asyncpg://… .venv/bin/python -m bench.outbox_claim

Sent rows stay `active` (a board is redrawn in place), so a claim that walks past them pays
for every message ever sent. Seeds `--sent` sent broadcast rows and 100 owed ones, then
times `bot.storage.outbox.due` (the claim's query) 200 times: wall and CPU per look.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from bot.core.outbox import Lane
from bot.storage import outbox
from bot.storage.db import Database
from bot.storage.models import Base, Post

LOOKS = 200


async def seed(db: Database, sent: int) -> None:
    """`sent` rows shown long ago, then 100 still owed, all in the broadcast lane."""
    now = datetime.now(UTC)
    rows = [{"chat_id": 10_000 + n, "kind": "text", "text": "Hallo", "revision": 1,
             "sent_revision": 1 if n < sent else 0, "state": "active", "lane": Lane.BROADCAST,
             "created_at": now} for n in range(sent + 100)]
    async with db.session() as session:
        for start in range(0, len(rows), 5000):
            await session.execute(insert(Post), rows[start:start + 5000])


async def measure(url: str, sent: int) -> str:
    """Seed a fresh database and time the look."""
    db = Database(url)
    await db.migrate()
    try:
        await seed(db, sent)
        now = datetime.now(UTC)
        wall, cpu = time.perf_counter(), time.process_time()
        for _look in range(LOOKS):
            async with db.session() as session:
                found = await outbox.due(session, now, limit=4)
                assert len(found) == 4
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        async with db.engine.begin() as connection:
            await connection.run_sync(Base.metadata.drop_all)
        await db.close()
    return (f"{db.engine.dialect.name}, {sent} sent rows: a look takes "
            f"{wall / LOOKS * 1000:.2f} ms wall, {cpu / LOOKS * 1000:.2f} ms CPU")


def main() -> None:
    """Print the time per look."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sent", type=int, default=20_000)
    sent = parser.parse_args().sent
    url = os.environ.get("BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as folder:
        print(asyncio.run(measure(url or f"sqlite+aiosqlite:///{Path(folder) / 'b.db'}", sent)))


if __name__ == "__main__":
    main()
