"""Reply latency under load while a broadcast and reminders go out through the same budget.

The fake Bot API (fakebot/) runs in its own process and answers every call `--latency`
seconds late (30 ms: a real round trip). Wegwijs runs in this process as `main.py run` builds
it (build_core, build_application, polling) on a SQLite file in a temporary directory.

`--people` onboarded people, written straight into the database in four languages (nl, en,
ar, ti), send `--rate` updates a second for `--duration` seconds, each person one update at
a time (the next only after the reply, about every people/rate seconds): "/menu"; a journey
step (🧭 My steps from the menu, a journey, ✅ Done on its step); a typed question as people
ask it (the FAQ's own matching phrases, in the person's language); and, for the helpers of
sponsor groups (four in ten people, five to a group, 16 open tasks each), a task claim
(/groups, 📋 Open, a task, ✋ Claim: every update on that way counts as a task update).
Each chat starts with the main menu from an earlier visit; a person presses buttons on the
bot's few newest messages in their chat, as one scrolls up a little, and types a command
when none fits.
Two seconds into the load, a broadcast to `--broadcast` other newcomers starts as a
coordinator's Send starts it (delivery.start in one transaction), and `--reminders`
appointment reminders (urgent, so quiet hours do not hold them) fall due, spread evenly
over the run. The people who act, the broadcast's recipients and the reminders' recipients
have chats of their own, so a reply is the first sendMessage or editMessageText in the
person's chat after their update (not the answerCallbackQuery of a press).

Times are taken in the fake's process when it carries out a call (after its round trip).
Printed, each next to its goal: reply latency p50/p95/p99 (update queued at the fake →
reply there), the broadcast's rate while replies flow and its highest count in any
1-second window, reminder lateness (arrival minus due time), and broadcast or reminder
texts that arrived twice in one chat; with them, reply latency by kind and over the run,
and what the people did. Then, once the broadcast has finished (or stalled for 30 s), its
total duration, tasks claimed, CPU use and the bot's event-loop lag during the load, and the
bot's warnings and errors (logging is set to WARNING and counted, not printed as it comes).

    .venv/bin/python -m bench.latency
    .venv/bin/python -m bench.latency --duration 10 --people 50 --broadcast 500 --reminders 30
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import multiprocessing
import os
import random
import re
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import build_core
from bot.config import Settings, load_settings
from bot.core.broadcasts import delivery
from bot.core.engine import Core
from bot.core.privacy import PRIVACY_VERSION
from bot.storage.db import Database
from bot.storage.models import (
    Appointment,
    Broadcast,
    Coordinator,
    Group,
    Membership,
    Organisation,
    Reminder,
    Task,
    User,
)
from bot.telegram.app import Background, build_application
from fakebot import BOT_USER, ApiError, FakeTelegram, Handler, JsonDict
from fakebot.polling import polling

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH"
LANGUAGES = ("nl", "en", "ar", "ti")
AUTHOR, ACTIVE, AUDIENCE, REMINDED = 900_000, 1_000_000, 2_000_000, 3_000_000  # chat ids
HOME, ELSEWHERE = "GM0344", "GM0599"  # the active people's town; the broadcast's town
HELPER_SHARE, GROUP_SIZE, TASKS_PER_GROUP = 0.4, 5, 16
BROADCAST_AFTER = 2.0  # seconds into the load when the coordinator presses Send
LEAD = 1.0  # seconds between telling the fake to start and the first update
REPLY_TIMEOUT = 10.0  # a reply later than this counts as unanswered
STALL = 30.0  # seconds without broadcast progress after which waiting for it stops
SETTLE = 3.0  # seconds to wait at the end: a second copy of something would arrive now
CHUNK = 2000
REPLY_GOAL, RATE_GOAL, SECOND_LIMIT, LATE_GOAL = 0.300, 27.0, 30, 2.0
NEW_OR_EDIT = frozenset({"sendMessage", "editMessageText"})
MENU = {"newcomer": ("steps:", "r:l", "menu:me"), "helper": ("steps:", "g:h", "r:l", "menu:me")}
MIX = {"newcomer": {"journey": 50, "question": 30, "menu": 20},
       "helper": {"task": 60, "question": 20, "menu": 20}}
JOURNEY_PRESSES = (r"j:[^:]+:[^:]+:d", r"j:[^:]+::o", r"steps:")  # Done, a journey, My steps
SCREENS = 5  # a person looks at the bot's newest messages this far back for a button
Step = tuple[int | None, str]  # (bot message to press a button on, its data) or (None, text)
Screen = tuple[int, list[str]]  # a bot message and the callback data of its buttons
Chooser = Callable[[list[str]], str | None]  # picks a button to press among a message's


# ---------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Options:
    """The command line."""

    duration: float = 60.0
    people: int = 500
    rate: float = 50.0
    broadcast: int = 5000
    reminders: int = 300
    latency: float = 0.030
    seed: int = 7


@dataclass(frozen=True)
class Person:
    """One person who acts: their chat (= Telegram user id), language, and helper's group."""

    chat: int
    language: str
    group: int | None = None


