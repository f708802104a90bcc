"""`python main.py backup FILE` and `restore FILE`, as an operator runs them: a backup
taken, the database changed, the backup restored, and the bot back at the backup's state;
on SQLite and on PostgreSQL (pg_dump and pg_restore) alike."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from sqlalchemy import select

from bot.core.engine import Core
from bot.storage.db import Database
from bot.storage.models import User
from tests.chat import CoreChat, said, texts

ROOT = Path(__file__).resolve().parent.parent


async def main_py(workdir: Path, url: str, *arguments: str) -> tuple[int, str]:
    """The command as the README gives it; its exit code and what it printed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "main.py"), *arguments, cwd=workdir,
        env={**os.environ, "DATABASE_URL": url}, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode()


async def people(db: Database) -> list[tuple[int, str | None, str]]:
    """Who the bot knows, in which language, at which step."""
    async with db.session() as session:
        rows = await session.execute(
            select(User.telegram_id, User.locale, User.state).order_by(User.telegram_id))
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_a_restored_backup_brings_back_exactly_what_was_backed_up(
    core: Core, db: Database, db_url: str, tmp_path: Path,
) -> None:
    await CoreChat(core, user_id=1001).onboard("ar")
    before = await people(db)
    backup = tmp_path / "wegwijs.backup"

    code, output = await main_py(tmp_path, db_url, "backup", str(backup))
    assert (code, backup.is_file()) == (0, True), output

    await CoreChat(core, user_id=2002).onboard("ti")
    await CoreChat(core, user_id=1001).send("/language")
    assert await people(db) != before
    await db.engine.dispose()  # the bot is stopped for a restore

    code, output = await main_py(tmp_path, db_url, "restore", str(backup))
    assert code == 0, output
    assert await people(db) == before
    outcome = await CoreChat(core, user_id=1001).send("/menu")
    assert said("ar", "Main menu") in texts(outcome)


async def test_a_restore_from_a_missing_file_says_so_and_changes_nothing(
    core: Core, db: Database, db_url: str, tmp_path: Path,
) -> None:
    await CoreChat(core, user_id=1001).onboard("nl")
    before = await people(db)
    code, output = await main_py(tmp_path, db_url, "restore", str(tmp_path / "absent"))
    assert code == 2
    assert "restore failed: no backup file at" in output
    assert await people(db) == before
