"""The figures the run prints, as docs/soak.md records them."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from bench.soak.checks import Found
from bench.soak.fake import SoakFake
from bench.soak.people import Ledger
from bench.soak.world import World

if TYPE_CHECKING:
    from bench.soak.run import Options

LOGGED: dict[str, tuple[str, ...]] = {  # what the bot's log says it did, by line start
    "turns or records retried after a lock": ("database busy",),
    "replies, edits and button answers tried again": ("reply failed", "edit failed",
                                                      "button answer failed"),
    "polls that failed (PTB polls again)": ("polling failed",),
    "times the line to Telegram went down and came back": ("Telegram reachable again",),
    "updates that failed (apology attempted)": ("update ",),
    "updates whose replies went to the outbox (Telegram out of reach)": ("replies kept",),
}


def log_levels(log_text: str) -> str:
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


def report(options: Options, world: World, fake: SoakFake, ledger: Ledger,
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
