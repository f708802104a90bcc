"""Property tests: random text, commands and button data, fed to the core by people in every
conversation state, must never raise, and everything the bot says (to them, and to other
chats through the outbox) must be HTML Telegram accepts, within its length limits, with
callback data of at most 64 bytes. Text the bot repeats back is shown exactly as typed.

The world of tests/roles_world.py gets one more person per state, each brought there the
normal way (commands, buttons and text). Examples share that database: after each one,
the tables it changed are put back, so every example starts from the same world.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.core import outbox, states
from bot.core.payloads import BadPayload, Payload, decode, prefix_of
from bot.core.ports import Incoming, Kind, Outcome
from bot.storage import volunteer
from bot.storage.models import Post, VolunteerOpportunity, VolunteerText
from fakebot.html_check import check_telegram_html
from tests.chat import outgoing
from tests.conftest import FIXED_NOW
from tests.databases import discard
from tests.forged import garbled, kinds, sample
from tests.roles_world import (
    ADMIN,
    CHAT_A,
    CHAT_C,
    COORD_A,
    COORD_B,
    FRESH,
    LONER,
    MEMBER_A,
    MEMBER_B,
    NEWCOMER_A,
    STRANGER,
    Probe,
    World,
    base,
    copy_of,
    freeze,
    open_probe,
    outcome_problems,
    records,
)

BIDI = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068"
                              "\u2069\u061c"))
OPEN, CLOSE = "⟦", "⟧"  # around typed text, to find it again in what the bot says
NAME_OPEN, NAME_CLOSE = "⟪", "⟫"  # around first names


# ---------------------------------------------------------------- people in every state


async def _onboarded(world: World, user: int, code: str) -> None:
    await world.send(user, "/start")
    for data in (f"lang:{code}", "priv:yes", "ob:role:newcomer", "ob:sit:refugee",
                 "ob:kids:no", "ob:muni:skip", "ob:arr:skip"):
        await world.press(user, data)


async def _joined(world: World, user: int, token: str) -> None:
    await world.send(user, f"/start {token}")
    for data in ("lang:nl", "priv:yes", "inv:y"):
        await world.press(user, data)


async def _invite_token(world: World, data: str) -> str:
    outcome = await world.press(ADMIN, data)
    found = re.search(r"start=(i_[A-Za-z0-9_-]+)", "\n".join(r.text for r in outcome.replies))
    assert found
    return found.group(1)


# name → (telegram id, the state they must be in, how they got there)
Steps = tuple[str, ...]
ONBOARDING: dict[str, tuple[int, str, Steps]] = {
    "language": (801, states.LANGUAGE, ("/start",)),
    "privacy": (802, states.PRIVACY, ("/start", "lang:ar")),
    "role": (803, states.ROLE, ("/start", "lang:ti", "priv:yes")),
    "children": (804, states.CHILDREN, ("/start", "lang:en", "priv:yes", "ob:role:newcomer",
                                        "ob:sit:eu")),
    "municipality": (805, states.MUNICIPALITY, ("/start", "lang:nl", "priv:yes",
                                                "ob:role:newcomer", "ob:sit:other",
                                                "ob:kids:skip")),
    "arrival": (806, states.ARRIVAL, ("/start", "lang:ar", "priv:yes", "ob:role:newcomer",
                                      "ob:sit:refugee", "ob:kids:yes", "ob:muni:skip")),
}
JOURNEYS = {"housing": 808, "inburgering": 809, "work": 810, "volunteering": 811,
            "health": 812}
MEMBERS = {"task title": (813, states.TASK_TITLE), "task draft": (814, "task:draft"),
           "task comment": (815, states.TASK_COMMENT), "task notes": (816, states.TASK_NOTES)}
REMINDING = {"remind what": (818, ()), "remind text": (819, ("r:w:other",)),
             "remind date": (820, ("r:w:ind",)),
             "remind time": (821, ("r:w:ind", "r:d:20261210")),
             "remind confirm": (822, ("r:w:ind", "r:d:20261210", "r:t:1000"))}
INVITED, ANSWERING, WRITING, PLANNING = 807, 817, 823, 826
KEEPING, ADDING = 824, 825  # coordinators of A typing into the help directory
# 🤲 volunteer work: (telegram id, situation, presses after /volunteer) per profile question
NEXT = "vw:n"
WISHING = {"volunteer asylum": (827, "other", ()), "volunteer interests": (828, "refugee", ()),
           "volunteer days": (829, "refugee", (NEXT,)),
           "volunteer languages": (830, "refugee", (NEXT, NEXT)),
           "volunteer place": (831, "refugee", (NEXT, NEXT, NEXT)),
           "volunteer level": (832, "refugee", (NEXT, NEXT, NEXT, "vw:s"))}
CONTACT, VOLUNTEER = 833, 834  # an organisation's contact who accepted, asked for the day


async def _steps(world: World, user: int, steps: Steps) -> None:
    for step in steps:
        await (world.send(user, step) if step.startswith("/") else world.press(user, step))


async def dialogs(world: World) -> dict[str, int]:
    """Bring one person into each state; returns who is where."""
    people = {name: user for name, (user, _s, _p) in ONBOARDING.items()}
    for user, _state, steps in ONBOARDING.values():
        await _steps(world, user, steps)
    people["situation"], people["menu"], people["menu with a question"] = FRESH, MEMBER_A, LONER
    people["journey first_steps"], people["group arrival"] = NEWCOMER_A, COORD_B
    await _steps(world, INVITED, (f"/start {world.tokens['newcomer_b']}", "lang:nl", "priv:yes"))
    people["invite"] = INVITED
    for journey, user in JOURNEYS.items():
        await _onboarded(world, user, ("nl", "ar", "ti", "en", "nl")[user % 5])
        await world.press(user, f"j:{journey}::o")
        people[f"journey {journey}"] = user
    await _steps(world, ADMIN, ("g:n", f"g:n:{world.orgs['A']}"))
    await world.press(COORD_A, "g:n")
    await world.send(COORD_A, "Groep A3")
    people["group name"], people["group municipality"] = ADMIN, COORD_A
    await _members(world, people)
    for name, (user, steps) in REMINDING.items():
        await _onboarded(world, user, ("ar", "ti", "en", "nl", "ar")[user % 5])
        await _steps(world, user, ("r:n", *steps))
        people[name] = user
    await _coordinators(world, people)
    await _volunteers(world, people)
    return people


async def _volunteers(world: World, people: dict[str, int]) -> None:
    """Newcomers at each profile question, and a contact at the first day's calendar."""
    for name, (user, situation, presses) in WISHING.items():
        await _steps(world, user, ("/start", "lang:ar", "priv:yes", "ob:role:newcomer",
                                   f"ob:sit:{situation}", "ob:kids:no", "ob:muni:skip",
                                   "ob:arr:skip", "/volunteer", *presses))
        people[name] = user
    await _steps(world, CONTACT, ("/start", "lang:nl", "priv:yes"))
    async with world.core.db.session() as session:
        await volunteer.save(session, volunteer.Stored(VolunteerOpportunity(
            id="vol-kitchen", kind="place", organisation="Buurtkeuken", interests=["cooking"],
            days=["sat"], parts_of_day=[], online=True, languages=["nl"], dutch_level="none",
            open_to_asylum_seekers=True, contact_telegram_id=CONTACT, places=2, closed=False,
            last_checked=FIXED_NOW.date()), {"nl": VolunteerText(
                opportunity_id="vol-kitchen", language="nl", title="Koken")}))
    await _onboarded(world, VOLUNTEER, "ti")
    await _steps(world, VOLUNTEER, ("vw:y:vol-kitchen:0",))
    match = world.one("SELECT max(id) FROM volunteer_matches")
    await world.press(CONTACT, f"vc:{match}:a")
    people["volunteer date"] = CONTACT