@dataclass(frozen=True)
class Plan:
    """Who exists (sent to the fake's process)."""

    options: Options
    people: tuple[Person, ...]

    def audience(self) -> range:
        """The broadcast's recipients' chats."""
        return range(AUDIENCE, AUDIENCE + self.options.broadcast)

    def reminded(self) -> range:
        """The reminders' recipients' chats."""
        return range(REMINDED, REMINDED + self.options.reminders)

    def chats(self) -> list[int]:
        """Every private chat the bot may write to."""
        return [AUTHOR, *(p.chat for p in self.people), *self.audience(), *self.reminded()]


# ---------------------------------------------------------------------- the database


def _user(telegram_id: int, language: str, role: str, town: str, now: datetime
          ) -> dict[str, Any]:
    """A users row as onboarding leaves it (consent given, profile answered, at the menu)."""
    return {"telegram_id": telegram_id, "locale": language, "state": "menu",
            "declared_role": role, "privacy_version": PRIVACY_VERSION,
            "privacy_accepted_at": now, "onboarded_at": now, "municipality_code": town,
            "first_name": f"P{telegram_id % 100_000}", "has_roles": role != "newcomer",
            "situation": "refugee" if role == "newcomer" else None, "created_at": now,
            "last_seen_at": now}


async def _insert(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> None:
    """Bulk insert in chunks."""
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(model), rows[start:start + CHUNK])


async def seed(db: Database, options: Options) -> Plan:
    """Everyone, the coordinator with the sponsor groups and their tasks, and appointments."""
    rng, now = random.Random(options.seed), datetime.now(UTC)
    helpers = int(options.people * HELPER_SHARE) // GROUP_SIZE * GROUP_SIZE
    active = [(ACTIVE + n, rng.choice(LANGUAGES)) for n in range(options.people)]
    rows = [_user(AUTHOR, "nl", "coordinator", HOME, now)]
    rows += [_user(chat, lang, "member" if n < helpers else "newcomer", HOME, now)
             for n, (chat, lang) in enumerate(active)]
    rows += [_user(AUDIENCE + n, rng.choice(LANGUAGES), "newcomer", ELSEWHERE, now)
             for n in range(options.broadcast)]
    rows += [_user(REMINDED + n, rng.choice(LANGUAGES), "newcomer", "", now)
             for n in range(options.reminders)]
    async with db.session() as session:
        await _insert(session, User, rows)
        ids = {chat: uid for chat, uid in await session.execute(select(User.telegram_id, User.id))}
        groups = await _groups(session, ids, [chat for chat, _ in active[:helpers]], now)
        await _insert(session, Appointment, [
            {"user_id": ids[REMINDED + n], "what": "gemeente", "status": "active",
             "day_before": False, "hour_before": True, "created_at": now,
             "at": now + timedelta(hours=3)} for n in range(options.reminders)])
    people = tuple(Person(chat, lang, groups.get(chat)) for chat, lang in active)
    return Plan(options, people)


