"""Composition root of the Telegram adapter: the PTB Application and what it registers."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.core.engine import Core
from bot.telegram import commands, errors
from bot.telegram.delivery import deliver
from bot.telegram.line import Line
from bot.telegram.ordering import PerChatUpdateProcessor
from bot.telegram.pacing import Pacer, budget_for
from bot.telegram.sender import Sender
from bot.telegram.timer import Timer
from bot.telegram.updates import to_incoming

log = logging.getLogger(__name__)
PTBApplication = Application[Any, Any, Any, Any, Any, Any]
CONCURRENT_UPDATES = 8  # chats handled at once; one chat is always handled in order


@dataclass
class Background:
    """What runs beside the update handlers: the one sender, its pacer, and the timer."""

    pacer: Pacer = field(default_factory=Pacer)
    line: Line | None = None
    sender: Sender | None = None
    timer: Timer | None = None
    running: bool = False  # from the end of startup to the start of the stop (for /healthz)

    def wake(self) -> None:
        """A turn or the timer queued messages for other chats."""
        if self.sender is not None:
            self.sender.wake()


def build_application(core: Core, token: str, api_root: str,
                      webhook: bool = False) -> PTBApplication:
    """A PTB Application pointed at `api_root` (Telegram, a local Bot API, or a test server).

    In webhook mode there is no Updater: updates come from the inbox (bot/telegram/inbox.py),
    which keeps their order per chat across instances and hands them to `process_update`.
    """
    background = Background(pacer=Pacer(budget_for(core.db)))
    builder = (
        Application.builder()
        .token(token)
        .base_url(f"{api_root}/bot")
        .base_file_url(f"{api_root}/file/bot")
        .post_init(lambda app: _startup(app, core, background))
        .post_stop(lambda _app: _stop(background))
        .post_shutdown(lambda _app: core.db.close())
    )
    if webhook:
        builder = builder.updater(None)
    else:
        builder = builder.concurrent_updates(PerChatUpdateProcessor(CONCURRENT_UPDATES))
    application = builder.build()
    application.bot_data["background"] = background
    register(application, core, background, durable=webhook)
    return application


def register(application: PTBApplication, core: Core, background: Background,
             durable: bool = False) -> None:
    """One handler for every update (the core routes), then the error handler. With
    `durable`, every update comes from the inbox and its turn marks it handled."""

    async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        event = to_incoming(update)
        if event is None:
            return
        if durable:
            event = replace(event, update_id=update.update_id)
        outcome = await core.handle(event)
        unsent = await deliver(context.bot, event.chat_id, update.callback_query, outcome,
                               background.pacer)
        if unsent:
            kept = await core.db.retrying(partial(core.keep, event.chat_id, unsent))
            log.warning("replies kept for later: %s (files dropped: %s)", kept,
                        len(unsent) - kept, extra={"update": update.update_id})
        if outcome.queued or unsent:
            background.wake()

    application.add_handler(TypeHandler(Update, on_update))
    errors.register(application, core)


async def _startup(application: PTBApplication, core: Core, background: Background) -> None:
    """Schema, features' startup work, command menus; then the sender and the timer."""
    await core.db.migrate()
    core.bot_username = application.bot.username
    await core.startup()
    await commands.publish(application.bot, core.router)
    line = background.line = Line(application.bot)
    background.sender = Sender(core, application.bot, line, background.pacer)
    background.sender.start()
    background.timer = Timer(core, background.wake)
    background.timer.start()
    background.running = True


async def _stop(background: Background) -> None:
    """Stop the timer, then let the sends in flight finish (their results recorded); the
    database closes after this."""
    background.running = False
    if background.timer is not None:
        await background.timer.stop()
    if background.sender is not None:
        await background.sender.stop()
    if background.line is not None:
        await background.line.close()
