"""Migrations: the schema they build is the schema the models describe, re-running is safe,
and upgrading a database that has data works; on SQLite and on PostgreSQL alike (which
dialect depends on WEGWIJS_TEST_POSTGRES, tests/databases.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Time,
    text,
)

from bot.config import Settings
from bot.core.engine import Core
from bot.core.privacy import PRIVACY_VERSION
from bot.core.router import Router
from bot.storage.db import Database, alembic_config
from bot.storage.models import Base
from tests.chat import CoreChat, said, texts


def _diff(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


async def test_models_match_migrations(db: Database) -> None:
    async with db.engine.connect() as connection:
        assert await connection.run_sync(_diff) == []


async def test_migrate_twice_is_harmless(db: Database) -> None:
    await db.migrate()
    async with db.engine.connect() as connection:
        version = (await connection.execute(text("select version_num from alembic_version"))).all()
    assert version == [(_head(),)]


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


def _head() -> str:
    """The newest revision: a database migrated by the bot is there."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _revisions() -> list[str]:
    """Every revision id, from the first to the head."""
    scripts = ScriptDirectory.from_config(alembic_config())
    return [script.revision for script in reversed(list(scripts.walk_revisions()))]


def _value(column: Column[Any], now: datetime) -> object:
    """A plausible value of the column's type (the row is stored, not interpreted)."""
    length = getattr(column.type, "length", None)
    values: list[tuple[type[Any], object]] = [
        (DateTime, now), (Date, now.date()), (Time, now.time()), (Boolean, False),
        (Integer, 7), (Float, 52.09), (Numeric, 7), (JSON, []), (LargeBinary, b"x"),
        (String, "x" * min(length or 3, 3))]
    for kind, value in values:
        if isinstance(column.type, kind):
            return value
    raise AssertionError(f"no test value for {column.table.name}.{column.name}")


def _fill_empty_tables(connection: Connection, now: datetime, keys: dict[str, object]) -> None:
    """One row in every table this revision has that has none yet: every column set, foreign
    keys pointing at the rows put in before, so each later migration meets real data."""
    tables = MetaData()
    tables.reflect(connection)
    for table in tables.sorted_tables:
        if table.name == "alembic_version" or table.name in keys:
            continue
        row: dict[str, object] = {}
        for column in table.columns:
            references = [key.column.table.name for key in column.foreign_keys]
            if references:
                row[column.name] = keys[references[0]]
            elif column.primary_key and isinstance(column.type, Integer):
                # Far above what a sequence hands out, so later inserts never collide.
                row[column.name] = 900_000 + len(keys)
            else:
                row[column.name] = _value(column, now)
        connection.execute(table.insert().values(row))
        keys[table.name] = next((row[c.name] for c in table.primary_key), None)


async def test_every_migration_meets_data_from_all_earlier_ones(
    empty_db_url: str, router: Router, settings: Settings,
) -> None:
    """From the first migration to the head, one step at a time, with a row in every table
    at every step (made when the table appears) and a real person from the first: nothing
    breaks, every row is still there, the schema is the models', and the person is
    answered in their language."""
    db = Database(empty_db_url)
    now = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    keys: dict[str, object] = {}
    for index, revision in enumerate(_revisions()):
        await db.migrate(revision)  # one step, the way the bot migrates at startup
        async with db.engine.begin() as connection:
            if index == 0:
                await connection.execute(text(
                    "INSERT INTO users (telegram_id, locale, state, privacy_version,"
                    " privacy_accepted_at, declared_role, situation, municipality_code,"
                    " arrival_month, created_at, last_seen_at, onboarded_at) VALUES (5150, 'ar',"
                    " 'menu', :privacy, :now, 'newcomer', 'refugee', 'GM0344', '2025-01', :now,"
                    " :now, :now)"), {"privacy": PRIVACY_VERSION, "now": now})
            await connection.run_sync(_fill_empty_tables, now, keys)
    async with db.engine.connect() as connection:
        assert await connection.run_sync(_diff) == []
        for name in keys:
            count = (await connection.execute(text(f"SELECT count(*) FROM {name}"))).scalar()
            assert count, f"the row put into {name} is gone"
    assert set(keys) >= {table.name for table in Base.metadata.sorted_tables}
    core = Core(db, router, settings.policy(), lambda: now)
    outcome = await CoreChat(core, user_id=5150).send("/menu")
    assert said("ar", "Main menu") in texts(outcome)
    await db.close()


async def test_two_instances_starting_at_once_both_migrate_one_schema(empty_db_url: str) -> None:
    """Two processes starting together on an empty database (PostgreSQL: the advisory
    lock lets one migrate while the other waits): both succeed, the schema is at head."""
    first, second = Database(empty_db_url), Database(empty_db_url)
    try:
        await asyncio.gather(first.migrate(), second.migrate())
        async with first.engine.connect() as connection:
            version = (await connection.execute(
                text("select version_num from alembic_version"))).all()
            assert version == [(_head(),)]
            assert await connection.run_sync(_diff) == []
    finally:
        await first.close()
        await second.close()
