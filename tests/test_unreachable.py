"""`python main.py run` while Telegram cannot be reached: one log line per try, growing
pauses, no traceback; and the bot starts as soon as Telegram answers."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from fakebot import FakeTelegram
from fakebot.polling import TOKEN
from tests.telegram import PROCESS_STARTUP, TgUser, visible, watching_process

pytestmark = pytest.mark.slow  # a real process, started and stopped

ROOT = Path(__file__).resolve().parent.parent


def closed_port() -> int:
    """A loopback port nobody listens on (taken and let go at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def start_bot(api_root: str, workdir: Path, url: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api_root,
           "DATABASE_URL": url, "WEGWIJS_CONNECT_RETRY": "0.05"}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-X", "dev", str(ROOT / "main.py"), "run", cwd=workdir, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)


async def failed_tries(process: asyncio.subprocess.Process, wanted: int) -> list[str]:
    """Log lines until `wanted` tries have failed; every line is one JSON object."""
    assert process.stderr is not None
    lines: list[str] = []
    while sum("not reachable" in line for line in lines) < wanted:
        line = await asyncio.wait_for(process.stderr.readline(), PROCESS_STARTUP)
        assert line, "the bot stopped: " + "".join(lines)
        lines.append(line.decode())
    return lines


async def stop(process: asyncio.subprocess.Process) -> tuple[int, str]:
    process.send_signal(signal.SIGINT)
    _, rest = await asyncio.wait_for(process.communicate(), timeout=30)
    return await process.wait(), rest.decode()


async def test_an_unreachable_telegram_is_one_line_per_try_with_growing_pauses(
    tmp_path: Path, empty_db_url: str
) -> None:
    process = await start_bot(f"http://127.0.0.1:{closed_port()}", tmp_path, empty_db_url)
    lines = await failed_tries(process, 4)
    code, rest = await stop(process)
    records = [json.loads(line) for line in lines]
    tries = [r for r in records if "not reachable" in r["msg"]]
    assert [r["attempt"] for r in tries] == [1, 2, 3, 4]
    assert [r["msg"].rsplit(" in ", 1)[1] for r in tries] == ["0.05 s", "0.1 s", "0.2 s",
                                                              "0.4 s"]
    assert all(r["level"] == "WARNING" and "exception" not in r for r in tries)
    assert TOKEN not in "".join(lines) + rest
    assert code == 0
    for noise in ("Traceback", "Unclosed", "was never awaited", "destroyed but it is pending"):
        assert noise not in "".join(lines) + rest


async def test_the_bot_starts_when_telegram_appears_after_a_few_failures(
    tmp_path: Path, empty_db_url: str
) -> None:
    async with FakeTelegram() as fake:
        await fake.disconnect()  # the port stays ours, nobody answers on it
        process = await start_bot(fake.root_url, tmp_path, empty_db_url)
        lines = await failed_tries(process, 3)
        await fake.reconnect()
        await fake.wait_for(lambda: bool(fake.commands), PROCESS_STARTUP,
                            what="the bot to start")
        with watching_process(fake):
            user = TgUser(fake, 801)
            await user.send("/start")
            await user.press("lang:ar")
            await user.press("priv:yes")
            assert visible("ar", "Who are you?") in user.screen()[-1]
        code, rest = await stop(process)
    assert code == 0
    assert "Telegram answered after" in rest
    assert "Traceback" not in "".join(lines) + rest


@pytest.mark.parametrize("command", ["run", "chat", "migrate"])
def test_a_database_that_cannot_be_opened_is_one_line(tmp_path: Path, command: str) -> None:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL":
           f"http://127.0.0.1:{closed_port()}",
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/missing/folder/wegwijs.db"}
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), command], cwd=tmp_path,
                          env=env, input="", capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "Configuration error: cannot use the database in DATABASE_URL (unable to open "
        "database file)"]
