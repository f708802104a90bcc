"""The simulated people: what each sees and does in their chats, and the ledger of what
they did (the expectations the checks hold the bot to)."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from bench.soak.fake import SoakFake
from bench.soak.world import World
from bot.core.render import finish
from bot.i18n import _, use_locale
from fakebot import JsonDict, check_telegram_html

APOLOGY = "Sorry, something went wrong on my side. Please try again."
TURN_TIMEOUT = 20.0  # seconds a person waits for an answer before giving up on the action
FIND_WAIT = 8.0  # seconds a person looks for the button (or text) they expect
QUIET = 0.3  # seconds without bot activity in a chat after which a turn counts as answered
T = TypeVar("T")


@dataclass
class Ledger:
    """What the simulated people did and saw: the expectations the checks hold the bot to."""

    actions: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    tasks: set[str] = field(default_factory=set)  # titles the bot confirmed
    # typed text → (the moment, when the bot confirmed it as saved)
    appointments: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)
    questions: set[str] = field(default_factory=set)  # handed to a person (q:ask answered)
    followups: int = 0  # typed while a question was open: added to it
    answers: set[str] = field(default_factory=set)  # answers helpers sent with /answer
    broadcasts: set[str] = field(default_factory=set)
    typed: set[str] = field(default_factory=set)  # every token someone typed (for the logs)
    tokens: Iterator[int] = field(default_factory=itertools.count)

    def token(self, prefix: str) -> str:
        """A unique, searchable piece of text a person types."""
        text = f"{prefix} S{next(self.tokens):05d}"
        self.typed.add(text)
        return text


class GaveUp(Exception):
    """The screen did not show what the person expected (after a fault, or a race)."""


@dataclass(eq=False)
class Person:
    """One simulated person in their private chat (and their group's chat, if any)."""

    fake: SoakFake
    ledger: Ledger
    rng: random.Random
    user_id: int
    language: str
    role: str  # newcomer, member, group-newcomer, coordinator
    group: int | None = None
    group_chat: int | None = None
    onboarded: bool = True
    answered: set[int] = field(default_factory=set)

    async def send(self, text: str) -> None:
        """Type in the private chat, and wait for the bot's new message."""
        said = self.fake.said_count(self.user_id)
        await self.fake.user_sends(self.user_id, text, language_code=self.language,
                                   first_name=f"P{self.user_id % 10_000}")
        await self._answered(self.user_id, said,
                             lambda: self.fake.said_count(self.user_id) > said)

    async def press(self, prefix: str, pick: Callable[[list[str]], str] | None = None,
                    chat: int | None = None) -> str:
        """Press a button whose data starts with `prefix` (waiting for it to be shown), and
        wait for the bot's answer: in private chat a new or changed message, in a group
        chat any answer (a notice; the card changes later, through the outbox)."""
        chat = self.user_id if chat is None else chat
        message, found = await self.buttons(prefix, chat)
        data = pick(found) if pick else found[0]
        said, before, since = self.fake.said_count(self.user_id), _look(message), \
            self.fake.activity[chat]
        await self.fake.user_presses(self.user_id, message["message_id"], data, chat_id=chat)
        if chat == self.user_id:
            await self._answered(chat, said, lambda: _look(message) != before
                                 or self.fake.said_count(self.user_id) > said)
        else:
            await self._answered(chat, said, lambda: self.fake.activity[chat] > since)
        return data

    async def buttons(self, prefix: str, chat: int | None = None) -> tuple[JsonDict, list[str]]:
        """The newest message with buttons starting with `prefix`, once it is on screen."""
        chat = self.user_id if chat is None else chat
        shown: list[tuple[JsonDict, list[str]]] = []

        def look() -> bool:
            shown[:] = [(m, found) for m in self.fake.newest(chat)
                        if (found := _data(m, prefix))][:1]
            return bool(shown)

        if not await self.until(chat, look, FIND_WAIT):
            raise GaveUp(f"no {prefix} button")
        return shown[0]

    async def sees(self, text: str, wait: float = FIND_WAIT, button: str = "") -> bool:
        """Whether the bot shows `text` in one of its newest messages (waiting a little),
        on a message with a button starting with `button` if one is given."""
        return await self.until(self.user_id, lambda: any(
            text in str(m.get("text", "")) and (not button or _data(m, button))
            for m in self.fake.newest(self.user_id)), wait)

    def shows(self, prefix: str, chat: int | None = None) -> bool:
        """Whether a button with this prefix is on the newest messages now."""
        return any(_data(m, prefix) for m in self.fake.newest(
            self.user_id if chat is None else chat))

    async def until(self, chat: int, done: Callable[[], bool], timeout: float) -> bool:
        """Wait, waking on the bot's activity in the chat, until `done()` holds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not done():
            if not await self.fake.active_within(chat, deadline - loop.time()):
                return done()
        return True

    async def _answered(self, chat: int, said: int, done: Callable[[], bool]) -> None:
        """Wait for the answer, then for quiet; an apology ends the action."""
        if not await self.until(chat, done, TURN_TIMEOUT):
            raise GaveUp("no answer")
        while await self.fake.active_within(chat, QUIET):
            pass
        if any(visible(self.language, APOLOGY) in text
               for text in self.fake.said_since(self.user_id, said)):
            raise GaveUp("apology")

    def any_of(self, options: list[T]) -> T:
        """A random choice, from this person's own dice."""
        return self.rng.choice(options)


def _data(message: JsonDict, prefix: str) -> list[str]:
    """The callback data on a message's buttons that start with `prefix`."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [d for row in rows for b in row if (d := b.get("callback_data", "")).startswith(prefix)]


def _look(message: JsonDict) -> tuple[str, str]:
    """What a message shows now (the fake edits its messages in place)."""
    return str(message.get("text", "")), repr(message.get("reply_markup"))


def visible(code: str, message: str) -> str:
    """A catalog message as the person reads it on screen (HTML tags gone)."""
    with use_locale(code):
        shown = finish(_(message))
    return check_telegram_html(shown)


def cast(fake: SoakFake, ledger: Ledger, world: World, seed: int) -> list[Person]:
    """Everyone, each with their own dice."""
    people = []
    for gid, (members, newcomer, chat) in world.groups.items():
        people += [Person(fake, ledger, random.Random(seed + m), m, "nl", "member", gid, chat)
                   for m in members]
        people.append(Person(fake, ledger, random.Random(seed + newcomer), newcomer,
                             world.languages[newcomer], "group-newcomer", gid))
    people += [Person(fake, ledger, random.Random(seed + c), c, "nl", "coordinator")
               for c in world.coordinators]
    people += [Person(fake, ledger, random.Random(seed + n), n, world.languages[n], "newcomer",
                      onboarded=False) for n in world.newcomers]
    return people
