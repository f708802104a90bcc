"""An offline fake Telegram Bot API server for end-to-end tests of the real PTB Application.

Tests (tests/) and benchmarks (bench/) both use it; it does not know the bot (it imports
nothing from bot/). fakebot/server.py says which module holds which part.
"""

from fakebot.errors import DROP, ApiError, Fault, JsonDict
from fakebot.html_check import (
    TelegramHtmlError,
    check_telegram_html,
    parse_telegram_html,
    utf16_length,
)
from fakebot.methods import Handler
from fakebot.observe import buttons
from fakebot.params import UploadedFile
from fakebot.server import FakeTelegram
from fakebot.state import BOT_USER

__all__ = [
    "BOT_USER",
    "DROP",
    "ApiError",
    "FakeTelegram",
    "Fault",
    "Handler",
    "JsonDict",
    "TelegramHtmlError",
    "UploadedFile",
    "buttons",
    "check_telegram_html",
    "parse_telegram_html",
    "utf16_length",
]
