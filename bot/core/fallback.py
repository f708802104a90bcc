"""Kind answers for everything no feature claimed: odd input never meets a traceback."""

from __future__ import annotations

from bot.core.ports import Kind
from bot.core.router import Router, Turn
from bot.i18n import _


async def stale(turn: Turn) -> None:
    """An old or forged button: say so briefly and show what is current."""
    turn.notice(_("This button is no longer active."))
    await turn.resume()


async def unknown_command(turn: Turn) -> None:
    """A /command we do not have."""
    turn.say(_("I do not know that command. Send /help to see what I can do."))
    await turn.resume()


async def use_buttons(turn: Turn) -> None:
    """Typed text where we asked for a choice."""
    turn.say(_("Please choose one of the buttons below."))
    await turn.resume()


async def media(turn: Turn) -> None:
    """Photos, voice notes, stickers, locations, files: we cannot read them yet."""
    turn.say(_("I can only read text and buttons, not photos, voice messages or files."))
    await turn.resume()


async def edited(turn: Turn) -> None:
    """An edited message: we answered the original, so ask for a new one."""
    turn.say(_("I only read new messages. If you changed something, please send it again."))


def register(router: Router) -> None:
    """Fallbacks come last in the composition root: they own only what is left."""
    router.fallback(Kind.COMMAND, unknown_command)
    router.fallback(Kind.BUTTON, stale)
    router.fallback(Kind.TEXT, use_buttons)
    router.fallback(Kind.MEDIA, media)
    router.fallback(Kind.EDITED, edited)
