"""An asyncio SQLite connection that runs statements on the event loop's own thread.

aiosqlite hands every call (cursor, execute, fetch, close, commit) to a worker thread and
waits for the answer. On a busy bot those hand-offs, and the two threads taking turns with
the GIL, cost more than the statements themselves: about 2 ms of CPU per update
(docs/benchmarks.md). A statement on a local file takes microseconds, so it runs inline.
Only a wait for another program's write lock goes to a thread, so the loop never blocks
on it. SQLAlchemy's aiosqlite dialect takes this connection through `async_creator`.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
Parameters = Sequence[Any] | dict[str, Any]


def _busy(error: sqlite3.OperationalError) -> bool:
    """Another connection holds the lock (SQLITE_BUSY and its extended codes)."""
    return getattr(error, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY


class InlineConnection:
    """The part of aiosqlite.Connection that SQLAlchemy's aiosqlite dialect uses."""

    def __init__(self, connection: sqlite3.Connection, busy_timeout: float) -> None:
        self._connection: sqlite3.Connection | None = connection
        self.busy_ms = round(busy_timeout * 1000)

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")  # the message SQLAlchemy maps
        return self._connection

    @property
    def isolation_level(self) -> str | None:
        """Read by SQLAlchemy's adapter."""
        return self._conn.isolation_level

    async def run(self, call: Callable[..., T], *args: Any) -> T:
        """Call at once; if another program holds the lock, wait for it on a thread."""
        try:
            return call(*args)
        except sqlite3.OperationalError as error:
            if not _busy(error) or self.busy_ms <= 0:
                raise
        return await asyncio.to_thread(self._waiting, call, *args)

    def _waiting(self, call: Callable[..., T], *args: Any) -> T:
        """The same call with SQLite's own busy handler on; off again afterwards."""
        self._conn.execute(f"PRAGMA busy_timeout={self.busy_ms}")
        try:
            return call(*args)
        finally:
            self._conn.execute("PRAGMA busy_timeout=0")

    def cursor(self) -> InlineCursor:
        """A cursor over the same connection (SQLAlchemy enters it with `__aenter__`)."""
        return InlineCursor(self, self._conn.cursor())

    async def commit(self) -> None:
        """Commit may meet the lock too (a checkpoint, or a deferred writer)."""
        await self.run(self._conn.commit)

    async def rollback(self) -> None:
        """Rolling back never waits for a lock."""
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        """SQLAlchemy registers regexp() and floor() this way."""
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        """Close once; closing again is harmless, as in aiosqlite."""
        self.stop()

    def stop(self) -> None:
        """SQLAlchemy's terminate: close without awaiting anything."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class InlineCursor:
    """The part of aiosqlite.Cursor that SQLAlchemy's cursor adapter uses."""

    def __init__(self, connection: InlineConnection, cursor: sqlite3.Cursor) -> None:
        self._connection = connection
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        """Nothing to set up: aiosqlite's cursor is awaited this way."""
        return self

    @property
    def description(self) -> Any:
        """Column names of the last result."""
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        """Rows changed by the last statement."""
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        """The last inserted row's id."""
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        """Rows per fetchmany()."""
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Parameters = ()) -> InlineCursor:
        """Run one statement (waiting off the loop if the file is locked)."""
        await self._connection.run(self._cursor.execute, sql, parameters)
        return self

    async def executemany(self, sql: str, rows: Iterable[Parameters]) -> InlineCursor:
        """Run one statement for many parameter sets."""
        await self._connection.run(self._cursor.executemany, sql, rows)
        return self

    async def fetchone(self) -> Any:
        """The next row, or None."""
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        """The next rows."""
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        """The remaining rows."""
        return self._cursor.fetchall()

    async def close(self) -> None:
        """Release the statement."""
        self._cursor.close()


async def connect(path: str, busy_timeout: float) -> InlineConnection:
    """Open the file for the async engine (`create_async_engine(async_creator=…)`).

    SQLite's own busy timeout is 0: a locked file answers at once, and the connection
    waits up to `busy_timeout` seconds on a thread instead. `check_same_thread` is off for
    that wait; the pool gives a connection to one session at a time.
    """
    connection = sqlite3.connect(path, timeout=0, check_same_thread=False)
    return InlineConnection(connection, busy_timeout)
