"""The global error handler: log what failed without the user's words, and apologise."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from bot.core.engine import Core

log = logging.getLogger(__name__)


def describe(error: BaseException) -> str:
    """Exception type and stack frames only: messages can contain what the user typed."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    return f"{type(error).__name__}\n{frames}"


def register(application: Application[Any, Any, Any, Any, Any, Any], core: Core) -> None:
    """Install the handler that catches whatever a feature did not."""

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if context.error is None:
            return
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s failed: %s", update_id, describe(context.error))
        if isinstance(update, Update) and not isinstance(context.error, Forbidden):
            await _apologise(update, context, core)

    application.add_error_handler(on_error)


async def _apologise(update: Update, context: ContextTypes.DEFAULT_TYPE, core: Core) -> None:
    """Tell the person in private chat that it was our fault and they can try again."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type != chat.PRIVATE:
        return
    try:
        reply = await core.apology(user.id)
        await context.bot.send_message(chat.id, reply.text, parse_mode=ParseMode.HTML)
    except (TelegramError, OSError) as exc:
        log.warning("could not apologise for update %s: %s", update.update_id, type(exc).__name__)
