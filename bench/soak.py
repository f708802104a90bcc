"""Soak test: 500 simulated people for a few minutes with random faults, then a consistency check.

Run: .venv/bin/python -m bench.soak --duration 180

Not part of the test suite. The bot is the real PTB Application (build_application, as
`main.py run` builds it) in its own process, on a real SQLite file, polling a fake Bot API
(tests/fakebot) on 127.0.0.1 in this process. Here, 500 people act through that fake:
newcomers onboard in four languages, walk journeys with buttons, type FAQ questions, make
appointments (whose "one hour before" reminders fall due during the run) and ask a person;
sponsor-group members create, claim and finish tasks (in private chat and on the cards in
their group chat) and answer questions; coordinators send broadcasts. Meanwhile the fake
answers at random with 429 (retry_after), 5xx (JSON and a proxy's HTML page), 403 and cut
connections, goes away once for a few seconds, and another process holds the SQLite write
lock now and then, longer than the bot's busy timeout.

Then the people stop, the faults stop, the bot finishes what it owes and is stopped as in
production, and the database is checked against itself and against what the fake received:
no orphan rows, no lost or duplicated tasks, appointments, reminders, questions or answers,
every send the database records arrived exactly once and nothing arrived that it does not
record, nothing stuck, and no typed text in the bot's log. Figures are printed; the run in
docs/soak.md was made with the command above.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import multiprocessing
import random
import re
import sqlite3
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import yaml

from bot import logs
from bot.app import build_core
from bot.config import load_settings
from bot.core.engine import KEPT_REPLY
from bot.core.privacy import PRIVACY_VERSION
from bot.storage.db import Database
from bot.storage.models import (
    Base,
    Coordinator,
    Group,
    Membership,
    Organisation,
    User,
)
from bot.telegram.app import build_application
from fakebot import BOT_USER, DROP, ApiError, FakeTelegram, Fault, JsonDict
from fakebot.polling import polling
from tests.telegram import TOKEN, visible

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("nl", "en", "ar", "ti")
ZONE = ZoneInfo("Europe/Amsterdam")
APOLOGY = "Sorry, something went wrong on my side. Please try again."
ADDED = "I added this to your question. A person will answer you here."
COORDINATORS, GROUPS, HELPERS_PER_GROUP, LINKED_GROUPS = 4, 40, 3, 20
FIRST_ID = 7_000_000
TURN_TIMEOUT = 20.0  # seconds a person waits for an answer before giving up on the action
FIND_WAIT = 8.0  # seconds a person looks for the button (or text) they expect
QUIET = 0.3  # seconds without bot activity in a chat after which a turn counts as answered
SENDS = frozenset({"sendMessage", "editMessageText", "answerCallbackQuery", "sendDocument"})
T = TypeVar("T")


# ---------------------------------------------------------------------- the fake, with faults


@dataclass
class FaultRates:
    """How often each kind of fault hits a call (a fraction of the calls it applies to)."""

    flood: float = 0.004  # 429, retry after 1 s: sends, edits, button answers
    server: float = 0.01  # 500 (JSON) or 502 (a proxy's HTML page): those and getUpdates
    blocked: float = 0.002  # 403 "bot was blocked by the user": new messages only
    dropped: float = 0.01  # the connection is cut before the call runs: any call


class SoakFake(FakeTelegram):
    """The fake Bot API, with random faults and cheap per-chat waiting for 500 people."""

    def __init__(self, rates: FaultRates, rng: random.Random) -> None:
        super().__init__()
        self.rates, self.rng, self.faulty = rates, rng, False
        self.injected: Counter[str] = Counter()
        self.activity: defaultdict[int, int] = defaultdict(int)
        self.updates = 0
        self._waiters: dict[int, asyncio.Event] = {}
        self._query_chat: dict[str, int] = {}

    def fault(self, name: str, params: JsonDict) -> Fault | None:
        """A random fault while the soak runs; none before or after (nor during the calm)."""
        chosen = super().fault(name, params)
        if chosen is not None or not self.faulty:
            return chosen
        kind = self._pick(name)
        if kind is None:
            return None
        self.injected[kind] += 1
        return self.rng.choice(_FAULTS[kind])

    def _pick(self, name: str) -> str | None:
        """Which fault (if any) this call meets."""
        draw, rates = self.rng.random(), self.rates
        chances = [("dropped connection", rates.dropped)]
        if name in ("sendMessage", "editMessageText", "answerCallbackQuery"):
            chances += [("429", rates.flood), ("5xx", rates.server)]
        if name == "getUpdates":
            chances.append(("5xx", rates.server))
        if name == "sendMessage":
            chances.append(("403", rates.blocked))
        for kind, chance in chances:
            if draw < chance:
                return kind
            draw -= chance
        return None

    async def user_presses(self, user_id: int, message: JsonDict | int, callback_data: str,
                           *, chat_id: int | None = None) -> str:
        """As the fake's, remembering the chat so the button's answer counts as activity."""
        query = await super().user_presses(user_id, message, callback_data, chat_id=chat_id)
        self._query_chat[query] = user_id if chat_id is None else chat_id
        return query

    async def _execute(self, name: str, handler: Any, params: JsonDict,
                       fault: ApiError | None) -> Any:
        result = await super()._execute(name, handler, params, fault)
        chat = _int(params.get("chat_id")) or self._query_chat.pop(
            str(params.get("callback_query_id")), None)
        if chat is not None and name in SENDS:
            self._touch(chat)
        return result

    def _push_update(self, payload: JsonDict) -> JsonDict:
        self.updates += 1
        return super()._push_update(payload)

    def _touch(self, chat: int) -> None:
        self.activity[chat] += 1
        waiter = self._waiters.pop(chat, None)
        if waiter is not None:
            waiter.set()

    async def active_within(self, chat: int, seconds: float) -> bool:
        """True if the bot did something in the chat within `seconds`."""
        if seconds <= 0:
            return False
        waiter = self._waiters.setdefault(chat, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiter.wait(), seconds)
            return True
        return False

    def newest(self, chat: int, depth: int = 3) -> list[JsonDict]:
        """The chat's newest bot messages (not copies: read them, do not change them)."""
        state = self._chats.get(chat)
        if state is None:
            return []
        found = []
        for message_id in sorted(state.messages, reverse=True):
            message = state.messages[message_id]
            if message["from"]["id"] == BOT_USER["id"]:
                found.append(message)
                if len(found) == depth:
                    break
        return found

    def said_since(self, chat: int, count: int) -> list[str]:
        """Texts of the new messages the bot sent to the chat after the first `count`."""
        state = self._chats.get(chat)
        return [] if state is None else [str(m.get("text", "")) for m in state.outbox[count:]]

    def said_count(self, chat: int) -> int:
        """How many new messages the bot has sent to the chat."""
        state = self._chats.get(chat)
        return 0 if state is None else len(state.outbox)


