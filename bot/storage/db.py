"""The async engine, a session per update, and migrations applied at startup."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000


class Database:
    """One engine per process; sessions are short-lived, one per update or job."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: AsyncEngine = create_async_engine(url, **_engine_options(url))
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._writer = asyncio.Lock() if self.engine.dialect.name == "sqlite" else None

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: commit on success, roll back on any error.

        SQLite has one writer at a time and its busy handler waits by sleeping; queueing
        our own transactions in-process is faster and keeps them in arrival order.
        """
        if self._writer is None:
            async with self._unit_of_work() as session:
                yield session
            return
        async with self._writer, self._unit_of_work() as session:
            yield session

    @asynccontextmanager
    async def _unit_of_work(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session, session.begin():
            yield session

    async def migrate(self) -> None:
        """Bring the schema up to date; safe to run at every start."""
        async with self.engine.begin() as connection:
            await connection.run_sync(_upgrade)

    async def close(self) -> None:
        """Release pooled connections (and SQLite file handles)."""
        await self.engine.dispose()


def _engine_options(url: str) -> dict[str, Any]:
    """SQLite waits on a locked file instead of failing; PostgreSQL keeps a small pool."""
    # Every session ends its own transaction (Database.session), so the pool's extra
    # rollback on return is a wasted round trip on each update.
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
                "pool_reset_on_return": None}
    return {"pool_size": 10, "pool_reset_on_return": None}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers and the writer work at once; NORMAL sync is safe in WAL mode."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic configured in code, so no alembic.ini has to match the environment."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    """Run inside the async engine's connection (Alembic's connection-sharing recipe)."""
    command.upgrade(alembic_config(connection), "head")
