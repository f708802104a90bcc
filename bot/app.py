"""Composition root of the core: which features exist, and in which order they register."""

from __future__ import annotations

from bot.config import Settings
from bot.core import crisis, fallback, language, menu, onboarding, privacy
from bot.core.engine import Clock, Core
from bot.core.journeys import feature as journeys
from bot.core.journeys.loader import load_journeys
from bot.core.journeys.schema import Journey
from bot.core.router import Router
from bot.storage.db import Database


def build_router(flows: dict[str, Journey]) -> Router:
    """Register every feature; a key claimed twice fails here, at startup."""
    router = Router()
    crisis.register(router)  # 0. crisis words get the crisis numbers before anything else
    language.register(router)  # 1. language picker: the first thing anyone sees
    privacy.register(router)  # 2. consent before any answer is saved; /privacy, /delete
    onboarding.register(router)  # 3. /start and the profile questions
    journeys.register(router, flows)  # 4. My steps: the journeys, first on the main menu
    menu.register(router)  # 5. main menu, /help with emergency numbers, "My details"
    fallback.register(router)  # last: kind answers for whatever nobody else claimed
    return router


def build_core(settings: Settings, db: Database, clock: Clock | None = None,
               flows: dict[str, Journey] | None = None) -> Core:
    """The core that every adapter (Telegram, console, tests) talks to.

    Journey files are checked here: a broken one raises JourneyError naming file and node.
    """
    router = build_router(load_journeys() if flows is None else flows)
    return Core(db, router, settings) if clock is None else Core(db, router, settings, clock)