async def _groups(session: AsyncSession, ids: dict[int, int], helpers: list[int],
                  now: datetime) -> dict[int, int]:
    """An organisation and its coordinator; groups of helpers with open tasks; helper → group."""
    organisation = Organisation(name="Samen Hier Bench", created_at=now)
    session.add(organisation)
    await session.flush()
    session.add(Coordinator(user_id=ids[AUTHOR], organisation_id=organisation.id,
                            created_at=now))
    found: dict[int, int] = {}
    for start in range(0, len(helpers), GROUP_SIZE):
        group = Group(organisation_id=organisation.id, name=f"Groep {start // GROUP_SIZE}",
                      created_by=ids[AUTHOR], municipality_code=HOME, created_at=now,
                      arrival_date=now.date() - timedelta(days=30), last_activity_at=now)
        session.add(group)
        await session.flush()
        found.update(dict.fromkeys(helpers[start:start + GROUP_SIZE], group.id))
    await _insert(session, Membership, [
        {"group_id": gid, "user_id": ids[chat], "role": "member", "share_questions": False,
         "joined_at": now} for chat, gid in found.items()])
    await _insert(session, Task, [
        {"group_id": gid, "title": f"Taak {n + 1} van groep {gid}", "status": "open",
         "created_by": ids[AUTHOR], "created_at": now, "updated_at": now}
        for gid in sorted(set(found.values())) for n in range(TASKS_PER_GROUP)])
    return found


async def schedule_reminders(db: Database, options: Options, begin: float) -> dict[int, float]:
    """One reminder per appointment, due evenly over the run; returns chat → due time."""
    now = datetime.now(UTC)
    spread = options.duration / max(options.reminders, 1)
    async with db.session() as session:
        pairs = (await session.execute(
            select(User.telegram_id, Appointment.user_id, Appointment.id)
            .join(User, User.id == Appointment.user_id).order_by(User.telegram_id))).all()
        due = {chat: begin + (n + 0.5) * spread for n, (chat, _u, _a) in enumerate(pairs)}
        moment = {chat: datetime.fromtimestamp(when, UTC) for chat, when in due.items()}
        await _insert(session, Reminder, [
            {"user_id": user, "kind": "appointment", "appointment_id": appointment,
             "lead": "hour", "due_at": moment[chat], "useful_until": moment[chat] + timedelta(
                 hours=1), "urgent": True, "state": "scheduled", "attempts": 0,
             "created_at": now} for chat, user, appointment in pairs])
    return due


async def start_broadcast(core: Core) -> tuple[float, float]:
    """The coordinator's Send: an admin-wide broadcast to the newcomers of ELSEWHERE, queued
    by delivery.start in one transaction; returns when it started and how long that took."""
    started = time.time()
    async with core.db.session() as session:
        author = await session.scalar(select(User.id).where(User.telegram_id == AUTHOR))
        broadcast = Broadcast(
            author_id=author, organisation_id=None, fallback="nl", urgent=False,
            audience={"roles": ["newcomer"], "municipality": ELSEWHERE}, state="draft",
            texts={lang: f"Bench-bericht ({lang}): de bibliotheek is maandag dicht."
                   for lang in LANGUAGES}, created_at=datetime.now(UTC))
        session.add(broadcast)
        await session.flush()
        await delivery.start(session, broadcast, datetime.now(UTC))
    return started, time.time() - started


# ---------------------------------------------------------------------- the fake's side


