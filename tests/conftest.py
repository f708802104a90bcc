"""Shared fixtures: a real database per test (SQLite, or PostgreSQL: tests/databases.py),
migrated, and the core."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import Content, build_router, load_content
from bot.config import Settings, load_settings
from bot.core.engine import Core
from bot.core.router import Router
from bot.storage.db import Database
from fakebot import FakeTelegram
from tests.databases import copy_database, discard, empty_database

FIXED_NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database with every migration applied, made once per worker: each test gets a
    copy (migrating takes half a second, copying a few milliseconds; test_migrations
    migrates from empty)."""
    url = empty_database(tmp_path_factory.mktemp("template"), "migrated.db")

    async def migrate() -> None:
        database = Database(url)
        await database.migrate()
        await database.close()

    try:
        asyncio.run(migrate())
        yield url
    finally:
        discard(url)


@pytest.fixture
def db_url(tmp_path: Path, migrated: str) -> Iterator[str]:
    """A fresh migrated database per test, real and nothing mocked: a SQLite file, or a
    PostgreSQL database when WEGWIJS_TEST_POSTGRES is set (tests/databases.py)."""
    url = copy_database(migrated, tmp_path)
    yield url
    discard(url)


@pytest.fixture
def empty_db_url(tmp_path: Path) -> Iterator[str]:
    """A database of the test's own without any table, for tests of `python main.py`
    (which migrates at startup) and of migrations."""
    url = empty_database(tmp_path, "empty.db")  # its own file: a test may also ask for db_url
    yield url
    discard(url)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Settings as the process would load them, without reading the developer's .env."""
    return load_settings({"DATABASE_URL": db_url, "WEGWIJS_ADMIN_IDS": "4242"},
                         env_file=tmp_path / "absent.env")


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    """The test's own migrated database, closed after the test."""
    database = Database(settings.database_url)
    yield database
    await database.close()


@pytest.fixture(scope="session")
def content() -> Content:
    """The journeys and answers, read and checked once per run."""
    return load_content()


@pytest.fixture(scope="session")
def router(content: Content) -> Router:
    """Every feature as production registers it, built once per run (the text models take
    a second): routers keep no state between turns, that lives in the database."""
    return build_router(content.journeys, content.answers)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """A fake Bot API server on 127.0.0.1 for tests that drive the real PTB Application."""
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
def core(settings: Settings, db: Database, router: Router) -> Core:
    """The core with a fixed clock, so month buttons are predictable."""
    return Core(db, router, settings.policy(), lambda: FIXED_NOW)


class MovingClock:
    """Time that flows like the real clock from a chosen start, and can jump ahead."""

    def __init__(self, start: datetime = FIXED_NOW) -> None:
        self.start, self.began, self.offset = start, time.monotonic(), timedelta()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.began) + self.offset

    def jump(self, **delta: float) -> None:
        """Move time forward (a Monday morning, a minute later, …)."""
        self.offset += timedelta(**delta)


@pytest.fixture
def clock() -> MovingClock:
    """A clock for tests that wait on time-based behaviour (group-chat budget, Monday jobs)."""
    return MovingClock()


@pytest.fixture
def moving_core(settings: Settings, db: Database, clock: MovingClock, router: Router) -> Core:
    """The core on a moving clock."""
    return Core(db, router, settings.policy(), clock)
