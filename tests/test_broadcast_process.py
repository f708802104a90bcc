"""A broadcast survives SIGKILL: `python main.py` killed while sending to 300 people and
started again; every recipient ends up with exactly one message."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from sqlalchemy import select

from bot.storage.db import Database
from bot.storage.models import Delivery
from tests.broadcast_world import COORDINATOR, queue_broadcast
from tests.fakebot import FakeTelegram
from tests.test_reminders_process import bot_process

PEOPLE = list(range(2000, 2300))


async def unfinished(workdir: Path) -> int:
    db = Database(f"sqlite+aiosqlite:///{workdir / 'bot.db'}")
    async with db.session() as session:
        rows = await session.scalars(select(Delivery.id).where(
            Delivery.state.in_(("pending", "sending"))))
        count = len(rows.all())
    await db.close()
    return count


async def test_killed_mid_broadcast_and_restarted_everyone_gets_one_message(
    tmp_path: Path,
) -> None:
    async with FakeTelegram() as fake:
        for chat in [*PEOPLE, COORDINATOR]:
            await fake.add_chat(chat)
        assert await queue_broadcast(tmp_path, PEOPLE) == len(PEOPLE)

        def received() -> int:
            return sum(1 for c in PEOPLE if fake.messages(c))

        async with bot_process(fake, tmp_path) as process:
            await fake.wait_for(lambda: received() >= 100, 30, what="a third of the messages")
            process.send_signal(signal.SIGKILL)
        halfway = received()
        async with bot_process(fake, tmp_path):
            for _tick in range(300):
                if not await unfinished(tmp_path):
                    break
                await asyncio.sleep(0.2)
    counts = [len(fake.messages(c)) for c in PEOPLE]
    assert 100 <= halfway < len(PEOPLE)
    assert counts == [1] * len(PEOPLE)
