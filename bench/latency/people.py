"""The people who act: what each does next (by MIX, from what their chat shows), one update
at a time, and the reply latency they measure."""

from __future__ import annotations

import asyncio
import math
import random
import re
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import yaml

from bench.latency.fake import Screen, TimedFake
from bench.latency.plan import LANGUAGES, Person

ROOT = Path(__file__).resolve().parent.parent.parent
REPLY_TIMEOUT = 10.0  # a reply later than this counts as unanswered
MIX = {"newcomer": {"journey": 50, "question": 30, "menu": 20},
       "helper": {"task": 60, "question": 20, "menu": 20}}
JOURNEY_PRESSES = (r"j:[^:]+:[^:]+:d", r"j:[^:]+::o", r"steps:")  # Done, a journey, My steps
Step = tuple[int | None, str]  # (bot message to press a button on, its data) or (None, text)
Chooser = Callable[[list[str]], str | None]  # picks a button to press among a message's


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
