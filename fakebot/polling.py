"""Running a real PTB Application against the fake, the way run_polling would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram.error import TelegramError
from telegram.ext import Application

TOKEN = "123456:TEST"  # a well-formed bot token; the fake accepts any


@asynccontextmanager
async def polling(app: Application[Any, Any, Any, Any, Any, Any]) -> AsyncIterator[None]:
    """Start with post_init and fast long polls; on exit stop it as production does."""
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None

    def error_callback(error: TelegramError) -> None:
        """As run_polling does: getUpdates failures go to the application's error handlers."""
        app.create_task(app.process_error(error=error, update=None))

    await app.updater.start_polling(poll_interval=0, timeout=1, error_callback=error_callback)
    try:
        yield
    finally:
        await app.updater.stop()
        await app.stop()
        if app.post_stop is not None:
            await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
