"""The global error handler: log what failed without the user's words, and apologise."""

from __future__ import annotations

import contextlib
import logging
import traceback
from functools import partial
from typing import Any

from telegram import CallbackQuery, Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, NetworkError, TelegramError
from telegram.ext import Application, ContextTypes

from bot.core.engine import Core
from bot.logs import pseudonym
from bot.telegram.delivery import persist

log = logging.getLogger(__name__)


def describe(error: BaseException) -> str:
    """Exception type and stack frames only: messages can contain what the user typed."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    return f"{type(error).__name__}\n{frames}"


def register(application: Application[Any, Any, Any, Any, Any, Any], core: Core) -> None:
    """Install the handler that catches whatever a feature did not."""

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        if error is None:
            return
        if not isinstance(update, Update):
            _background_failure(error)
            return
        user = update.effective_user
        fields = {"update": update.update_id, "error": type(error).__name__,
                  **({"user": pseudonym(user.id)} if user else {})}
        if isinstance(error, Forbidden):  # they blocked the bot: nobody to apologise to
            log.warning("update %s not answered: Forbidden", update.update_id, extra=fields)
            return
        log.error("update %s failed: %s", update.update_id, describe(error), extra=fields)
        await _apologise(update, context, core)

    application.add_error_handler(on_error)


def _background_failure(error: BaseException) -> None:
    """No update: polling failed (run_polling reports getUpdates errors here) or a task did.

    Telegram down or answering 5xx is expected now and then; PTB keeps polling with a
    growing pause (up to 30 s), so one line without frames is enough.
    """
    if isinstance(error, NetworkError):
        log.warning("polling failed: %s; trying again", type(error).__name__,
                    extra={"error": type(error).__name__})
        return
    log.error("background failure: %s", describe(error), extra={"error": type(error).__name__})


async def _apologise(update: Update, context: ContextTypes.DEFAULT_TYPE, core: Core) -> None:
    """Tell the person in private chat that it was our fault and they can try again."""
    if update.callback_query is not None:
        await _stop_spinner(update.callback_query)
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type != chat.PRIVATE:
        return
    try:
        reply = await core.apology(user.id)
        await persist(partial(context.bot.send_message, chat.id, reply.text,
                              parse_mode=ParseMode.HTML), "apology")
    except Exception as exc:  # the error handler itself must never fail
        log.warning("could not apologise for update %s: %s", update.update_id,
                    type(exc).__name__, extra={"error": type(exc).__name__})


async def _stop_spinner(query: CallbackQuery) -> None:
    """A press whose turn failed is still answered, so the button does not spin on."""
    with contextlib.suppress(TelegramError):  # answered before the failure, or unreachable
        await query.answer()
