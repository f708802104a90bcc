"""Core Outcome → Bot API calls: answer the button, edit or send, in Telegram's HTML."""

from __future__ import annotations

from functools import lru_cache

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.core.ports import Keyboard, Outcome, Reply

TOAST_LIMIT = 200  # characters Telegram shows in an answerCallbackQuery notice


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


async def deliver(bot: Bot, chat_id: int, query: CallbackQuery | None, outcome: Outcome) -> None:
    """Send what the core decided, in order; a pressed button always gets its answer."""
    if query is not None:
        await query.answer(outcome.toast[:TOAST_LIMIT] if outcome.toast else None)
    for reply in outcome.replies:
        pressed = query.message if query is not None else None
        if reply.replace and isinstance(pressed, Message):
            await _replace(bot, pressed, reply)
        else:
            await send(bot, chat_id, reply)


async def send(bot: Bot, chat_id: int, reply: Reply) -> Message:
    """One new message (a document with a caption, if the reply carries one)."""
    if reply.document is not None:
        return await bot.send_document(
            chat_id, InputFile(reply.document.data, filename=reply.document.filename),
            caption=reply.text, parse_mode=ParseMode.HTML, reply_markup=markup(reply.keyboard))
    return await bot.send_message(
        chat_id, reply.text, parse_mode=ParseMode.HTML, reply_markup=markup(reply.keyboard),
        disable_web_page_preview=True,
    )


async def _replace(bot: Bot, message: Message, reply: Reply) -> None:
    """Edit in place; if Telegram refuses (too old, deleted), send a new message instead."""
    try:
        await bot.edit_message_text(
            reply.text, chat_id=message.chat.id, message_id=message.message_id,
            parse_mode=ParseMode.HTML, reply_markup=markup(reply.keyboard),
            disable_web_page_preview=True,
        )
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return  # the same screen pressed twice: nothing to change
        await send(bot, message.chat.id, reply)
