"""Choosing and changing the language, at the start and at any time after."""

from __future__ import annotations

from bot.core import fallback, states
from bot.core.ports import Button, Keyboard
from bot.core.router import Router, Turn
from bot.i18n import N_, _, language_codes, languages, switch_locale, use_locale


def picker_keyboard() -> Keyboard:
    """Native names, so everyone finds their own language without reading another."""
    return tuple((Button(lang.native_name, f"lang:{lang.code}"),) for lang in languages())


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


async def choose(turn: Turn) -> None:
    """Store the choice and carry on in the new language where the user was."""
    code = turn.event.data.removeprefix("lang:")
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
    router.button("lang", choose)
    router.prompt(states.LANGUAGE, show_picker)
