"""The inline SQLite driver: statements run on the loop's thread, lock waits run beside it."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import DBAPIError

from bot.config import Settings
from bot.storage import users
from bot.storage.db import Database, is_transient
from bot.storage.models import User


def _thread_function(dbapi_connection: Any, _record: Any) -> None:
    """SQL can ask which thread runs it: thread_id()."""
    dbapi_connection.create_function("thread_id", 0, threading.get_ident)


@pytest.fixture
async def traced(settings: Settings) -> AsyncIterator[Database]:
    """A migrated database whose connections know the thread_id() function."""
    database = Database(settings.database_url, busy_timeout=2.0)
    event.listen(database.engine.sync_engine, "connect", _thread_function)
    await database.migrate()
    yield database
    await database.close()


class OtherProgram:
    """Another process's connection holding the write lock on the same file."""

    def __init__(self, db: Database) -> None:
        path = db.url.removeprefix("sqlite+aiosqlite:///")
        self.connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    def lock(self) -> None:
        self.connection.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.connection.execute("ROLLBACK")
        self.connection.close()


async def _ticks_while(work: asyncio.Task[Any]) -> int:
    """How often a 10 ms timer fired on the loop until `work` finished."""
    ticks = 0
    while not work.done():
        await asyncio.sleep(0.01)
        ticks += 1
    return ticks


async def test_wal_mode_and_sqlite_itself_never_waits_on_the_loop(db: Database) -> None:
    async with db.engine.connect() as connection:
        mode = (await connection.execute(text("pragma journal_mode"))).scalar()
        timeout = (await connection.execute(text("pragma busy_timeout"))).scalar()
        driver = (await connection.get_raw_connection()).driver_connection
    assert (mode, timeout) == ("wal", 0)
    assert driver is not None
    assert driver.busy_ms == 10_000  # the wait for a lock happens on a thread instead


async def test_statements_run_on_the_event_loop_thread(traced: Database) -> None:
    async with traced.session() as session:
        await users.get_or_create(session, 501)
        where = (await session.execute(select(text("thread_id()")))).scalar()
    assert where == threading.get_ident()


async def test_a_short_lock_is_waited_for_while_the_loop_keeps_running(
    traced: Database,
) -> None:
    other = OtherProgram(traced)
    other.lock()

    async def write() -> int:
        async with traced.session() as session:
            await users.get_or_create(session, 502)
            return int((await session.execute(select(text("thread_id()")))).scalar_one())

    work = asyncio.create_task(write())
    asyncio.get_running_loop().call_later(0.5, other.release)
    ticks = await _ticks_while(work)
    assert ticks >= 25  # about 50 in 0.5 s; a blocked loop would not tick at all
    assert await work == threading.get_ident()  # after the wait, back on the loop's thread
    async with traced.session() as session:
        assert await session.scalar(select(User.id).where(User.telegram_id == 502))
        assert (await session.execute(text("pragma busy_timeout"))).scalar() == 0


async def test_a_lock_longer_than_the_wait_is_a_transient_error(settings: Settings) -> None:
    database = Database(settings.database_url, busy_timeout=0.3)
    await database.migrate()
    other = OtherProgram(database)
    other.lock()
    started = time.monotonic()
    try:
        with pytest.raises(DBAPIError) as raised:
            async with database.session() as session:
                await users.get_or_create(session, 503)
    finally:
        other.release()
        await database.close()
    assert 0.3 <= time.monotonic() - started < 2.0
    assert is_transient(raised.value)
