"""Shared fixtures: real SQLite files in a temporary folder, a migrated database, the core."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import build_core
from bot.config import Settings, load_settings
from bot.core.engine import Core
from bot.storage.db import Database
from fakebot import FakeTelegram

FIXED_NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh SQLite file per test: real database, nothing mocked."""
    return f"sqlite+aiosqlite:///{tmp_path / 'wegwijs.db'}"


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Settings as the process would load them, without reading the developer's .env."""
    return load_settings({"DATABASE_URL": db_url, "WEGWIJS_ADMIN_IDS": "4242"},
                         env_file=tmp_path / "absent.env")


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    """A migrated database, closed after the test."""
    database = Database(settings.database_url)
    await database.migrate()
    yield database
    await database.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """A fake Bot API server on 127.0.0.1 for tests that drive the real PTB Application."""
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
def core(settings: Settings, db: Database) -> Core:
    """The core with a fixed clock, so month buttons are predictable."""
    return build_core(settings, db, clock=lambda: FIXED_NOW)


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
def moving_core(settings: Settings, db: Database, clock: MovingClock) -> Core:
    """The core on a moving clock."""
    return build_core(settings, db, clock=clock)
