"""The acceptance path: `python main.py run` as a real process against a Bot API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from fakebot import FakeTelegram
from fakebot.polling import TOKEN
from tests.telegram import PROCESS_STARTUP, TgUser, visible, watching_process

pytestmark = pytest.mark.slow  # a real process, started and killed

ROOT = Path(__file__).resolve().parent.parent


@asynccontextmanager
async def bot_process(fake: FakeTelegram, workdir: Path, url: str) -> AsyncIterator[None]:
    """Start the bot the way the README does, with only environment variables."""
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.root_url,
           "DATABASE_URL": url}
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "main.py"), cwd=workdir, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake.wait_for(lambda: bool(fake.commands), PROCESS_STARTUP, what="the bot to start")
        with watching_process(fake):
            yield
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
        assert "Traceback" not in stderr.decode(), stderr.decode()


async def test_main_runs_against_the_configured_api_and_survives_a_restart(
    tmp_path: Path, empty_db_url: str
) -> None:
    async with FakeTelegram() as fake:
        user = TgUser(fake, 701)
        async with bot_process(fake, tmp_path, empty_db_url):
            await user.send("/start")
            assert [label for label, _ in user.last_buttons()] == [
                "Nederlands", "English", "Polski", "العربية", "ትግርኛ"]
            await user.press("lang:ti")
            await user.press("priv:yes")
            assert visible("ti", "Who are you?") in user.screen()[-1]
        assert fake.token == TOKEN
        fake.commands.clear()
        async with bot_process(fake, tmp_path, empty_db_url):  # stopped mid-onboarding, again
            await user.send("/start")
            assert visible("ti", "Who are you?") in user.screen()[-1]
            await user.press("ob:role:newcomer")
            assert visible("ti", "Which fits you best?") in user.screen()[-1]