class TimedFake(FakeTelegram):
    """The fake Bot API, noting when each message arrived and waking whoever waits."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[tuple[int, float, str]] = []  # sendMessage: chat, when, text
        self.firsts: dict[int, float] = {}  # chat → its first sendMessage
        self._waiting: dict[int, asyncio.Future[float]] = {}

    async def _execute(self, name: str, handler: Handler | None, params: JsonDict,
                       fault: ApiError | None) -> Any:
        """As the fake's; then note a new message or an edit."""
        result = await super()._execute(name, handler, params, fault)
        if name in NEW_OR_EDIT:
            self._arrived(name, int(params["chat_id"]), result)
        return result

    def _arrived(self, name: str, chat: int, result: JsonDict) -> None:
        """Note a new message; the first message or edit after an update is its reply."""
        at = time.time()
        if name == "sendMessage":
            self.arrivals.append((chat, at, str(result.get("text", ""))))
            self.firsts.setdefault(chat, at)
        waiter = self._waiting.pop(chat, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(at)

    def expect(self, chat: int) -> asyncio.Future[float]:
        """A future for the time of the next message or edit in the chat."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting[chat] = future
        return future

    def shown(self, chat: int) -> list[Screen]:
        """The bot's newest messages in the chat (newest first) with their buttons' data."""
        state = self._chats.get(chat)
        messages = list(state.messages.values()) if state else []
        screens: list[Screen] = []
        for message in reversed(messages):
            if message["from"]["is_bot"] and len(screens) < SCREENS:
                rows = message.get("reply_markup", {}).get("inline_keyboard", [])
                data = [str(b.get("callback_data", "")) for row in rows for b in row]
                screens.append((int(message["message_id"]), data))
        return screens

    def left_open(self, chat: int, data: Sequence[str]) -> None:
        """A bot message from an earlier visit (the main menu someone left open)."""
        rows = [[{"text": d, "callback_data": d}] for d in data]
        state = self._ensure_chat(chat)
        state.add_message(BOT_USER, {"text": "Main menu", "reply_markup": {
            "inline_keyboard": rows}})

    def reached(self, chats: range) -> int:
        """How many of these chats got a message."""
        return sum(1 for chat in self.firsts if chat in chats)


def faq_phrases() -> dict[str, list[str]]:
    """How people really ask, per language (the FAQ's own matching data)."""
    phrases: dict[str, list[str]] = {code: [] for code in LANGUAGES}
    for path in sorted((ROOT / "flows" / "faq").glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["entries"]:
            for code, asked in entry.get("match", {}).items():
                phrases.setdefault(code, []).extend(str(a) for a in asked)
    return phrases


def _tasks(data: list[str], action: str) -> dict[int, str]:
    """Task id → button data, for the `t:<id>:<action>` buttons."""
    found = (re.fullmatch(rf"t:(\d+):{action}", d) for d in data)
    return {int(m.group(1)): m.group(0) for m in found if m}


def press(screens: list[Screen], choosers: Sequence[Chooser]) -> Step | None:
    """The first chooser (in order) that finds its button, on the newest message with it."""
    for choose in choosers:
        for message, data in screens:
            chosen = choose(data)
            if chosen is not None:
                return message, chosen
    return None


def one_of(pattern: str, rng: random.Random) -> Chooser:
    """Any button whose data matches the pattern."""
    compiled = re.compile(pattern)

    def choose(data: list[str]) -> str | None:
        found = [d for d in data if compiled.fullmatch(d)]
        return rng.choice(found) if found else None

    return choose


def task_choosers(group: int | None, claimed: set[int], rng: random.Random) -> list[Chooser]:
    """On the way to a claim: ✋ Claim, a task of the list, the list's next page when all
    shown are taken, 📋 Open on the group's page, ⬅️ Back to that page, 👥 Groups."""

    def claim(data: list[str]) -> str | None:
        free = {task: d for task, d in _tasks(data, "c").items() if task not in claimed}
        if not free:
            return None
        task = rng.choice(sorted(free))
        claimed.add(task)
        return free[task]

    def view(data: list[str]) -> str | None:
        free = [d for task, d in _tasks(data, "v").items() if task not in claimed]
        return rng.choice(free) if free else None

    def next_page(data: list[str]) -> str | None:
        pages = [d for d in data if d.startswith(f"g:l:{group}:o:")]
        if not pages or not _tasks(data, "v"):
            return None
        return max(pages, key=lambda d: int(d.rsplit(":", 1)[1]))

    return [claim, view, next_page, *(one_of(p, rng) for p in (
        rf"g:l:{group}:o:0", rf"g:o:{group}", "g:h"))]


@dataclass
class Load:
    """The people acting, and what they measured."""

    fake: TimedFake
    rng: random.Random
    phrases: dict[str, list[str]]
    claimed: set[int] = field(default_factory=set)
    latencies: list[tuple[str, float]] = field(default_factory=list)
    timeline: list[tuple[float, float]] = field(default_factory=list)  # pushed, latency/inf
    unanswered: Counter[str] = field(default_factory=Counter)
    steps: Counter[str] = field(default_factory=Counter)
    skipped: int = 0
    pushed: int = 0

    async def run(self, people: list[Person], begin: float, duration: float, rate: float
                  ) -> None:
        """One update every 1/rate s from the person who has waited longest; sequential
        per person (someone still waiting for a reply is not asked to act)."""
        self.rng.shuffle(people)
        idle, busy = deque(people), set[asyncio.Task[None]]()
        for n in range(int(duration * rate)):
            await asyncio.sleep(max(0.0, begin + n / rate - time.time()))
            if not idle:
                self.skipped += 1
                continue
            person = idle.popleft()
            task = asyncio.create_task(self.turn(person))
            busy.add(task)
            task.add_done_callback(partial(_back, idle, busy, person))
        if busy:
            await asyncio.wait(busy)

    async def turn(self, person: Person) -> None:
        """One update, and the wait for its reply."""
        kind = self._kind(person)
        message, payload = self._step(kind, person)
        self.steps[step_label(message, payload)] += 1
        reply = self.fake.expect(person.chat)
        pushed = time.time()
        if message is None:
            await self.fake.user_sends(person.chat, payload, language_code=person.language)
        else:
            await self.fake.user_presses(person.chat, message, payload)
        self.pushed += 1
        try:
            arrived = await asyncio.wait_for(reply, REPLY_TIMEOUT)
        except TimeoutError:
            self.unanswered[kind] += 1
            self.timeline.append((pushed, math.inf))
            return
        self.latencies.append((kind, arrived - pushed))
        self.timeline.append((pushed, arrived - pushed))

    def _kind(self, person: Person) -> str:
        """A newcomer's or a helper's next kind of update, by MIX."""
        mix = MIX["helper" if person.group is not None else "newcomer"]
        return self.rng.choices(list(mix), list(mix.values()))[0]

    def _step(self, kind: str, person: Person) -> Step:
        """What the person does for an update of this kind, given what the chat shows."""
        if kind == "question":
            return None, self.rng.choice(self.phrases[person.language] or self.phrases["en"])
        if kind == "journey":
            choosers = [one_of(pattern, self.rng) for pattern in JOURNEY_PRESSES]
            return press(self.fake.shown(person.chat), choosers) or (None, "/steps")
        if kind == "task":
            choosers = task_choosers(person.group, self.claimed, self.rng)
            return press(self.fake.shown(person.chat), choosers) or (None, "/groups")
        return None, "/menu"


def step_label(message: int | None, payload: str) -> str:
    """What an update was, for counting: a command, a typed question, or a button."""
    if message is None:
        return payload if payload.startswith("/") else "typed question"
    return re.sub(r"\d+", "#", re.sub(r"^j:[^:]+:[^:]*:", "j:…:", payload))


def _back(idle: deque[Person], busy: set[asyncio.Task[None]], person: Person,
          task: asyncio.Task[None]) -> None:
    """A person whose update was answered (or given up on) may act again later."""
    busy.discard(task)
    idle.append(person)


@dataclass
class Observed:
    """What the fake's process saw (sent back as a dict of plain values)."""

    begin: float
    end: float
    latencies: list[tuple[str, float]]
    timeline: list[tuple[float, float]]
    unanswered: dict[str, int]
    steps: dict[str, int]
    skipped: int
    pushed: int
    arrivals: list[tuple[int, float, str]]
    cpu: float  # share of one CPU the fake's process used during the load


def _serve(pipe: Connection, plan: Plan) -> None:
    """Child process: the fake Bot API and the people."""
    asyncio.run(_serve_async(pipe, plan))


async def _serve_async(pipe: Connection, plan: Plan) -> None:
    """Open the chats, run the people, wait for the broadcast, send back what was seen."""
    options = plan.options
    async with TimedFake() as fake:
        fake.slow_down(options.latency)
        for chat in plan.chats():  # everyone has opened the chat with the bot before
            await fake.add_chat(chat)
        for person in plan.people:  # and left the main menu there
            fake.left_open(person.chat, MENU["helper" if person.group is not None else "newcomer"])
        pipe.send(fake.root_url)
        begin = float(await asyncio.to_thread(pipe.recv))
        load = Load(fake, random.Random(options.seed), faq_phrases())
        cpu = asyncio.create_task(cpu_share(begin, options.duration))
        await load.run(list(plan.people), begin, options.duration, options.rate)
        await _until_delivered(fake, plan)
        await asyncio.sleep(SETTLE)
        observed = Observed(begin, begin + options.duration, load.latencies, load.timeline,
                            dict(load.unanswered), dict(load.steps), load.skipped, load.pushed,
                            fake.arrivals, await cpu)
        pipe.send(asdict(observed))
        await asyncio.to_thread(pipe.recv)  # the bot has stopped: the fake may go


async def cpu_share(begin: float, duration: float) -> float:
    """The share of one CPU this process used from `begin` for `duration` seconds."""
    await asyncio.sleep(max(0.0, begin - time.time()))
    used = time.process_time()
    await asyncio.sleep(duration)
    return (time.process_time() - used) / duration


async def loop_lag(begin: float, duration: float, every: float = 0.05) -> list[float]:
    """How late this process's event loop wakes a sleeper, sampled during the load."""
    await asyncio.sleep(max(0.0, begin - time.time()))
    lags: list[float] = []
    while time.time() < begin + duration:
        asked = time.perf_counter()
        await asyncio.sleep(every)
        lags.append(time.perf_counter() - asked - every)
    return lags


async def _until_delivered(fake: TimedFake, plan: Plan) -> None:
    """Until every recipient has the broadcast and every reminder arrived, or no progress
    for STALL seconds."""
    wanted = len(plan.audience()) + len(plan.reminded())
    seen, since = -1, time.time()
    while (count := fake.reached(plan.audience()) + fake.reached(plan.reminded())) < wanted:
        if count != seen:
            seen, since = count, time.time()
        elif time.time() - since > STALL:
            return
        await asyncio.sleep(0.5)


# ---------------------------------------------------------------------- the bot's side


@dataclass(frozen=True)
class Run:
    """Everything the report needs."""

    plan: Plan
    observed: Observed
    due: dict[int, float]
    broadcast_started: float
    broadcast_took: float
    cpu: float  # share of one CPU the bot's process used during the load
    claimed: int  # tasks claimed in the database at the end
    lags: list[float]  # the bot's event loop: how late a sleeper woke, during the load
    load_average: float  # the machine's, over the last minute, at the end of the load


class Tally(logging.Handler):
    """Counts warnings and errors by message, numbers left out (instead of printing them)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        """Count one record."""
        text = re.sub(r"\d+", "#", record.getMessage())
        self.seen[f"{record.levelname} {record.name}: {text}"] += 1


async def measure(options: Options) -> Run:
    """Seed, start the fake and the bot, let the people act; returns what was seen."""
    with tempfile.TemporaryDirectory() as workdir:
        settings = load_settings({"DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/bench.db"},
                                 env_file=Path(workdir) / "none.env")
        db = Database(settings.database_url)
        await db.migrate()
        seeded = time.perf_counter()
        plan = await seed(db, options)
        print(f"seeded {len(plan.chats())} people in {time.perf_counter() - seeded:.1f} s",
              flush=True)
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        server = context.Process(target=_serve, args=(child, plan), daemon=True)
        server.start()
        root_url = await asyncio.to_thread(parent.recv)
        run = await _run(db, settings, root_url, parent, plan)
        parent.send("stop")
        server.join(timeout=10)
    return run


async def _run(db: Database, settings: Settings, root_url: str, pipe: Connection,
               plan: Plan) -> Run:
    """The bot polls while the people act; the broadcast starts once the load has begun."""
    core = build_core(settings, db)
    app = build_application(core, TOKEN, root_url)
    async with polling(app):
        begin = time.time() + LEAD
        due = await schedule_reminders(db, plan.options, begin)
        pipe.send(begin)
        cpu = asyncio.create_task(cpu_share(begin, plan.options.duration))
        lags = asyncio.create_task(loop_lag(begin, plan.options.duration))
        await asyncio.sleep(max(0.0, begin + BROADCAST_AFTER - time.time()))
        started, took = await start_broadcast(core)
        background: Background = app.bot_data["background"]
        background.wake()
        print(f"load running; broadcast queued in {took:.2f} s; waiting for the run and the "
              "broadcast to finish…", flush=True)
        bot_cpu = await cpu
        load_average = os.getloadavg()[0]
        observed = Observed(**await asyncio.to_thread(pipe.recv))
        async with db.session() as session:
            claimed = await session.scalar(
                select(func.count()).select_from(Task).where(Task.status == "claimed"))
    return Run(plan, observed, due, started, took, bot_cpu, claimed or 0, await lags,
               load_average)


# ---------------------------------------------------------------------- the report


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (NaN for no values)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else math.nan


def busiest_second(times: Sequence[float]) -> int:
    """The most events in any window of one second."""
    ordered, best, first = sorted(times), 0, 0
    for last, at in enumerate(ordered):
        while at - ordered[first] >= 1.0:
            first += 1
        best = max(best, last - first + 1)
    return best


def verdict(met: bool) -> str:
    """The word next to a goal."""
    return "met" if met else "missed"


def report(run: Run, tally: Tally) -> None:
    """The block the issue asks for, then the broadcast's total and the bot's log."""
    options = run.plan.options
    print(f"latency bench: {options.people} people, {options.rate:g} updates/s for "
          f"{options.duration:g} s, {options.latency * 1000:g} ms per Bot API call; broadcast "
          f"to {options.broadcast}, {options.reminders} reminders")
    _replies(run.observed)
    _broadcast(run)
    _reminders(run)
    print(f"sent twice: {_twice(run)} (goal 0: {verdict(_twice(run) == 0)})")
    _broadcast_total(run)
    print(f"tasks claimed in the database: {run.claimed}")
    print(f"CPU during the load: bot process {run.cpu:.0%} of one core, fake Bot API and "
          f"people {run.observed.cpu:.0%}; machine load average {run.load_average:.1f} on "
          f"{os.cpu_count()} cores; the bot's event loop woke sleepers late by p50 "
          f"{percentile(run.lags, 0.5) * 1000:.0f} ms, p99 {percentile(run.lags, 0.99) * 1000:.0f}"
          f" ms, max {max(run.lags, default=math.nan) * 1000:.0f} ms")
    _log(tally)


def _replies(observed: Observed) -> None:
    """Reply latency against its goal, by kind, and what the people did."""
    seconds = [s for _k, s in observed.latencies]
    p99 = percentile(seconds, 0.99)
    print(f"replies: {len(seconds)} answered; p50 {percentile(seconds, 0.5) * 1000:.0f} ms, "
          f"p95 {percentile(seconds, 0.95) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms "
          f"(goal < {REPLY_GOAL * 1000:.0f} ms: {verdict(p99 < REPLY_GOAL)})")
    kinds = sorted({k for k, _s in observed.latencies})
    parts = [f"{k} {sum(1 for x, _ in observed.latencies if x == k)} "
             f"(p99 {percentile([s for x, s in observed.latencies if x == k], 0.99) * 1000:.0f}"
             " ms)" for k in kinds]
    missing = sum(observed.unanswered.values())
    which = f" ({_counts(Counter(observed.unanswered))})" if missing else ""
    print(f"  by kind: {', '.join(parts)}; updates sent {observed.pushed}, unanswered within "
          f"{REPLY_TIMEOUT:g} s {missing}{which}, not sent because everyone was still waiting "
          f"for a reply: {observed.skipped}")
    print(f"  updates: {_counts(Counter(observed.steps))}")
    print(f"  over the run, p50 (unanswered) by update time: {_timeline(observed)}")


def _timeline(observed: Observed, parts: int = 6) -> str:
    """Reply p50 and unanswered updates for each sixth of the run."""
    width = (observed.end - observed.begin) / parts
    slices = []
    for n in range(parts):
        low = observed.begin + n * width
        mine = [s for at, s in observed.timeline if low <= at < low + width]
        missing = sum(1 for s in mine if math.isinf(s))
        slices.append(f"{n * width:.0f}–{(n + 1) * width:.0f} s {percentile(mine, 0.5) * 1000:.0f}"
                      f" ms ({missing})")
    return ", ".join(slices)


def _counts(counts: Counter[str]) -> str:
    """Counts as "key n, key n", largest first."""
    return ", ".join(f"{key} {value}" for key, value in counts.most_common())


def _times(run: Run, chats: range) -> list[float]:
    """Arrival times of the new messages to these chats, in order."""
    return sorted(at for chat, at, _t in run.observed.arrivals if chat in chats)


def _broadcast(run: Run) -> None:
    """The broadcast's rate while replies flowed and its busiest second, against the goals."""
    times, end = _times(run, run.plan.audience()), run.observed.end
    flowing = [t for t in times if t <= end]
    until = end if len(flowing) < len(times) or not flowing else flowing[-1]
    rate = len(flowing) / max(until - run.broadcast_started, 1e-9)
    highest = busiest_second(times)
    everything = busiest_second([at for _c, at, _t in run.observed.arrivals])
    print(f"broadcast: {len(flowing)} sent while replies flowed, {rate:.1f}/s; highest in any "
          f"second: {highest} (goals ≥ {RATE_GOAL:g}/s: {verdict(rate >= RATE_GOAL)}, "
          f"≤ {SECOND_LIMIT}: {verdict(highest <= SECOND_LIMIT)})")
    print(f"  all new messages (replies, broadcast, reminders, reports): highest in any "
          f"second: {everything}")


def _reminders(run: Run) -> None:
    """Reminder lateness (first message in the chat minus due time) against its goal."""
    firsts: dict[int, float] = {}
    for chat, at, _text in run.observed.arrivals:
        if chat in run.due:
            firsts.setdefault(chat, at)
    late = [at - run.due[chat] for chat, at in firsts.items()]
    p99, worst = percentile(late, 0.99), max(late, default=math.nan)
    met = p99 < LATE_GOAL and len(firsts) == len(run.due)
    print(f"reminders: {len(run.due)} due, {len(firsts)} arrived; lateness p50 "
          f"{percentile(late, 0.5):.2f} s, p99 {p99:.2f} s, max {worst:.2f} s "
          f"(goal < {LATE_GOAL:g} s: {verdict(met)})")


def _twice(run: Run) -> int:
    """Extra copies of the same text in one broadcast or reminder chat."""
    plan = run.plan
    copies = Counter((chat, text) for chat, _at, text in run.observed.arrivals
                     if chat in plan.audience() or chat in plan.reminded())
    return sum(n - 1 for n in copies.values() if n > 1)


def _broadcast_total(run: Run) -> None:
    """How long the whole broadcast took, from the coordinator's Send."""
    chats = run.plan.audience()
    reached = {chat for chat, _at, _t in run.observed.arrivals if chat in chats}
    times = _times(run, chats)
    took = (times[-1] - run.broadcast_started) if times else math.nan
    overall = len(times) / took if times and took > 0 else math.nan
    after = [t for t in times if t > run.observed.end]
    later = len(after) / (after[-1] - run.observed.end) if len(after) > 1 else math.nan
    print(f"broadcast total: {len(reached)} of {len(chats)} recipients in {took:.1f} s "
          f"({overall:.1f}/s overall, {later:.1f}/s after the load's end; delivery.start "
          f"took {run.broadcast_took:.2f} s)")


def _log(tally: Tally) -> None:
    """The bot's warnings and errors, most frequent first."""
    total = sum(tally.seen.values())
    print(f"bot log: {total} warnings/errors" + (":" if total else ""))
    for line, count in tally.seen.most_common(10):
        print(f"  {count} × {line[:160]}")


def _quiet_logging() -> Tally:
    """WARNING and up, counted for the report instead of printed as they come."""
    tally = Tally()
    root = logging.getLogger()
    root.setLevel(logging.WARNING)
    root.handlers[:] = [tally]
    return tally


def _parse(argv: Sequence[str] | None = None) -> Options:
    """The command line as Options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--people", type=int, default=500, help="onboarded people who act")
    parser.add_argument("--rate", type=float, default=50.0, help="updates per second")
    parser.add_argument("--broadcast", type=int, default=5000, help="broadcast recipients")
    parser.add_argument("--reminders", type=int, default=300, help="reminders due in the run")
    parser.add_argument("--latency", type=float, default=0.030,
                        help="seconds the fake Bot API adds to every call")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    return Options(args.duration, args.people, args.rate, args.broadcast, args.reminders,
                   args.latency, args.seed)


def main() -> None:
    """Print the numbers against their goals."""
    options = _parse()
    tally = _quiet_logging()
    report(asyncio.run(measure(options)), tally)


if __name__ == "__main__":
    main()