async def _members(world: World, people: dict[str, int]) -> None:
    group, task = world.groups["A"], world.tasks["a_open"]
    presses = {"task title": (f"tn:{group}",), "task draft": (f"tn:{group}",),
               "task comment": (f"t:{task}:m",), "task notes": (f"t:{task}:n",)}
    for name, (user, _state) in MEMBERS.items():
        await _joined(world, user, world.tokens["member_a"])
        await _steps(world, user, presses[name])
        people[name] = user
    await world.send(MEMBERS["task draft"][0], "Een nieuwe taak")


async def _coordinators(world: World, people: dict[str, int]) -> None:
    await _joined(world, ANSWERING, await _invite_token(world, f"g:ci:{world.orgs['B']}"))
    await world.press(ANSWERING, f"q:ans:{world.questions['open']}")
    people["question answer"] = ANSWERING
    await _joined(world, WRITING, await _invite_token(world, f"g:ci:{world.orgs['A']}"))
    await world.send(WRITING, "/broadcast")
    number = world.one("SELECT max(id) FROM broadcasts")
    await world.press(WRITING, f"bc:w:{number}:ar")
    people["broadcast text"] = WRITING
    for user, steps, name in ((KEEPING, ("dm:e:ph:dir-a",), "directory value"),
                              (ADDING, ("dm:n", "dm:n:legal", "dm:n:legal:GM0344"),
                               "directory name")):
        await _joined(world, user, await _invite_token(world, f"g:ci:{world.orgs['A']}"))
        await _steps(world, user, steps)
        people[name] = user
    await _joined(world, PLANNING, await _invite_token(world, f"g:ci:{world.orgs['A']}"))
    await world.send(PLANNING, "/broadcast")
    await world.press(PLANNING, f"bc:t:{world.one('SELECT max(id) FROM broadcasts')}")
    people["broadcast later"] = PLANNING  # at the calendar, where a day and time are typed