_FAULTS: dict[str, list[Fault]] = {
    "dropped connection": [DROP],
    "429": [ApiError(429, "Too Many Requests: retry after 1", retry_after=1)],
    "5xx": [ApiError(500, "Internal Server Error"), ApiError(502, "Bad Gateway", from_proxy=True)],
    "403": [ApiError(403, "Forbidden: bot was blocked by the user")],
}


def _int(value: object) -> int | None:
    """A chat id from a parameter, if it is one."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


# ---------------------------------------------------------------------- the world


@dataclass
class World:
    """Who exists before the run: coordinators, groups with members and a newcomer each."""

    coordinators: list[int]
    groups: dict[int, tuple[list[int], int, int | None]]  # gid → (members, newcomer, chat)
    newcomers: list[int]  # people who arrive during the run and onboard themselves
    languages: dict[int, str]


def _person(telegram_id: int, locale: str, role: str, now: datetime) -> User:
    return User(telegram_id=telegram_id, locale=locale, state="menu", declared_role=role,
                privacy_version=PRIVACY_VERSION, privacy_accepted_at=now, onboarded_at=now,
                municipality_code="GM0344", first_name=f"P{telegram_id % 10_000}",
                has_roles=role != "newcomer", situation="refugee" if role == "newcomer" else None,
                created_at=now, last_seen_at=now)


async def seed(db: Database, people: int, rng: random.Random) -> World:
    """An organisation, its coordinators and groups, written straight into the database."""
    now = datetime.now(UTC)
    ids = itertools.count(FIRST_ID)
    languages: dict[int, str] = {}
    async with db.session() as session:
        organisation = Organisation(name="Samen Hier Soak", created_at=now)
        session.add(organisation)
        await session.flush()
        coordinators = [next(ids) for _ in range(COORDINATORS)]
        users = {tid: _person(tid, "nl", "coordinator", now) for tid in coordinators}
        session.add_all(users.values())
        await session.flush()
        session.add_all(Coordinator(user_id=users[tid].id, organisation_id=organisation.id,
                                    created_at=now) for tid in coordinators)
        groups = await _seed_groups(session, organisation.id, creator=users[coordinators[0]].id,
                                    ids=ids, languages=languages, now=now)
    languages.update(dict.fromkeys(coordinators, "nl"))
    used = len(coordinators) + sum(len(m) + 1 for m, _n, _c in groups.values())
    newcomers = [next(ids) for _ in range(people - used)]
    languages.update({tid: rng.choice(LANGUAGES) for tid in newcomers})
    return World(coordinators, groups, newcomers, languages)


async def _seed_groups(session: Any, organisation: int, *, creator: int, ids: Iterator[int],
                       languages: dict[int, str], now: datetime) -> dict[int, Any]:
    """GROUPS groups of HELPERS_PER_GROUP members and one newcomer; some with a group chat."""
    groups = {}
    for number in range(GROUPS):
        chat = -1_007_000_000_000 - number if number < LINKED_GROUPS else None
        group = Group(organisation_id=organisation, name=f"Groep {number}", created_by=creator,
                      municipality_code="GM0344", arrival_date=now.date() - timedelta(days=30),
                      chat_id=chat, created_at=now, last_activity_at=now)
        members = [next(ids) for _ in range(HELPERS_PER_GROUP)]
        newcomer = next(ids)
        languages[newcomer] = LANGUAGES[number % len(LANGUAGES)]
        people = {tid: _person(tid, "nl", "member", now) for tid in members}
        people[newcomer] = _person(newcomer, languages[newcomer], "newcomer", now)
        languages.update(dict.fromkeys(members, "nl"))
        session.add(group)
        session.add_all(people.values())
        await session.flush()
        session.add_all(Membership(group_id=group.id, user_id=people[tid].id,
                                   role="newcomer" if tid == newcomer else "member",
                                   share_questions=tid == newcomer, joined_at=now)
                        for tid in people)
        groups[group.id] = (members, newcomer, chat)
    return groups


# ---------------------------------------------------------------------- what people did


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


# ---------------------------------------------------------------------- the people


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


ONBOARDING = ("lang:", "priv:yes", "ob:role:newcomer", "ob:sit:", "ob:kids:", "ob:muni:",
              "ob:arr:")
MUNICIPALITIES = ("Utrecht", "Amsterdam", "Rotterdam", "Den Haag", "Tilburg", "Zwolle")


async def onboard(person: Person) -> None:
    """/start and every onboarding question, whichever the screen asks."""
    await person.send("/start")
    for _step in range(12):
        prefix = next((p for p in ONBOARDING if person.shows(p)), None)
        if prefix is None:
            break
        if prefix == "ob:muni:" and person.shows("ob:muni:skip") and person.rng.random() < 0.5:
            await person.send(person.any_of(list(MUNICIPALITIES)))
            continue
        choose = _choice_for(person, prefix)
        await person.press(prefix, choose)
    await person.buttons("menu:")  # the main menu: onboarding is over
    person.onboarded = True


def _choice_for(person: Person, prefix: str) -> Callable[[list[str]], str]:
    """Own language; a random situation; no children; a municipality; arrival skipped."""
    if prefix == "lang:":
        return lambda found: f"lang:{person.language}" if f"lang:{person.language}" in found \
            else found[0]
    if prefix == "ob:sit:":
        return person.any_of
    if prefix == "ob:kids:":
        return lambda found: person.any_of([d for d in found if d != "ob:kids:yes"] or found)
    if prefix == "ob:muni:":
        return lambda found: next((d for d in found if not d.endswith(("retry", "skip"))),
                                  "ob:muni:skip" if "ob:muni:skip" in found else found[0])
    return lambda found: found[-1]  # ob:arr: skip is last; priv:yes and ob:role: are alone


async def journey(person: Person) -> None:
    """My steps: open a journey, then press through a few of its buttons."""
    await person.send("/steps")
    await person.press("j:", lambda found: person.any_of([d for d in found
                                                         if d.endswith("::o")] or found))
    for _step in range(person.rng.randint(1, 4)):
        await person.press("j:", lambda found: next((d for d in found if d.endswith(":d")),
                                                    person.any_of(found)))


def faq_phrases() -> dict[str, list[str]]:
    """How people really ask, per language (the FAQ's own matching data)."""
    phrases: dict[str, list[str]] = defaultdict(list)
    for path in sorted((ROOT / "flows" / "faq").glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["entries"]:
            for code, asked in entry.get("match", {}).items():
                phrases[code].extend(str(a) for a in asked)
    return phrases


PHRASES = faq_phrases()


async def faq(person: Person) -> None:
    """Type a question as people ask it, in one's own language."""
    await person.send(person.any_of(PHRASES[person.language]))


async def appointment(person: Person) -> None:
    """A typed appointment an hour and a bit from now: its reminder falls due in the run."""
    at = (datetime.now(ZONE) + timedelta(minutes=61.2 + person.rng.random())).replace(
        second=0, microsecond=0)  # typed to the minute: the reminder is due in 0.2–2.2 min
    if at.date() != datetime.now(ZONE).date():
        raise GaveUp("too close to midnight")
    what = person.ledger.token("Soak afspraak")
    await person.send("/reminders")
    await person.press("r:n")
    await person.press("r:w:other")
    await person.send(what)
    await person.press(f"r:d:{at:%Y%m%d}")
    await person.send(f"{at:%H:%M}")
    await person.press("r:c:s")
    if await person.sees(what, button="r:i:"):  # "Saved", with 📅 Add to my calendar
        person.ledger.appointments[what] = (at, datetime.now(UTC))


async def ask_a_person(person: Person) -> None:
    """A question the FAQ cannot answer, handed to a person."""
    question = person.ledger.token("Mag mijn kat mee naar de zwemles")
    await person.send(question)
    if await person.sees(visible(person.language, ADDED), wait=0):
        person.ledger.followups += 1  # a question is still open: this joins it
        return
    if person.shows("faq:-:n"):
        await person.press("faq:-:n")
    await person.press("q:ask:")
    person.ledger.questions.add(question)


async def group_page(person: Person) -> None:
    """👥 Groups from the menu: a member of one group goes straight to its page."""
    await person.send("/menu")
    await person.press("g:h")
    page, listed = f"tn:{person.group}", f"g:o:{person.group}"
    await person.until(person.user_id, lambda: person.shows(page) or person.shows(listed),
                       FIND_WAIT)
    if not person.shows(page):
        await person.press(listed)


async def new_task(person: Person) -> None:
    """➕ New task from the group's page in private chat: title, date, time, who."""
    title = person.ledger.token("Soak taak")
    await group_page(person)
    await person.press(f"tn:{person.group}")
    await person.send(title)
    await person.press("tn:d:", person.any_of)
    await person.press("tn:t:", person.any_of)
    await person.press("tn:a:", lambda found: person.any_of(found[:2]))
    if await person.sees(title, button="t:"):  # the new task's card (the dialog has tn:)
        person.ledger.tasks.add(title)


async def work_on_tasks(person: Person) -> None:
    """Claim or finish a task: on its card in the group chat, else from the open list."""
    if person.group_chat is not None and person.shows("t:", person.group_chat):
        await person.press("t:", lambda found: person.any_of(
            [d for d in found if d.endswith((":c", ":d"))] or found), person.group_chat)
        return
    await group_page(person)
    await person.press(f"g:l:{person.group}:o:0")
    await person.press("t:", lambda found: person.any_of([d for d in found if d.endswith(":v")]
                                                         or found))
    await person.press("t:", lambda found: person.any_of([d for d in found
                                                         if d.endswith((":c", ":d"))] or found))


async def answer_question(person: Person) -> None:
    """Answer a question shown to this helper (in private chat or the group's chat)."""
    chats = [person.user_id] + ([person.group_chat] if person.group_chat else [])
    waiting = [int(d.split(":")[2]) for chat in chats for m in person.fake.newest(chat, 10)
               for row in m.get("reply_markup", {}).get("inline_keyboard", [])
               for b in row if (d := b.get("callback_data", "")).startswith("q:ans:")]
    fresh = [number for number in waiting if number not in person.answered]
    if not fresh:  # nobody asked: do something else useful
        await (work_on_tasks(person) if person.role == "member" else menu(person))
        return
    number = person.any_of(fresh)
    person.answered.add(number)
    answer = person.ledger.token("Ja, dat kan")
    await person.send(f"/answer {number} {answer}")
    person.ledger.answers.add(answer)


async def broadcast(person: Person) -> None:
    """/broadcast to newcomers, a Dutch version, send now."""
    text = person.ledger.token("Soak-bericht")
    await person.send("/broadcast")
    number = (await person.buttons("bc:r:"))[1][0].split(":")[2]
    await person.press(f"bc:w:{number}:nl")
    await person.send(text)
    await person.press(f"bc:s:{number}")
    await person.press(f"bc:y:{number}")
    person.ledger.broadcasts.add(text)


async def menu(person: Person) -> None:
    """/menu or /help."""
    await person.send(person.any_of(["/menu", "/help"]))


Action = Callable[[Person], Awaitable[None]]
PLANS: dict[str, list[tuple[Action, int]]] = {
    "newcomer": [(journey, 30), (faq, 30), (appointment, 20), (menu, 10), (ask_a_person, 5)],
    "group-newcomer": [(ask_a_person, 35), (faq, 25), (journey, 20), (appointment, 10),
                       (menu, 10)],
    "member": [(new_task, 30), (work_on_tasks, 40), (answer_question, 25), (menu, 5)],
    "coordinator": [(answer_question, 70), (menu, 30)],
}


async def live(person: Person, until: float, think: float) -> None:
    """Act now and then until the run ends; a fault costs an action, never the person."""
    await asyncio.sleep(person.rng.random() * think)
    while time.monotonic() < until:
        action = onboard if not person.onboarded else _next_action(person)
        person.ledger.actions[action.__name__] += 1
        try:
            await action(person)
            person.ledger.outcomes["answered"] += 1
        except GaveUp as reason:
            person.ledger.outcomes[f"gave up ({action.__name__}: {_general(str(reason))})"] += 1
        pause = person.rng.expovariate(1 / think)
        await asyncio.sleep(min(pause, max(0.0, until - time.monotonic())))


def _general(reason: str) -> str:
    """A reason without its numbers, so that reasons can be counted."""
    return re.sub(r"-?\d+", "#", reason)


def _next_action(person: Person) -> Action:
    plan = PLANS[person.role]
    return person.rng.choices([a for a, _ in plan], [w for _, w in plan])[0]


async def broadcast_later(person: Person, after: float) -> None:
    """A coordinator sends one broadcast at a set moment (and does nothing else, so that one
    person never does two things at once)."""
    await asyncio.sleep(after)
    person.ledger.actions["broadcast"] += 1
    try:
        await broadcast(person)
        person.ledger.outcomes["answered"] += 1
    except GaveUp as reason:
        person.ledger.outcomes[f"gave up (broadcast: {_general(str(reason))})"] += 1


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


# ---------------------------------------------------------------------- database-level faults


async def hold_locks(path: Path, until: float, rng: random.Random, counts: Counter[str],
                     longest: float) -> None:
    """Another program takes SQLite's write lock now and then, sometimes for longer than
    the bot's busy timeout and its retries together."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                 timeout=30)
    try:
        while True:
            await asyncio.sleep(rng.uniform(8, 20))
            if time.monotonic() >= until:
                return
            await asyncio.to_thread(connection.execute, "BEGIN IMMEDIATE")
            counts["db lock"] += 1
            await asyncio.sleep(rng.uniform(0.2, longest))
            await asyncio.to_thread(connection.execute, "ROLLBACK")
    finally:
        connection.close()


async def outage(fake: SoakFake, after: float, seconds: float, counts: Counter[str]) -> None:
    """Telegram out of reach once: connections refused, then back on the same port."""
    await asyncio.sleep(after)
    await fake.disconnect()
    counts["network outage"] += 1
    await asyncio.sleep(seconds)
    await fake.reconnect()


# ---------------------------------------------------------------------- the bot's process


@dataclass(frozen=True)
class BotSetup:
    """What the bot's process needs to know (it is pickled across to it)."""

    root_url: str
    db_url: str
    log_path: str
    busy_timeout: float
    admin: int


def bot_process(setup: BotSetup, pipe: Connection) -> None:
    """Child process: Wegwijs as `main.py run` builds it, until the parent says stop."""
    asyncio.run(_bot(setup, pipe))


async def _bot(setup: BotSetup, pipe: Connection) -> None:
    with open(setup.log_path, "w", encoding="utf-8") as stream:
        logs.configure(TOKEN, logging.INFO, stream)
        settings = load_settings({"DATABASE_URL": setup.db_url,
                                  "WEGWIJS_ADMIN_IDS": str(setup.admin)},
                                 env_file=Path(setup.log_path).with_name("absent.env"))
        core = build_core(settings, Database(settings.database_url,
                                             busy_timeout=setup.busy_timeout))
        app = build_application(core, TOKEN, setup.root_url)
        async with polling(app):
            await asyncio.to_thread(pipe.recv)
    pipe.send("stopped")


# ---------------------------------------------------------------------- the checks


Found = dict[str, list[str]]


def check(path: Path, fake: SoakFake, ledger: Ledger, log_text: str) -> Found:
    """Every inconsistency, by check, with a few examples each."""
    db = sqlite3.connect(path)
    try:
        found: Found = {}
        for name, rule in CHECKS:
            found[name] = rule(db, fake, ledger, log_text)
        return found
    finally:
        db.close()


def integrity(db: sqlite3.Connection, *_: Any) -> list[str]:
    """SQLite's own checks: the file, and every foreign key."""
    bad = [r[0] for r in db.execute("PRAGMA integrity_check") if r[0] != "ok"]
    return bad + [str(r) for r in db.execute("PRAGMA foreign_key_check")]


def orphans(db: sqlite3.Connection, *_: Any) -> list[str]:
    """Rows pointing at a row that does not exist, for every foreign key in the models, and
    task boards listing tasks that do not exist."""
    bad = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            child, parent = fk.parent, fk.column
            count = db.execute(
                f"SELECT COUNT(*) FROM {table.name} c LEFT JOIN {parent.table.name} p "
                f"ON c.{child.name} = p.{parent.name} "
                f"WHERE c.{child.name} IS NOT NULL AND p.{parent.name} IS NULL").fetchone()[0]
            if count:
                bad.append(f"{table.name}.{child.name}: {count}")
    tasks = {r[0] for r in db.execute("SELECT id FROM tasks")}
    for post, ids in db.execute("SELECT id, task_ids FROM outbox WHERE kind = 'tasks'"):
        missing = set(json.loads(ids) or []) - tasks
        if missing:
            bad.append(f"outbox {post} lists missing tasks {sorted(missing)}")
    return bad


def tasks(db: sqlite3.Connection, fake: SoakFake, ledger: Ledger, _log: str) -> list[str]:
    """Every confirmed task exists once; done has a time, claimed has someone; every open
    task of a linked group is on a board in its chat."""
    titles = Counter(r[0] for r in db.execute("SELECT title FROM tasks WHERE title LIKE 'Soak%'"))
    bad = [f"lost task {t}" for t in sorted(ledger.tasks) if titles[t] == 0]
    bad += [f"task {t} stored {n} times" for t, n in titles.items() if n > 1]
    bad += [f"done task {r[0]} without done_at" for r in db.execute(
        "SELECT id FROM tasks WHERE status = 'done' AND done_at IS NULL")]
    bad += [f"claimed task {r[0]} without anyone" for r in db.execute(
        "SELECT id FROM tasks t WHERE status = 'claimed' AND NOT EXISTS "
        "(SELECT 1 FROM task_assignees a WHERE a.task_id = t.id)")]
    boards: defaultdict[int, set[int]] = defaultdict(set)
    for chat, ids in db.execute("SELECT chat_id, task_ids FROM outbox WHERE kind = 'tasks'"):
        boards[chat] |= set(json.loads(ids) or [])
    for task, chat in db.execute("SELECT t.id, g.chat_id FROM tasks t JOIN groups g "
                                 "ON g.id = t.group_id WHERE g.chat_id IS NOT NULL"):
        if task not in boards[chat]:
            bad.append(f"task {task} not on its group chat's board")
    return bad


def reminders(db: sqlite3.Connection, fake: SoakFake, ledger: Ledger, _log: str) -> list[str]:
    """Every confirmed appointment has its reminder; a due reminder has been decided; a
    reminder the database calls sent arrived exactly once, any other never."""
    saved = Counter(r[0] for r in db.execute(
        "SELECT a.text FROM appointments a JOIN reminders r ON r.appointment_id = a.id "
        "WHERE a.status = 'active' AND r.lead = 'hour'"))
    bad = [f"appointment {t} has {saved[t]} hour reminders"
           for t, (at, seen) in sorted(ledger.appointments.items())
           if saved[t] > 1 or (saved[t] == 0 and at - timedelta(hours=1) > seen)]
    arrived = _reminder_messages(fake)
    now = datetime.now(UTC).isoformat(sep=" ")
    for number, state, due in db.execute("SELECT id, state, due_at FROM reminders"):
        if state in ("sending", "interrupted") or (state == "scheduled" and str(due) < now):
            bad.append(f"reminder {number} stuck in {state} (due {due})")
        if arrived[number] != (1 if state == "sent" else 0):
            bad.append(f"reminder {number} is {state} and arrived {arrived[number]} times")
    return bad


def _reminder_messages(fake: SoakFake) -> Counter[int]:
    """Reminders the fake received, by id (a reminder carries the 💤 r:h:<id> button)."""
    found: Counter[int] = Counter()
    for record in fake.sent:
        if record["method"] != "sendMessage":
            continue
        rows = (record["params"].get("reply_markup") or {}).get("inline_keyboard", [])
        data = [b.get("callback_data", "") for row in rows for b in row]
        if data and data[0].startswith("r:h:") and "r:o:" not in " ".join(data):
            found[int(data[0].split(":")[2])] += 1
    return found


def broadcasts(db: sqlite3.Connection, fake: SoakFake, ledger: Ledger, _log: str) -> list[str]:
    """Each delivery the database calls sent arrived exactly once; no other ever did."""
    texts = {number: text for number, text in db.execute(
        "SELECT id, json_extract(texts, '$.nl') FROM broadcasts")}
    bad = [f"broadcast {t} lost" for t in sorted(ledger.broadcasts)
           if t not in texts.values()]
    per_chat = _texts_by_chat(fake)
    for number, chat, state in db.execute("SELECT broadcast_id, chat_id, state FROM deliveries"):
        copies = sum(texts[number] in text for text in per_chat[chat]) if texts[number] else 0
        if state in ("pending", "sending"):
            bad.append(f"delivery {number}/{chat} stuck in {state}")
        elif copies != (1 if state == "sent" else 0):
            bad.append(f"delivery {number}/{chat} is {state} and arrived {copies} times")
    return bad


def _texts_by_chat(fake: SoakFake) -> defaultdict[int, list[str]]:
    """The text of every new message the fake received, by chat."""
    found: defaultdict[int, list[str]] = defaultdict(list)
    for record in fake.sent:
        if record["method"] == "sendMessage":
            found[int(record["params"]["chat_id"])].append(str(record["result"].get("text")))
    return found


def outbox(db: sqlite3.Connection, fake: SoakFake, ledger: Ledger, _log: str) -> list[str]:
    """Every post the database calls sent is a message the fake has; none is left owed; no
    post's message arrived more often than posts with that text were sent.

    A reply kept for later (ref "reply") is an ordinary answer whose text the same chat can
    rightly get again as a direct reply ("I added this to your question"), so only its
    arrival is checked, not how often its text came.
    """
    first = {(int(r["params"]["chat_id"]), int(r["result"]["message_id"])):
             str(r["result"].get("text")) for r in fake.sent if r["method"] == "sendMessage"}
    arrived = Counter((chat, text) for chat, texts in _texts_by_chat(fake).items()
                      for text in texts)
    posted: Counter[tuple[int, str]] = Counter()
    bad = []
    for post, chat, message, state, revision, sent, ref in db.execute(
            "SELECT id, chat_id, message_id, state, revision, sent_revision, ref FROM outbox"):
        if state == "active" and revision > sent:
            bad.append(f"post {post} to {chat} still owed")
        if message is not None and (chat, message) not in first:
            bad.append(f"post {post}: message {message} never arrived in {chat}")
        elif message is not None and ref != KEPT_REPLY:
            posted[(chat, first[(chat, message)])] += 1
    bad += [f"a post arrived {arrived[key]} times in {key[0]} for {n} posts"
            for key, n in posted.items() if arrived[key] > n]
    return bad


def questions(db: sqlite3.Connection, fake: SoakFake, ledger: Ledger, _log: str) -> list[str]:
    """Every question handed over exists once; an answer is stored once and reached the
    person exactly once."""
    asked = Counter(r[0] for r in db.execute(
        "SELECT text FROM questions WHERE status != 'draft'"))
    bad = [f"question {q} handed over {asked[q]} times" for q in sorted(ledger.questions)
           if asked[q] != 1]
    per_chat = _texts_by_chat(fake)
    for number, answer, owner, blocked in db.execute(
            "SELECT q.id, q.answer, u.telegram_id, u.blocked_at FROM questions q JOIN users u "
            "ON u.id = q.user_id WHERE q.answer IS NOT NULL"):
        posts = [m for (m,) in db.execute("SELECT message_id FROM outbox WHERE chat_id = ? AND "
                                          "keyboard LIKE ?", (owner, f'%"q:ok:{number}"%'))]
        copies = sum(answer in text for text in per_chat[owner])
        if not posts and blocked is None:
            bad.append(f"answer to question {number} was never queued")
        elif copies != sum(m is not None for m in posts):
            bad.append(f"answer to question {number}: {len(posts)} posts, arrived {copies} times")
    stored = " ".join(r[0] for r in db.execute("SELECT answer FROM questions "
                                               "WHERE answer IS NOT NULL"))
    bad += [f"answer {a} stored twice" for a in ledger.answers if stored.count(a) > 1]
    return bad


def private_logs(db: sqlite3.Connection, fake: SoakFake, ledger: Ledger, log_text: str
                 ) -> list[str]:
    """No line of the bot's log holds anything a person typed."""
    return [f"log mentions {t}" for t in sorted(ledger.typed) if t in log_text]


CHECKS: list[tuple[str, Callable[[sqlite3.Connection, SoakFake, Ledger, str], list[str]]]] = [
    ("database integrity and foreign keys", integrity),
    ("orphan rows", orphans),
    ("tasks lost, doubled or inconsistent", tasks),
    ("appointments and reminders (lost, stuck, sent twice or unrecorded)", reminders),
    ("broadcast deliveries (stuck, sent twice or unrecorded)", broadcasts),
    ("outbox posts (owed, missing, sent twice)", outbox),
    ("questions and answers (lost, doubled, delivered twice)", questions),
    ("typed text in the bot's log", private_logs),
]


# ---------------------------------------------------------------------- running it all


@dataclass
class Options:
    """The command line."""

    duration: float
    users: int
    think: float
    seed: int
    busy_timeout: float
    calm: float
    keep: Path | None


async def soak(options: Options) -> int:
    """Run, calm down, stop, check, print; returns the number of inconsistencies."""
    rng = random.Random(options.seed)
    with tempfile.TemporaryDirectory() as scratch:
        workdir = options.keep or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        for leftover in workdir.glob("soak.db*"):
            leftover.unlink()  # a kept run from before
        path = workdir / "soak.db"
        db = Database(f"sqlite+aiosqlite:///{path}")
        await db.migrate()
        world = await seed(db, options.users, rng)
        await db.close()
        async with SoakFake(FaultRates(), rng) as fake:
            for gid, (members, newcomer, chat) in world.groups.items():
                if chat is not None:
                    await fake.add_chat(chat, "supergroup", f"Groep {gid}")
                for person in [*members, newcomer]:
                    await fake.add_chat(person)  # they have talked to the bot before
            for person in world.coordinators:
                await fake.add_chat(person)
            ledger, started = Ledger(), time.monotonic()
            process, pipe = _start_bot(fake, path, options, world.coordinators[0])
            await fake.wait_for(lambda: bool(fake.commands), 60, "the bot to start")
            people = cast(fake, ledger, world, options.seed)
            active = await _run(fake, people, path, options, rng)
            calm = await _calm(path, options.calm)
            pipe.send("stop")
            await asyncio.to_thread(pipe.recv)
            await asyncio.to_thread(process.join, 30)
            log_text = (workdir / "bot.log").read_text(encoding="utf-8")
            found = check(path, fake, ledger, log_text)
            _report(options, world, fake, ledger, found, path=path)
            print(f"bot log: {_levels(log_text)}; the people acted for {active:.0f} s, the bot "
                  f"settled in {calm:.0f} s, {time.monotonic() - started:.0f} s in all")
    return sum(len(v) for v in found.values())


def _start_bot(fake: SoakFake, path: Path, options: Options, admin: int
               ) -> tuple[Any, Connection]:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    setup = BotSetup(fake.root_url, f"sqlite+aiosqlite:///{path}", str(path.with_name("bot.log")),
                     options.busy_timeout, admin)
    process = context.Process(target=bot_process, args=(setup, child), daemon=True)
    process.start()
    return process, parent


async def _run(fake: SoakFake, people: list[Person], path: Path, options: Options,
               rng: random.Random) -> float:
    """The people act and the faults strike, for the whole duration; returns how long that
    took (the last actions begun before the end are finished)."""
    began = time.monotonic()
    until = began + options.duration
    fake.faulty = True
    broadcasters = [p for p in people if p.role == "coordinator"][:2]
    background = [asyncio.create_task(hold_locks(path, until, rng, fake.injected,
                                                 3 * options.busy_timeout + 1.5)),
                  asyncio.create_task(outage(fake, options.duration * 0.4, 5, fake.injected))]
    await asyncio.gather(*(live(p, until, options.think) for p in people
                           if p not in broadcasters),
                         *(broadcast_later(p, options.duration * share)
                           for p, share in zip(broadcasters, (0.25, 0.75), strict=True)))
    fake.faulty = False
    for task in background:
        task.cancel()
    await asyncio.gather(*background, return_exceptions=True)
    if not fake.online:
        await fake.reconnect()
    return time.monotonic() - began


async def _calm(path: Path, limit: float) -> float:
    """Wait until the bot owes nothing that is due (or `limit` seconds); returns the wait."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if not _owed(path):
            break
        await asyncio.sleep(1)
    await asyncio.sleep(3)  # a duplicate, if any, would come now
    return time.monotonic() - started


def _owed(path: Path) -> int:
    """Posts, deliveries, due reminders and the appointments' reminders still to go."""
    db = sqlite3.connect(path)
    try:
        now = datetime.now(UTC).isoformat(sep=" ")
        return sum(db.execute(sql, params).fetchone()[0] for sql, params in (
            ("SELECT COUNT(*) FROM outbox WHERE state = 'active' "
             "AND revision > sent_revision", ()),
            ("SELECT COUNT(*) FROM deliveries WHERE state IN ('pending', 'sending')", ()),
            ("SELECT COUNT(*) FROM reminders WHERE state = 'sending' "
             "OR (state = 'scheduled' AND due_at <= ?)", (now,)),
            # the appointments' "one hour before" reminders all fall due within minutes:
            # wait for them, so that every one is checked as sent (or decided) once
            ("SELECT COUNT(*) FROM reminders WHERE state = 'scheduled' AND lead = 'hour'", ())))
    finally:
        db.close()


LOGGED: dict[str, tuple[str, ...]] = {  # what the bot's log says it did, by line start
    "turns or records retried after a lock": ("database busy",),
    "replies, edits and button answers tried again": ("reply failed", "edit failed",
                                                      "button answer failed"),
    "polls that failed (PTB polls again)": ("polling failed",),
    "times the line to Telegram went down and came back": ("Telegram reachable again",),
    "updates that failed (apology attempted)": ("update ",),
    "updates whose replies went to the outbox (Telegram out of reach)": ("replies kept",),
}


def _levels(log_text: str) -> str:
    """Lines in the bot's log, by level, and what they say about the faults."""
    lines = [json.loads(line) for line in log_text.splitlines() if line]
    levels = Counter(str(line.get("level")) for line in lines)
    said = Counter({name: sum(str(line.get("msg")).startswith(start)
                              and not str(line.get("msg")).endswith("Forbidden")
                              for line in lines) for name, start in LOGGED.items()})
    return f"{sum(levels.values())} lines ({_line(levels)}); {_line(said)}"


def _states(path: Path) -> str:
    """What became of the durable sends and of the tasks and questions."""
    db = sqlite3.connect(path)
    try:
        parts = []
        for table, column in (("reminders", "state"), ("deliveries", "state"),
                              ("outbox", "state"), ("tasks", "status"), ("questions", "status")):
            counts = Counter({str(k): n for k, n in db.execute(
                f"SELECT {column}, COUNT(*) FROM {table} GROUP BY {column}")})
            parts.append(f"{table} {_line(counts)}")
        sent = db.execute("SELECT COUNT(*) FROM outbox WHERE message_id IS NOT NULL").fetchone()
        return "; ".join(parts) + f" (outbox posts delivered: {sent[0]})"
    finally:
        db.close()


def _report(options: Options, world: World, fake: SoakFake, ledger: Ledger,
            found: Found, *, path: Path) -> None:
    """The figures, as docs/soak.md records them."""
    people = Counter(p for p in (["coordinator"] * len(world.coordinators)
                                 + ["group member"] * sum(len(m) for m, _, _ in
                                                          world.groups.values())
                                 + ["group newcomer"] * len(world.groups)
                                 + ["new newcomer"] * len(world.newcomers)))
    calls = Counter(r["method"] for r in fake.sent)
    print(f"soak: {options.duration:.0f} s of activity (seed {options.seed}, busy timeout "
          f"{options.busy_timeout} s)")
    print(f"users: {sum(people.values())} ({_line(people)})")
    print(f"actions: {sum(ledger.actions.values())} ({_line(ledger.actions)})")
    print(f"outcomes: {_line(ledger.outcomes)}")
    print(f"updates sent to the bot: {fake.updates}; bot calls that succeeded: "
          f"{sum(calls.values())} ({_line(calls)})")
    print(f"faults injected: {sum(fake.injected.values())} ({_line(fake.injected)})")
    print(f"confirmed by the bot: {len(ledger.tasks)} tasks, {len(ledger.appointments)} "
          f"appointments, {len(ledger.questions)} questions handed over "
          f"(and {ledger.followups} added to an open one), {len(ledger.answers)} answers sent, "
          f"{len(ledger.broadcasts)} broadcasts")
    print(f"in the database afterwards: {_states(path)}")
    total = sum(len(v) for v in found.values())
    print(f"inconsistencies found: {total}")
    for name, problems in found.items():
        print(f"  {name}: {len(problems)}" + (f"  e.g. {problems[:3]}" if problems else ""))


def _line(counts: Counter[str]) -> str:
    return ", ".join(f"{key} {value}" for key, value in counts.most_common())


def main() -> None:
    """Print the figures; docs/soak.md records them with the command."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=180, help="seconds of activity")
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--think", type=float, default=10,
                        help="mean seconds between one person's actions")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--busy-timeout", type=float, default=0.5,
                        help="the bot's SQLite busy timeout (production: 10 s)")
    parser.add_argument("--calm", type=float, default=240,
                        help="at most this many seconds for the bot to send what it owes")
    parser.add_argument("--keep", type=Path, help="keep the database and the bot's log here")
    args = parser.parse_args()
    options = Options(args.duration, args.users, args.think, args.seed, args.busy_timeout,
                      args.calm, args.keep)
    raise SystemExit(1 if asyncio.run(soak(options)) else 0)


if __name__ == "__main__":
    main()
