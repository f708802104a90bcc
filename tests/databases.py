"""The databases tests run on: a SQLite file per test, or a PostgreSQL database per test.

Set WEGWIJS_TEST_POSTGRES to a PostgreSQL server's URL (with any database to connect to
for administration, e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/postgres; the role
must be allowed to create databases), and every test gets a fresh database there instead
of a SQLite file: `make test-postgres` starts a throw-away server for the run
(scripts/with-postgres) and sets it. Each pytest worker migrates a template database
once; a test's database is `CREATE DATABASE … TEMPLATE` of it, dropped after the test.
Names carry the worker's pid, so runs sharing a server do not meet.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import threading
from collections.abc import Coroutine
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import make_url

POSTGRES_VARIABLE = "WEGWIJS_TEST_POSTGRES"
SERVER_URL = os.environ.get(POSTGRES_VARIABLE, "").strip()
ON_POSTGRES = bool(SERVER_URL)
SQLITE_PREFIX = "sqlite+aiosqlite:///"
T = TypeVar("T")


def sqlite_url(path: Path) -> str:
    """The URL of a SQLite file."""
    return f"{SQLITE_PREFIX}{path}"


def sqlite_path(url: str) -> Path:
    """The file behind a SQLite URL."""
    assert url.startswith(SQLITE_PREFIX), url
    return Path(url.removeprefix(SQLITE_PREFIX))


def asyncpg_dsn(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as asyncpg wants it (no `+asyncpg`)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Blocking:
    """An event loop on a thread of its own: synchronous code, and code inside another
    running loop, can wait for a coroutine there (asyncpg has no synchronous API)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="test-db", daemon=True).start()

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run `work` on the thread's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(work, self.loop).result()


@cache
def blocking() -> Blocking:
    """One helper loop per test process."""
    return Blocking()


class Server:
    """Creates and drops this process's databases on the PostgreSQL server."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.prefix = f"wegwijs_test_{os.getpid()}"
        self.numbers = itertools.count(1)
        self.lock = threading.Lock()

    def url_of(self, name: str) -> str:
        """The SQLAlchemy URL of one database on this server."""
        return self.url.set(database=name).render_as_string(hide_password=False)

    def name(self) -> str:
        """A database name nobody else uses."""
        return f"{self.prefix}_{next(self.numbers)}"

    def create(self, name: str, template: str | None = None) -> str:
        """CREATE DATABASE (a copy of `template`, which nobody may be connected to)."""
        copy = f' TEMPLATE "{template}"' if template else ""
        self._admin(f'CREATE DATABASE "{name}"{copy}')
        return self.url_of(name)

    def drop(self, url: str) -> None:
        """DROP DATABASE, ending whatever connections are still open to it."""
        self._admin(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def _admin(self, statement: str) -> None:
        async def run() -> None:
            connection = await asyncpg.connect(asyncpg_dsn(str(self.url)))
            try:
                await connection.execute(statement)
            finally:
                await connection.close()

        with self.lock:
            blocking().run(run())


@cache
def server() -> Server:
    """The PostgreSQL server named by WEGWIJS_TEST_POSTGRES."""
    assert ON_POSTGRES, f"{POSTGRES_VARIABLE} is not set"
    return Server(SERVER_URL)


def empty_database(folder: Path, name: str = "wegwijs.db") -> str:
    """A new database without tables: a SQLite file in `folder`, or a PostgreSQL database.
    Drop it with `discard` (SQLite files go with their folder)."""
    if not ON_POSTGRES:
        return sqlite_url(folder / name)
    return server().create(server().name())


def copy_database(template: str, folder: Path, name: str = "wegwijs.db") -> str:
    """A new database with the content of `template` (nobody may be writing to it)."""
    if not ON_POSTGRES:
        target = folder / name
        shutil.copyfile(sqlite_path(template), target)
        return sqlite_url(target)
    return server().create(server().name(), template=str(make_url(template).database))


def discard(url: str) -> None:
    """Drop a PostgreSQL database made here (SQLite files are left to their folder)."""
    if url.startswith("postgresql"):
        server().drop(url)
