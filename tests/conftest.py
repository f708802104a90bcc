"""Shared fixtures: real SQLite files in a temporary folder, a migrated database, the core."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import build_core
from bot.config import Settings, load_settings
from bot.core.engine import Core
from bot.storage.db import Database
from tests.fakebot import FakeTelegram

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