# ---------------------------------------------------------------- the shared world


class Stage:
    """The world with everyone in their state, on this module's own event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, world: World, probe: Probe,
                 people: dict[str, int]) -> None:
        self.loop, self.world, self.probe, self.people = loop, world, probe, people
        self.posts = {r["id"]: tuple(r.values())  # the outbox as frozen: id → row
                      for r in records(probe.snapshot({"outbox"})["outbox"])}
        self.answer = Outcome()  # what the last input got

    def __repr__(self) -> str:
        return f"Stage({len(self.people)} people in their states)"

    def run(self, event: Incoming) -> list[str]:
        """One input, every check, and the world put back; returns the problems."""
        return self.loop.run_until_complete(self._run(event))

    async def _run(self, event: Incoming) -> list[str]:
        try:
            outcome = self.answer = await self.world.handle(event)
        except Exception as error:  # every exception is a finding
            self.probe.restore()
            return [f"{type(error).__name__}: {error}"]
        problems: list[str] = []
        for shown, where in [(outcome, ""), *await self._posted()]:
            found = outcome_problems(shown) + echo_problems(shown, event.text) + \
                echo_problems(shown, event.first_name, NAME_OPEN)
            problems += [f"{where}{p}" for p in found]
        changed = self.probe.changed()
        if changed:
            self.probe.restore(changed)
        return problems

    async def _posted(self) -> list[tuple[Outcome, str]]:
        """Messages queued for other chats since the world was frozen, drawn as the
        outbox sender would draw them."""
        if "outbox" not in self.probe.changed():
            return []
        rows = records(self.probe.snapshot({"outbox"})["outbox"])
        fresh = [r["id"] for r in rows if self.posts.get(r["id"]) != tuple(r.values())]
        found = []
        async with self.world.core.db.session() as session:
            for post_id in fresh:
                post = await session.get(Post, post_id)
                assert post is not None
                message = await outbox.draw(session, self.world.core.router, post,
                                            FIXED_NOW.date())
                found.append((Outcome([message]), f"to chat {post.chat_id}: "))
        return found

    async def _outbox(self) -> list[str]:
        """What is wrong with the messages queued for other chats."""
        return [f"{where}{p}" for shown, where in await self._posted()
                for p in outcome_problems(shown)]


@pytest.fixture(scope="module")
def stage() -> Iterator[Stage]:
    """Everyone in their state, frozen once; examples start from there."""
    built, template = base()
    loop = asyncio.new_event_loop()
    folder = Path(tempfile.mkdtemp(prefix="wegwijs-properties-"))
    world = copy_of(built, template, folder, "properties.db")
    people = loop.run_until_complete(dialogs(world))
    probe = open_probe(world.url, freeze(world, "frozen.db"))
    yield Stage(loop, world, probe, people)
    probe.close()
    loop.run_until_complete(world.core.db.close())
    loop.close()
    discard(world.url)


def echo_problems(outcome: Outcome, typed: str, mark: str = OPEN) -> list[str]:
    """Text or a name the bot repeats must read exactly as typed: escaped in messages (so
    "<b>" shows as "<b>"), plain in a toast (which Telegram does not parse). NUL characters
    are dropped on the way in (bot/core/engine.py)."""
    if not typed.startswith(mark):
        return []
    wanted = typed.strip().translate(BIDI).replace("\x00", "")
    problems = []
    for reply in outcome.replies:
        if mark not in reply.text:
            continue
        visible = check_telegram_html(reply.text).translate(BIDI)
        if wanted not in visible:
            problems.append(f"echoed as {reply.text[:200]!r}, reads {visible[:200]!r}")
    toast = (outcome.toast or "").translate(BIDI)
    if mark in toast and wanted[:100] not in toast:
        problems.append(f"toast reads {toast!r}")
    return problems


def _where(who: int, private: bool) -> tuple[int, bool]:
    return (who, True) if private else (CHAT_A, False)


# ---------------------------------------------------------------- strategies

HOSTILE = ("<b>", "</i>", "&amp;", "<script>", "&", "<", ">", "&lt;", "&#0;", "&#x110000;",
           '<a href="tg://x">', "<tg-spoiler>", "</b>", "<i>", "\u200f", "\u202e", "\u200b",
           "\u200d", "\ufeff", "🇳🇱", "👨‍👩‍👧", "مرحبا بكم", "ሰላም ነው", "/start", "\n", " ",
           ":", "Utrecht", "IND", "huisarts", "14:45", "٣", "²", "9" * 25)
piece = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12))
short = st.lists(piece, max_size=10).map("".join)
ASTRAL = st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF)  # two UTF-16 units each


def lengthy(low: int, high: int) -> st.SearchStrategy[str]:
    """Long text: a random piece, or emoji (Telegram counts each as two), repeated."""
    unit = st.one_of(piece.filter(bool), st.text(alphabet=ASTRAL, min_size=1, max_size=3))
    return st.builds(lambda u, size: (u * (size // len(u) + 1))[:size], unit,
                     st.integers(low, high))


any_text = st.one_of(short, short, lengthy(100, 5000))


echoed = st.lists(piece.filter(lambda t: not set(t) & set(OPEN + CLOSE + NAME_OPEN + NAME_CLOSE)),
                  min_size=1,
                  max_size=6).map("".join).filter(lambda t: 3 <= len(t) <= 60 and t.strip())
TOKENS = ("0", "1", "2", "3", "4", "5", "x", "m", "d", "n", "a", "y", "o", "v", "c", "k",
          "me", "any", "nl", "ar", "202612", "999912", "000101", "20261201", "99991231",
          "2026120110", "²", "٣", "-1", "9" * 20, "", "erase", "ask", "ans", "more", "ok",
          "first_steps", "brp", "housing")
suffix = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=5)), max_size=4) \
    .map(":".join)


def _fits(data: str) -> bool:
    return 1 <= len(data.encode("utf-8")) <= 64


FAST = settings(deadline=None, max_examples=300,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ---------------------------------------------------------------- the tests


def test_someone_is_in_every_state(stage: Stage) -> None:
    """Every text-input state of every feature has a person in it, reached the normal way."""
    router = stage.world.core.router
    found = {user: str(row[0]) for user in stage.people.values()
             for row in stage.world.rows("SELECT state FROM users WHERE telegram_id = ?", user)}
    covered = {router.prompt_key(state) for state in found.values()}
    missing = set(router.text_inputs) - covered
    assert not missing, f"add a person in each of these states to dialogs(): {missing}"
    expected = {**{n: s for n, (_u, s, _p) in ONBOARDING.items()},
                **{n: s for n, (_u, s) in MEMBERS.items()}}
    for name, state in expected.items():
        assert found[stage.people[name]].startswith(state), (name, found[stage.people[name]])


@FAST
@given(data=st.data(), text=any_text, first_name=short,
       kind=st.sampled_from([Kind.TEXT, Kind.TEXT, Kind.EDITED, Kind.MEDIA]))
def test_random_text_in_every_state(stage: Stage, data: st.DataObject, text: str,
                                    first_name: str, kind: Kind) -> None:
    person = data.draw(st.sampled_from(sorted(stage.people)), label="state")
    user = stage.people[person]
    problems = stage.run(Incoming(user, user, kind, text=text, first_name=first_name))
    assert not problems, (person, problems)


@FAST
@given(data=st.data(), payload=echoed, first_name=echoed)
def test_typed_text_and_names_are_shown_as_typed(stage: Stage, data: st.DataObject,
                                                 payload: str, first_name: str) -> None:
    person = data.draw(st.sampled_from(sorted(stage.people)), label="state")
    user = stage.people[person]
    problems = stage.run(Incoming(user, user, Kind.TEXT, text=f"{OPEN}{payload}{CLOSE}",
                                  first_name=f"{NAME_OPEN}{first_name}{NAME_CLOSE}"))
    assert not problems, (person, problems)


@settings(FAST, max_examples=40)
@given(data=st.data(), first_name=echoed)
def test_names_are_shown_as_written_on_cards_and_toasts(stage: Stage, data: st.DataObject,
                                                         first_name: str) -> None:
    """A helper with an odd name comments on a task, claims it; others see the card."""
    tasks = stage.world.tasks
    task = data.draw(st.sampled_from([tasks["a_open"], tasks["a_claimed"]]), label="task")
    name = f"{NAME_OPEN}{first_name}{NAME_CLOSE}"
    turns = [Incoming(MEMBER_A, MEMBER_A, Kind.BUTTON, data=f"t:{task}:m", first_name=name),
             Incoming(MEMBER_A, MEMBER_A, Kind.TEXT, text="Ik doe het", first_name=name),
             Incoming(MEMBER_A, MEMBER_A, Kind.BUTTON, data=f"t:{task}:c", first_name=name),
             Incoming(COORD_A, COORD_A, Kind.BUTTON, data=f"t:{task}:c"),
             Incoming(COORD_A, COORD_A, Kind.BUTTON, data=f"t:{task}:v"),
             Incoming(COORD_A, COORD_A, Kind.BUTTON, data=f"t:{task}:h"),
             Incoming(NEWCOMER_A, NEWCOMER_A, Kind.BUTTON, data=f"nt:v:{task}")]
    problems = stage.loop.run_until_complete(_in_a_row(stage, turns, name))
    assert not problems, problems


@settings(FAST, max_examples=600)
@given(data=st.data(), private=st.booleans())
def test_random_button_data(stage: Stage, data: st.DataObject, private: bool) -> None:
    router = stage.world.core.router
    person = data.draw(st.sampled_from([*sorted(stage.people), "stranger"]), label="who")
    user = stage.people.get(person, STRANGER)
    prefixes = sorted(router.buttons) if private else sorted(router.group_buttons)
    pressed = data.draw(st.one_of(
        st.text(min_size=1, max_size=64).filter(_fits),
        st.builds(lambda p, s: f"{p}:{s}", st.sampled_from(prefixes), suffix).filter(_fits)),
        label="data")
    chat, is_private = _where(user, private)
    problems = stage.run(Incoming(user, chat, Kind.BUTTON, data=pressed, private=is_private))
    assert not problems, (person, pressed, problems)


def test_every_kind_of_button_forged_or_cut_short_is_answered_kindly(stage: Stage) -> None:
    """Each kind of payload the router reads, with someone else's ids, ids of nothing, cut
    short and garbled part by part, pressed by people in turn in every state (and in a
    group chat where the prefix works there): nothing raises, nothing shown is malformed,
    and data no kind reads gets the toast for old buttons."""
    router = stage.world.core.router
    people = sorted(stage.people)
    problems: list[str] = []
    for index, kind in enumerate(kinds(router)):
        user = stage.people[people[index % len(people)]]
        wire = sample(kind, 1).encode()
        datas = [wire, sample(kind, 999_999_999).encode(), *garbled(wire, ("", "²", "9" * 20))]
        chats = [True, False] if kind.prefix in router.group_buttons else [True]
        for data in datas:
            for private in chats:
                chat, is_private = _where(user, private)
                found = stage.run(Incoming(user, chat, Kind.BUTTON, data=data,
                                           private=is_private))
                if _unreadable(data, router.buttons) and not stage.answer.toast:
                    found.append("no answer")
                problems += [f"{kind.__name__} {data!r} ({chat}): {p}" for p in found]
    assert not problems, "\n".join(problems[:30])


def _unreadable(data: str, known: dict[str, list[type[Payload]]]) -> bool:
    try:
        decode(data, known.get(prefix_of(data), []))
    except BadPayload:
        return True
    return False


@settings(FAST, max_examples=250)
@given(data=st.data(), private=st.booleans(), args=st.one_of(any_text, echoed.map(
    lambda t: f"{OPEN}{t}{CLOSE}"), st.sampled_from(["i_", "i_x", "12 ja", f"{'9' * 30} x"])))
def test_random_commands(stage: Stage, data: st.DataObject, private: bool, args: str) -> None:
    router = stage.world.core.router
    person = data.draw(st.sampled_from([*sorted(stage.people), "stranger"]), label="who")
    user = stage.people.get(person, STRANGER)
    names = sorted(router.commands) if private else sorted(router.group_commands)
    command = data.draw(st.sampled_from(names), label="command")
    if data.draw(st.booleans(), label="real invite or link code"):  # the doors that open
        args = data.draw(st.sampled_from([*stage.world.tokens.values(),
                                          stage.world.link_code_b]), label="args")
    chat, is_private = _where(user, private)
    problems = stage.run(Incoming(user, chat, Kind.COMMAND, command=command, text=args,
                                  private=is_private))
    assert not problems, (person, command, problems)


@settings(FAST, max_examples=150)
@given(data=st.data(), text=any_text, reply_to=st.one_of(st.none(), st.integers(-5, 10**12)),
       kind=st.sampled_from(list(Kind)))
def test_anything_in_group_chats(stage: Stage, data: st.DataObject, text: str,
                                 reply_to: int | None, kind: Kind) -> None:
    """Chatter, replies, edits and media in a linked and an unlinked group chat."""
    person = data.draw(st.sampled_from([*sorted(stage.people), "stranger"]), label="who")
    user = stage.people.get(person, STRANGER)
    chat = data.draw(st.sampled_from([CHAT_A, CHAT_C]), label="chat")
    problems = stage.run(Incoming(user, chat, kind, text=text, private=False, reply_to=reply_to,
                                  first_name=text[:64]))
    assert not problems, (person, problems)


@settings(FAST, max_examples=10)
@given(comments=st.lists(st.one_of(short, lengthy(900, 1000)), min_size=1, max_size=7),
       notes=st.one_of(short, lengthy(990, 1000)))
@example(comments=["😀" * 1000] * 5, notes="😀" * 1000)
@example(comments=["<b>&amp;" * 125] * 6, notes="&" * 1000)
def test_a_task_with_many_long_comments_still_fits(stage: Stage, comments: list[str],
                                                   notes: str) -> None:
    task = stage.world.tasks["a_open"]
    turns = [Incoming(MEMBER_A, MEMBER_A, Kind.BUTTON, data=f"t:{task}:n"),
             Incoming(MEMBER_A, MEMBER_A, Kind.TEXT, text=notes)]
    for comment in comments:
        turns += [Incoming(MEMBER_A, MEMBER_A, Kind.BUTTON, data=f"t:{task}:m"),
                  Incoming(MEMBER_A, MEMBER_A, Kind.TEXT, text=comment)]
    turns += [Incoming(MEMBER_A, MEMBER_A, Kind.BUTTON, data=f"t:{task}:v"),
              Incoming(MEMBER_B, CHAT_A, Kind.COMMAND, command="tasks", private=False),
              Incoming(NEWCOMER_A, NEWCOMER_A, Kind.BUTTON, data=f"nt:v:{task}")]
    problems = stage.loop.run_until_complete(_in_a_row(stage, turns))
    assert not problems, problems


@settings(FAST, max_examples=10)
@given(question=lengthy(1400, 2100), additions=st.lists(lengthy(500, 2100), max_size=4))
@example(question="😀" * 2000, additions=["😀" * 2000] * 3)
@example(question="x😀" * 1000, additions=["x٣" * 1000])  # isolation marks for Arabic
def test_a_long_question_with_many_additions_still_fits(stage: Stage, question: str,
                                                        additions: list[str]) -> None:
    """Asked, handed to a person, added to: the helpers' card and the answer prompt fit."""
    asker = JOURNEYS["housing"]
    problems = stage.loop.run_until_complete(_ask_and_add(stage, asker, question, additions))
    assert not problems, problems


