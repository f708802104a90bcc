"""Core Outcome → Bot API calls: answer the button, edit or send, in Telegram's HTML."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import lru_cache, partial
from typing import TypeVar

import httpx
from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.core.ports import Keyboard, Outcome, Reply
from bot.telegram.pacing import Pacer

log = logging.getLogger(__name__)
TOAST_LIMIT = 200  # characters Telegram shows in an answerCallbackQuery notice
REPLY_TRIES = 4  # a direct reply is tried this often when Telegram fails or the line drops
REPLY_BACKOFF = 0.5  # seconds before the second try; doubled before each further one
REPLY_MAX_WAIT = 10.0  # a 429 asking for a longer pause than this is not waited out here
T = TypeVar("T")


@lru_cache(maxsize=512)
def markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    """Inline buttons carry short action ids, never their translated labels.

    Keyboards are immutable and few (menus per language), and PTB objects are costly
    to build, so each distinct keyboard is built once.
    """
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in keyboard]
    )


async def persist(call: Callable[[], Awaitable[T]], what: str) -> T:
    """Someone is waiting for this call: try again after a 5xx, a dropped connection or a
    short 429, or a timeout before the request left. Not after 400 (it would fail again)
    nor a timeout after it left (it may have arrived: a second copy is worse than the
    apology that follows)."""
    for tried in range(1, REPLY_TRIES + 1):
        try:
            return await call()
        except BadRequest:
            raise
        except (RetryAfter, NetworkError) as error:
            if isinstance(error, TimedOut) and left(error):
                raise
            wait = _pause(error, tried)
            if tried == REPLY_TRIES or wait > REPLY_MAX_WAIT:
                raise
            log.warning("%s failed (%s), try %s of %s in %ss", what, type(error).__name__,
                        tried + 1, REPLY_TRIES, wait,
                        extra={"error": type(error).__name__, "attempt": tried})
        await asyncio.sleep(wait)
    raise AssertionError("unreachable: the last try returns or raises")


def left(error: TimedOut) -> bool:
    """Whether the timed-out request may have reached Telegram.

    PTB 22 raises TimedOut `from` httpx's exception (telegram/request/_httpxrequest.py):
    a pool timeout ("Request was *not* sent to Telegram") or a connect timeout never sent
    a byte; a write or read timeout may have sent it all, and Telegram may have acted.
    """
    cause = error.__cause__
    if isinstance(cause, (httpx.PoolTimeout, httpx.ConnectTimeout)):
        return False
    return "was *not* sent" not in error.message


def retry_seconds(error: RetryAfter) -> float:
    """PTB gives retry_after as a timedelta (PTB_TIMEDELTA) or as seconds."""
    wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


def _pause(error: RetryAfter | NetworkError, tried: int) -> float:
    """Telegram's own pause after a 429; otherwise a backoff that doubles."""
    if isinstance(error, RetryAfter):
        return retry_seconds(error)
    return REPLY_BACKOFF * 2.0 ** (tried - 1)


async def deliver(bot: Bot, chat_id: int, query: CallbackQuery | None,
                  outcome: Outcome, pacer: Pacer) -> list[Reply]:
    """Send what the core decided, in order; a pressed button always gets its answer.

    Each new message takes a slot from the pacer first (ahead of the outbound queue), so
    direct replies count against Telegram's one budget.

    Returns the replies Telegram could not take after all tries (out of reach, 5xx, a
    long 429), from the first that failed on: the caller keeps them in the outbox. A
    timeout is raised instead, since that message may have arrived.
    """
    if query is not None:
        await _answer(query, outcome.toast[:TOAST_LIMIT] if outcome.toast else None)
    pressed = query.message if query is not None else None
    for index, reply in enumerate(outcome.replies):
        try:
            if reply.replace and isinstance(pressed, Message):
                await _replace(bot, pressed, reply, pacer)
            else:
                await pacer.reply()
                await persist(partial(send, bot, chat_id, reply), "reply")
        except (RetryAfter, NetworkError) as error:
            if isinstance(error, BadRequest) or (isinstance(error, TimedOut) and left(error)):
                raise
            return list(outcome.replies[index:])
    return []


async def _answer(query: CallbackQuery, toast: str | None) -> None:
    """Stop the button's spinner. If Telegram refuses (a press too old after a slow turn) or
    cannot be reached, the replies still go: the turn has been committed, so the person
    must see its result (Telegram stops the spinner by itself after a while)."""
    try:
        await persist(partial(query.answer, toast), "button answer")
    except (RetryAfter, NetworkError) as error:
        log.warning("button answer not given: %s", type(error).__name__,
                    extra={"error": type(error).__name__})


async def send(bot: Bot, chat_id: int, reply: Reply) -> Message:
    """One new message (a document with a caption, or a venue, if the reply carries one)."""
    if reply.venue is not None:
        place = reply.venue
        return await bot.send_venue(chat_id, place.latitude, place.longitude, place.title,
                                    place.address, reply_markup=markup(reply.keyboard))
    if reply.document is not None:
        return await bot.send_document(
            chat_id, InputFile(reply.document.data, filename=reply.document.filename),
            caption=reply.text, parse_mode=ParseMode.HTML, reply_markup=markup(reply.keyboard))
    return await bot.send_message(
        chat_id, reply.text, parse_mode=ParseMode.HTML, reply_markup=markup(reply.keyboard),
        disable_web_page_preview=True,
    )


async def _replace(bot: Bot, message: Message, reply: Reply, pacer: Pacer) -> None:
    """Edit in place; if Telegram refuses (too old, deleted), send a new message instead."""
    edit = partial(bot.edit_message_text, reply.text, chat_id=message.chat.id,
                   message_id=message.message_id, parse_mode=ParseMode.HTML,
                   reply_markup=markup(reply.keyboard), disable_web_page_preview=True)
    try:
        await persist(edit, "edit")
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return  # the same screen pressed twice: nothing to change
        await pacer.reply()
        await persist(partial(send, bot, message.chat.id, reply), "reply")
