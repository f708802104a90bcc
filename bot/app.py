"""Composition root of the core: which features exist, and in which order they register."""

from __future__ import annotations

from bot.config import Settings
from bot.core import fallback, language, menu, onboarding, privacy
from bot.core.engine import Clock, Core
from bot.core.router import Router
from bot.storage.db import Database


def build_router() -> Router:
    """Register every feature; a key claimed twice fails here, at startup."""
    router = Router()
    language.register(router)  # 1. language picker: the first thing anyone sees
    privacy.register(router)  # 2. consent before any answer is saved; /privacy, /delete
    onboarding.register(router)  # 3. /start and the profile questions
    menu.register(router)  # 4. main menu, /help with emergency numbers, "My details"
    fallback.register(router)  # last: kind answers for whatever nobody else claimed
    return router


def build_core(settings: Settings, db: Database, clock: Clock | None = None) -> Core:
    """The core that every adapter (Telegram, console, tests) talks to."""
    if clock is None:
        return Core(db, build_router(), settings)
    return Core(db, build_router(), settings, clock)
