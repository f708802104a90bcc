"""Migrations: the schema they build is the schema the models describe, re-running is safe,
and upgrading a database that has data works; on SQLite and on PostgreSQL alike (which
dialect depends on WEGWIJS_TEST_POSTGRES, tests/databases.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text

from bot.storage.db import Database, alembic_config
from bot.storage.models import Base


def _diff(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


async def test_models_match_migrations(db: Database) -> None:
    async with db.engine.connect() as connection:
        assert await connection.run_sync(_diff) == []


async def test_migrate_twice_is_harmless(db: Database) -> None:
    await db.migrate()
    async with db.engine.connect() as connection:
        version = (await connection.execute(text("select version_num from alembic_version"))).all()
    assert version == [("0013",)]


async def test_upgrade_with_data_settles_rows_the_old_senders_left_mid_send(
    empty_db_url: str,
) -> None:
    """From an empty database to 0010, a reminder caught mid-send, then to the head: 0011
    marks it interrupted (it may have arrived), and the schema matches the models."""
    db = Database(empty_db_url)
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    async with db.engine.begin() as connection:
        await connection.run_sync(lambda c: command.upgrade(alembic_config(c), "0010"))
        await connection.execute(text(
            "INSERT INTO users (id, telegram_id, state, created_at, last_seen_at) "
            "VALUES (1, 77, 'menu', :now, :now)"), {"now": now})
        await connection.execute(text(
            "INSERT INTO reminders (user_id, kind, due_at, urgent, state, attempts, created_at)"
            " VALUES (1, 'checkin', :now, FALSE, 'sending', 1, :now)"), {"now": now})
    await db.migrate()
    async with db.engine.connect() as connection:
        states = (await connection.execute(text("SELECT state FROM reminders"))).all()
        assert states == [("interrupted",)]
        assert await connection.run_sync(_diff) == []
    await db.close()
