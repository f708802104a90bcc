"""An offline fake Telegram Bot API server for end-to-end tests of the real PTB Application."""

from tests.fakebot.html_check import (
    TelegramHtmlError,
    check_telegram_html,
    parse_telegram_html,
    utf16_length,
)
from tests.fakebot.server import BOT_USER, FakeTelegram, UploadedFile, buttons

__all__ = [
    "BOT_USER",
    "FakeTelegram",
    "TelegramHtmlError",
    "UploadedFile",
    "buttons",
    "check_telegram_html",
    "parse_telegram_html",
    "utf16_length",
]