async def _ask_and_add(stage: Stage, asker: int, question: str,
                       additions: list[str]) -> list[str]:
    world = stage.world
    asked = [Incoming(asker, asker, Kind.TEXT, text=question)]
    problems = await _in_a_row(stage, asked, restore=False)
    drafts = world.rows("SELECT id FROM questions WHERE status = 'draft' AND user_id = ?",
                        world.one("SELECT id FROM users WHERE telegram_id = ?", asker))
    turns = [Incoming(asker, asker, Kind.BUTTON, data=f"q:ask:{row[0]}") for row in drafts]
    turns += [Incoming(asker, asker, Kind.TEXT, text=t) for t in additions]
    turns += [Incoming(ADMIN, ADMIN, Kind.BUTTON, data="lang:ar"),  # right to left
              Incoming(ADMIN, ADMIN, Kind.COMMAND, command="inbox"),
              *(Incoming(ADMIN, ADMIN, Kind.BUTTON, data=f"q:ans:{row[0]}") for row in drafts)]
    return problems + await _in_a_row(stage, turns)


@settings(FAST, max_examples=10)
@given(answer=st.one_of(short, lengthy(1000, 2000)))
@example(answer="x😀" * 1000)
def test_an_answer_of_any_text_fits(stage: Stage, answer: str) -> None:
    """A helper's answer reaches the newcomer in Arabic (each Latin run isolated)."""
    question = stage.world.questions["answered"]
    turns = [Incoming(NEWCOMER_A, NEWCOMER_A, Kind.BUTTON, data=f"q:more:{question}"),
             Incoming(ADMIN, ADMIN, Kind.BUTTON, data=f"q:ans:{question}"),
             Incoming(ADMIN, ADMIN, Kind.TEXT, text=answer)]
    problems = stage.loop.run_until_complete(_in_a_row(stage, turns))
    assert not problems, problems


