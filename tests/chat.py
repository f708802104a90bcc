"""A test adapter over the core: the third implementation beside Telegram and the console."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.engine import Core
from bot.core.outbox import Outgoing, Result
from bot.core.ports import Button, Incoming, Kind, Outcome, Reply
from bot.core.render import finish
from bot.i18n import _, use_locale


@dataclass
class CoreChat:
    """One user's private chat with the core, keeping the buttons last shown."""

    core: Core
    user_id: int = 1001
    buttons: list[Button] = field(default_factory=list)

    async def send(self, text: str) -> Outcome:
        """Type text (a leading slash makes it a command)."""
        if text.startswith("/"):
            name, _, args = text[1:].partition(" ")
            return await self._handle(Incoming(self.user_id, self.user_id, Kind.COMMAND,
                                               command=name, text=args))
        return await self._handle(Incoming(self.user_id, self.user_id, Kind.TEXT, text=text))

    async def press(self, data: str) -> Outcome:
        """Press a button by its callback data (shown or forged: the test decides)."""
        return await self._handle(Incoming(self.user_id, self.user_id, Kind.BUTTON, data=data))

    async def onboard(self, code: str = "en", situation: str = "refugee",
                      children: str = "no") -> None:
        """/start and a complete newcomer onboarding that skips the optional questions."""
        await self.send("/start")
        for data in onboarding_presses(code, situation, children):
            await self.press(data)

    async def press_label(self, fragment: str) -> Outcome:
        """Press the shown button whose label contains `fragment`."""
        matches = [b for b in self.buttons if fragment in b.label]
        assert matches, f"no button with {fragment!r} in {[b.label for b in self.buttons]}"
        return await self.press(matches[0].data)

    async def other(self, kind: Kind) -> Outcome:
        """Send a photo, voice note or edit (as the core sees them)."""
        return await self._handle(Incoming(self.user_id, self.user_id, kind))

    async def _handle(self, event: Incoming) -> Outcome:
        outcome = await self.core.handle(event)
        shown = [b for reply in outcome.replies for row in reply.keyboard for b in row]
        if shown:
            self.buttons = shown
        return outcome


def texts(outcome: Outcome) -> str:
    """All message texts of an outcome, joined, for assertions."""
    return "\n".join(reply.text for reply in outcome.replies)


def last(outcome: Outcome) -> Reply:
    """The last message of an outcome."""
    assert outcome.replies, "the bot said nothing"
    return outcome.replies[-1]


def said(code: str, message: str) -> str:
    """A catalog message exactly as the bot shows it in language `code` (isolation included)."""
    with use_locale(code):
        return finish(_(message))


def onboarding_presses(code: str = "en", situation: str = "refugee",
                       children: str = "no") -> list[str]:
    """The presses of a complete newcomer onboarding that skips the optional questions."""
    return [f"lang:{code}", "priv:yes", "ob:role:newcomer", f"ob:sit:{situation}",
            f"ob:kids:{children}", "ob:muni:skip", "ob:arr:skip"]


async def outgoing(core: Core) -> list[Outgoing]:
    """What the sender would take now: the timer's work done, then every due row claimed."""
    await core.tick()
    taken = []
    while items := await core.claim():
        taken += items
    return taken


async def sent(core: Core) -> list[Outgoing]:
    """What the sender sends now, each reported sent before the next claim (a chat with a
    row in flight is not claimed again until it is reported)."""
    await core.tick()
    taken = []
    while items := await core.claim():
        taken += items
        for item in items:
            await core.report(item, Result.sent(1))
    return taken
