"""Composition root of the Telegram adapter: the PTB Application and what it registers."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import AIORateLimiter, Application, BaseRateLimiter, ContextTypes, TypeHandler

from bot.core.engine import Core
from bot.telegram import commands, errors
from bot.telegram.delivery import deliver
from bot.telegram.ordering import PerChatUpdateProcessor
from bot.telegram.updates import to_incoming

PTBApplication = Application[Any, Any, Any, Any, Any, Any]
CONCURRENT_UPDATES = 8  # chats handled at once; one chat is always handled in order


def production_rate_limiter() -> AIORateLimiter:
    """Telegram's limits: about 30 messages/s overall and 20/min per group; retry 429s."""
    return AIORateLimiter(overall_max_rate=30, overall_time_period=1,
                          group_max_rate=20, group_time_period=60, max_retries=3)


def build_application(
    core: Core, token: str, api_root: str, rate_limiter: BaseRateLimiter[Any] | None = None
) -> PTBApplication:
    """A PTB Application pointed at `api_root` (Telegram, a local Bot API, or a test server)."""
    builder = (
        Application.builder()
        .token(token)
        .base_url(f"{api_root}/bot")
        .base_file_url(f"{api_root}/file/bot")
        .post_init(lambda app: _startup(app, core))
        .post_shutdown(lambda _app: core.db.close())
        .concurrent_updates(PerChatUpdateProcessor(CONCURRENT_UPDATES))
    )
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    application = builder.build()
    register(application, core)
    return application


def register(application: PTBApplication, core: Core) -> None:
    """One handler for every update (the core routes), then the error handler."""

    async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        event = to_incoming(update)
        if event is None:
            return
        outcome = await core.handle(event)
        await deliver(context.bot, event.chat_id, update.callback_query, outcome)

    application.add_handler(TypeHandler(Update, on_update))
    errors.register(application, core)


async def _startup(application: PTBApplication, core: Core) -> None:
    """Schema first, then the per-language command menus."""
    await core.db.migrate()
    await commands.publish(application.bot, core.router)