@settings(FAST, max_examples=10)
@given(text=st.one_of(short, lengthy(3000, 3600)), language=st.sampled_from(["nl", "ar", "ti"]))
@example(text="😀" * 3500, language="ti")
def test_a_broadcast_of_any_text_fits(stage: Stage, text: str, language: str) -> None:
    """Written, previewed in every language (the fallback note too), sent: all of it fits."""
    problems = stage.loop.run_until_complete(_broadcast(stage, text, language))
    assert not problems, problems


async def _broadcast(stage: Stage, text: str, language: str) -> list[str]:
    world, author = stage.world, stage.people["broadcast text"]
    state = world.rows("SELECT state FROM users WHERE telegram_id = ?", author)[0][0]
    number = str(state).split(":")[2]
    turns = [Incoming(author, author, Kind.TEXT, text=text),
             *(Incoming(author, author, Kind.BUTTON, data=f"bc:p:{number}:{code}")
               for code in ("nl", "en", "ar", "ti")),
             Incoming(author, author, Kind.BUTTON, data=f"bc:r:{number}:member"),
             Incoming(author, author, Kind.BUTTON, data=f"bc:y:{number}")]
    problems = await _in_a_row(stage, turns, restore=False)
    for item in await outgoing(world.core):
        problems += [f"to {item.chat_id}: {p}" for p in outcome_problems(Outcome([item.reply]))]
    stage.probe.restore()
    return problems


async def _in_a_row(stage: Stage, turns: list[Incoming], name: str = "",
                    restore: bool = True) -> list[str]:
    """Several inputs on one world (each one checked, the outbox too), then restored."""
    problems: list[str] = []
    try:
        for event in turns:
            outcome = await stage.world.handle(event)
            problems += outcome_problems(outcome) + await stage._outbox()
            problems += echo_problems(outcome, name, NAME_OPEN)
    except Exception as error:  # every exception is a finding
        problems.append(f"{type(error).__name__}: {error}")
    if restore:
        stage.probe.restore()
    return problems
