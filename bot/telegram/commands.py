"""Telegram's command menu in every shipped language (setMyCommands with language_code)."""

from __future__ import annotations

from telegram import Bot, BotCommand

from bot.core.menu import command_list
from bot.core.router import Router
from bot.i18n import SOURCE_LANGUAGE, _, language_codes, use_locale


def commands_for(router: Router, code: str) -> list[BotCommand]:
    """The command list as a user with this language sees it."""
    with use_locale(code):
        return [BotCommand(name, _(label)) for name, label in command_list(router)]


async def publish(bot: Bot, router: Router) -> None:
    """One list per language, plus a default for users whose language we do not ship."""
    await bot.set_my_commands(commands_for(router, SOURCE_LANGUAGE))
    for code in language_codes():
        await bot.set_my_commands(commands_for(router, code), language_code=code)
