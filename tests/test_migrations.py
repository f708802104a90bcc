"""Migrations: the schema they build is the schema the models describe, and re-running is safe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text

from bot.storage.db import Database
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
    assert version == [("0012",)]
