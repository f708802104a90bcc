"""The bot's own process: Wegwijs as `main.py run` builds it, polling the fake."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from bot import logs
from bot.app import build_core
from bot.config import load_settings
from bot.storage.db import Database
from bot.telegram.app import build_application
from fakebot.polling import TOKEN, polling


@dataclass(frozen=True)
class BotSetup:
    """What the bot's process needs to know (it is pickled across to it)."""

    root_url: str
    db_url: str
    log_path: str
    busy_timeout: float
    admin: int


def bot_process(setup: BotSetup, pipe: Connection) -> None:
    """Child process: Wegwijs as `main.py run` builds it, until the parent says stop."""
    asyncio.run(_bot(setup, pipe))


async def _bot(setup: BotSetup, pipe: Connection) -> None:
    with open(setup.log_path, "w", encoding="utf-8") as stream:
        logs.configure(TOKEN, logging.INFO, stream)
        settings = load_settings({"DATABASE_URL": setup.db_url,
                                  "WEGWIJS_ADMIN_IDS": str(setup.admin)},
                                 env_file=Path(setup.log_path).with_name("absent.env"))
        core = build_core(settings, Database(settings.database_url,
                                             busy_timeout=setup.busy_timeout))
        app = build_application(core, TOKEN, setup.root_url)
        async with polling(app):
            await asyncio.to_thread(pipe.recv)
    pipe.send("stopped")
