"""Choosing and changing the language, at the start and at any time after."""

from __future__ import annotations

from bot.core import fallback, states
from bot.core.menu import ChooseLanguage
from bot.core.payloads import Payload
from bot.core.ports import Button, Keyboard
from bot.core.router import Router, Turn
from bot.i18n import N_, _, language_codes, languages, switch_locale, use_locale


class PickLanguage(Payload, prefix="lang"):
    """One language of the picker."""

    code: str


def picker_keyboard() -> Keyboard:
    """Native names, so everyone finds their own language without reading another."""
    return tuple((Button(lang.native_name, PickLanguage(lang.code).encode()),)
                 for lang in languages())


def picker_text() -> str:
    """The question in every shipped language, because we do not know theirs yet."""
    lines = []
    for code in language_codes():
        with use_locale(code):
            lines.append(_("Choose your language"))
    return "\n".join(lines)


async def show_picker(turn: Turn) -> None:
    """Ask for the language."""
    turn.say(picker_text(), picker_keyboard())


async def _open(turn: Turn, _pressed: ChooseLanguage) -> None:
    await show_picker(turn)


async def choose(turn: Turn, picked: PickLanguage) -> None:
    """Store the choice and carry on in the new language where the user was."""
    code = picked.code
    if code not in language_codes():
        await fallback.stale(turn)
        return
    turn.user.locale = code
    switch_locale(code)
    if turn.user.state == states.LANGUAGE:
        turn.user.state = states.PRIVACY
    await turn.resume()


def register(router: Router) -> None:
    """The language step of onboarding and /language."""
    router.command("language", show_picker, N_("Change language"))
    router.on(PickLanguage, choose)
    router.on(ChooseLanguage, _open)
    router.prompt(states.LANGUAGE, show_picker)
