"""The async engine, a session per update, and migrations applied at startup."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x5765_6777_696A_7300  # pg advisory lock key held while migrating ("Wegwijs")
MIGRATION_WAIT = 120  # seconds an instance waits for another one's migration
SQLITE_BUSY_TIMEOUT = 10.0  # seconds SQLite waits for another writer before "database is locked"
# (PostgreSQL: lock_timeout, how long a statement waits for a lock another connection holds)
LOCK_RETRIES = 2  # a unit of work that still finds the database locked is run again this often
LOCK_BACKOFF = 0.2  # seconds before the first retry; doubles with each further one
# SQLite: another connection holds the write lock (BUSY, also BUSY_SNAPSHOT) or a table lock.
# PostgreSQL: serialization failure and deadlock, which ask for the transaction to be re-run,
# and lock_not_available (lock_timeout ran out).
_SQLITE_TRANSIENT = ("SQLITE_BUSY", "SQLITE_LOCKED")
_POSTGRES_TRANSIENT = frozenset({"40001", "40P01", "55P03"})
log = logging.getLogger(__name__)
T = TypeVar("T")


class Database:
    """One engine per process; sessions are short-lived, one per update or job."""

    def __init__(self, url: str, busy_timeout: float = SQLITE_BUSY_TIMEOUT,
                 lock_retries: int = LOCK_RETRIES) -> None:
        self.url = url
        self.lock_retries = lock_retries
        self.engine: AsyncEngine = create_async_engine(url, **_engine_options(url, busy_timeout))
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._writer = asyncio.Lock() if self.engine.dialect.name == "sqlite" else None

    async def retrying(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run a unit of work, and run it again from the start while the database is locked.

        `work` must open its own session: a failed attempt has been rolled back entirely,
        so a retry never builds on half-written data. After `lock_retries` retries the
        error goes to the caller (the adapter apologises).
        """
        for attempt in range(self.lock_retries + 1):
            try:
                return await work()
            except DBAPIError as error:
                if not is_transient(error) or attempt == self.lock_retries:
                    raise
                log.warning("database busy (%s), retry %s of %s",
                            _reason(error.orig),
                            attempt + 1, self.lock_retries,
                            extra={"error": type(error).__name__, "attempt": attempt + 1})
            await asyncio.sleep(LOCK_BACKOFF * 2 ** attempt)
        raise AssertionError("unreachable: the last attempt returns or raises")

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

    async def migrate(self, revision: str = "head") -> None:
        """Bring the schema up to date; safe to run at every start, also by several
        instances starting at once on PostgreSQL: the first to take the advisory lock
        migrates, the others wait, then find the schema at head and do nothing (SQLite:
        the same with its write lock)."""
        async with self.engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # Batch migrations copy a table and drop the old one; with foreign keys on,
                # that DROP deletes the rows that point at it (ON DELETE CASCADE), so they are
                # off while migrating (Alembic's batch docs). The pragma is a no-op inside a
                # transaction: set before ours begins, checked after, restored at the end.
                await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                await connection.commit()
            try:
                async with connection.begin():
                    await _locked_upgrade(connection, revision)
            finally:
                if sqlite:
                    await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                    await connection.commit()

    async def ping(self, timeout: float) -> None:
        """Whether the database answers at all (for /healthz); raises if not in time."""
        async with asyncio.timeout(timeout), self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        """Release pooled connections (and SQLite file handles)."""
        await self.engine.dispose()


def is_transient(error: DBAPIError) -> bool:
    """Whether running the same transaction again may succeed (someone else held a lock)."""
    orig = error.orig
    name = str(getattr(orig, "sqlite_errorname", ""))
    if name.startswith(_SQLITE_TRANSIENT) or "database is locked" in str(orig):
        return True
    return str(getattr(orig, "sqlstate", "")) in _POSTGRES_TRANSIENT


def _reason(orig: BaseException | None) -> str:
    """SQLite's error name (SQLITE_BUSY) or PostgreSQL's SQLSTATE (55P03) for the log."""
    return str(getattr(orig, "sqlite_errorname", None) or getattr(orig, "sqlstate", None)
               or type(orig).__name__)


def _engine_options(url: str, busy_timeout: float) -> dict[str, Any]:
    """SQLite through aiosqlite as SQLAlchemy documents it; PostgreSQL keeps a pool."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": busy_timeout}}
    # Every session ends its own transaction (Database.session), so the pool's extra
    # rollback on return is a wasted round trip on each update. A lock held elsewhere is
    # waited for as long as SQLite would, then retried like SQLite's "database is locked".
    lock_timeout = {"lock_timeout": f"{round(busy_timeout * 1000)}ms"}
    return {"pool_size": 10, "pool_reset_on_return": None,
            "connect_args": {"server_settings": lock_timeout}}


def _in_wal(cursor: Any) -> bool:
    """Whether the database file is in WAL mode (a read: needs no lock)."""
    cursor.execute("PRAGMA journal_mode")
    return str(cursor.fetchone()[0]).lower() == "wal"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers and the writer work at once; NORMAL sync is safe in WAL mode.

    WAL is a property of the file: set once. Setting it again while another process holds
    the write lock (a second instance starting mid-migration) fails as "locked"; so does
    setting it when the other process, starting at the same moment, set it first and began
    migrating: then the file is in WAL already, which a second look shows.
    """
    cursor = dbapi_connection.cursor()
    if not _in_wal(cursor):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:
            if not _in_wal(cursor):
                raise
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic configured in code, so no alembic.ini has to match the environment."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def _locked_upgrade(connection: AsyncConnection, revision: str) -> None:
    """Migrate to `revision` holding the database's migration lock; SQLite's rows must still
    point at rows that exist afterwards."""
    if connection.dialect.name == "sqlite":
        # SQLite's write lock up front (the driver would begin lazily): a second
        # process waits for it (busy timeout) instead of creating the same tables.
        await connection.exec_driver_sql("BEGIN IMMEDIATE")
    if connection.dialect.name == "postgresql":
        # Taken on the migration's own connection and transaction, released by its
        # commit or rollback: a crashed migration cannot leave it held.
        await connection.execute(text(f"SET LOCAL lock_timeout = '{MIGRATION_WAIT}s'"))
        await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                 {"key": MIGRATION_LOCK})
    await connection.run_sync(_upgrade, revision)
    if connection.dialect.name == "sqlite":
        broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).fetchall()
        if broken:
            raise RuntimeError(f"migration left rows pointing at nothing: {broken[:5]}")


def _upgrade(connection: Connection, revision: str) -> None:
    """Run inside the async engine's connection (Alembic's connection-sharing recipe)."""
    command.upgrade(alembic_config(connection), revision)
