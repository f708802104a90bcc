"""Reminders survive SIGKILL: the real `python main.py` process, killed before a reminder is
due and killed while one is being sent; after a restart each arrives exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from asyncio.subprocess import Process
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core.privacy import PRIVACY_VERSION
from bot.storage.db import Database
from bot.storage.models import Appointment, Reminder, User
from fakebot import FakeTelegram
from fakebot.polling import TOKEN
from tests.telegram import PROCESS_STARTUP

pytestmark = pytest.mark.slow  # a real process, started and killed

ROOT = Path(__file__).resolve().parent.parent


@asynccontextmanager
async def bot_process(fake: FakeTelegram, workdir: Path, url: str) -> AsyncIterator[Process]:
    """The bot as the README starts it; the test decides how it ends (here: SIGKILL)."""
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.root_url,
           "DATABASE_URL": url}
    fake.commands.clear()
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "main.py"), cwd=workdir, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        await fake.wait_for(lambda: bool(fake.commands), PROCESS_STARTUP, what="the bot to start")
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)
        await process.wait()


async def prepare(url: str, due_in: dict[int, float]) -> None:
    """Users with an appointment each, and its reminder due in a few seconds (urgent, so quiet
    hours do not hold it back whenever the test runs)."""
    db = Database(url)
    await db.migrate()
    now = datetime.now(UTC)
    async with db.session() as session:
        for telegram_id, seconds in due_in.items():
            user = User(telegram_id=telegram_id, locale="nl", state="menu", onboarded_at=now,
                        privacy_version=PRIVACY_VERSION, privacy_accepted_at=now)
            session.add(user)
            await session.flush()
            appointment = Appointment(user_id=user.id, what="gemeente", status="active",
                                      at=now + timedelta(hours=1))
            session.add(appointment)
            await session.flush()
            session.add(Reminder(user_id=user.id, kind="appointment", lead="hour",
                                 appointment_id=appointment.id, urgent=True,
                                 due_at=now + timedelta(seconds=seconds),
                                 useful_until=appointment.at))
    await db.close()


async def states(url: str) -> list[str]:
    """Reminder states, by id."""
    db = Database(url)
    async with db.session() as session:
        found = list(await session.scalars(select(Reminder.state).order_by(Reminder.id)))
    await db.close()
    return found


def sends_to(fake: FakeTelegram, chat_id: int) -> int:
    """How many messages reached a chat."""
    return len(fake.messages(chat_id))


async def test_killed_before_due_and_killed_mid_send_each_reminder_arrives_once(
    tmp_path: Path, empty_db_url: str
) -> None:
    url = empty_db_url
    async with FakeTelegram() as fake:
        for chat in (951, 952):
            await fake.add_chat(chat)
        await prepare(url, {951: 10.0, 952: 10.0})
        async with bot_process(fake, tmp_path, url) as process:
            process.send_signal(signal.SIGKILL)  # long before the reminders are due
        assert sends_to(fake, 951) == sends_to(fake, 952) == 0
        await asyncio.sleep(10.5)  # both are due now, and nobody is running
        fake.stall("sendMessage", 952)  # 952's send will hang in the network
        async with bot_process(fake, tmp_path, url) as process:
            await fake.wait_for(lambda: sends_to(fake, 951) == 1, 15, what="the late reminder")
            await fake.wait_for(lambda: any(int(s["params"]["chat_id"]) == 952
                                            for s in fake.stalled), 15, what="a send in flight")
            for _tick in range(50):  # let 951's "sent" be recorded before the kill
                if (await states(url))[0] == "sent":
                    break
                await asyncio.sleep(0.1)
            process.send_signal(signal.SIGKILL)  # killed mid-send
        fake.release("sendMessage", 952)  # Telegram got it after all
        await fake.wait_for(lambda: sends_to(fake, 952) == 1, 5, what="the stalled send")
        async with bot_process(fake, tmp_path, url):
            await asyncio.sleep(3)  # several reminder ticks
        assert (sends_to(fake, 951), sends_to(fake, 952)) == (1, 1)
        assert await states(url) == ["sent", "interrupted"]
