"""Audience queries at scale: the count on the coordinator's screen and the recipient list.

Run: .venv/bin/python -m bench.audience
     .venv/bin/python -m bench.audience --people 100000 --runs 9
     BENCH_DATABASE_URL=postgresql+asyncpg://… .venv/bin/python -m bench.audience

A fresh database gets `--people` people (most of them newcomers, in every municipality),
12 organisations with 25 groups each, their members and coordinators, and First steps
progress for most people, inserted in bulk. Each audience is then counted and listed
`--runs` times, each in its own unit of work as a button press would be; the medians are
printed in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.broadcasts import audience
from bot.core.municipalities import all_municipalities
from bot.storage.db import Database
from bot.storage.models import (
    Base,
    Coordinator,
    Group,
    JourneyProgress,
    Membership,
    Organisation,
    User,
)

ORGANISATIONS, GROUPS_EACH, MEMBERS_EACH = 12, 25, 5
CHUNK = 10_000
STEPS = ["welcome", "bsn", "bank", "health", "school", "done"]
# (name, audience, organisation 1 or None for an admin, urgent)
AUDIENCES: list[tuple[str, dict[str, object], bool, bool]] = [
    ("coordinator: newcomers (default)", {"roles": ["newcomer"]}, True, False),
    ("coordinator: all roles, chats, unfinished, ar",
     {"roles": ["newcomer", "member", "coordinator"], "chats": True, "unfinished": True,
      "language": "ar"}, True, False),
    ("admin: all newcomers", {"roles": ["newcomer"]}, False, False),
    ("admin: newcomers, unfinished First steps, urgent",
     {"roles": ["newcomer"], "unfinished": True}, False, True),
]


async def fill(db: Database, people: int, rng: random.Random) -> int:
    """The population, in bulk; returns the first organisation's id."""
    now = datetime.now(UTC)
    towns = sorted(all_municipalities())
    async with db.session() as session:
        await _insert(session, Organisation, [{"name": f"Org {n}", "created_at": now}
                                              for n in range(ORGANISATIONS)])
        organisations = list(await session.scalars(select(Organisation.id)))
        await _insert(session, Group, [
            {"organisation_id": org, "name": f"Group {org}-{n}", "municipality_code":
             rng.choice(towns), "chat_id": -(org * 1000 + n) if n % 2 else None,
             "locale": "nl", "created_at": now, "last_activity_at": now}
            for org in organisations for n in range(GROUPS_EACH)])
        await _insert(session, User, [_person(rng, n, towns, now) for n in range(people)])
        users = list(await session.scalars(select(User.id).order_by(User.id)))
        groups = await session.execute(select(Group.id, Group.organisation_id))
        await _relations(session, rng, users, [(g, o) for g, o in groups.all()], now)
    return organisations[0]


def _person(rng: random.Random, n: int, towns: Sequence[str], now: datetime) -> dict[str, Any]:
    return {"telegram_id": 10_000_000 + n, "state": "menu", "created_at": now,
            "last_seen_at": now, "locale": rng.choice(("nl", "en", "ar", "ti", "uk", None)),
            "privacy_version": 1 if rng.random() < 0.95 else None,
            "blocked_at": now if rng.random() < 0.03 else None, "muted": rng.random() < 0.1,
            "declared_role": rng.choices(("newcomer", "member", "coordinator"), (85, 13, 2))[0],
            "situation": rng.choice(("refugee", "family", "eu", "other")),
            "municipality_code": rng.choice(towns), "has_roles": False}


async def _relations(session: AsyncSession, rng: random.Random, users: list[int],
                     groups: list[tuple[int, int]], now: datetime) -> None:
    """Members and a newcomer per group, two coordinators per organisation, progress."""
    picked = iter(rng.sample(users, len(groups) * (MEMBERS_EACH + 1) + ORGANISATIONS * 2))
    await _insert(session, Membership, [
        {"group_id": group, "user_id": next(picked), "role": "member" if n else "newcomer",
         "share_questions": False, "joined_at": now}
        for group, _org in groups for n in range(MEMBERS_EACH + 1)])
    await _insert(session, Coordinator, [
        {"user_id": next(picked), "organisation_id": org, "created_at": now}
        for org in sorted({o for _g, o in groups}) for _ in range(2)])
    await _insert(session, JourneyProgress, [
        {"user_id": user, "journey": "first_steps", "journey_version": 1, "history": [],
         "node": STEPS[reached], "done": STEPS[:reached + (rng.random() < 0.5)],
         "updated_at": now}
        for user in users if rng.random() < 0.6 for reached in [rng.randrange(len(STEPS))]])


async def _insert(session: AsyncSession, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Through the table, not the ORM: its bulk path splits rows at every change of NULLs."""
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(Base.metadata.tables[model.__tablename__]),
                              rows[start:start + CHUNK])


async def median_ms(db: Database, runs: int,
                    ask: Callable[[AsyncSession], Awaitable[object]]) -> float:
    """The median wall time of `runs` units of work that each ask once (after a warm-up)."""
    times = []
    for n in range(runs + 1):
        began = time.perf_counter()
        async with db.session() as session:
            await ask(session)
        if n:
            times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


async def main(url: str, people: int, runs: int) -> None:
    """Fill, then count and list each audience."""
    db = Database(url)
    await db.migrate()
    began = time.perf_counter()
    organisation = await fill(db, people, random.Random(7))
    print(f"{people:,} people inserted in {time.perf_counter() - began:.1f} s")
    print(f"{'audience':50} {'chats':>7} {'count ms':>9} {'list ms':>8}")
    for name, chosen, coordinator, urgent in AUDIENCES:
        reach = organisation if coordinator else None

        async def count(session: AsyncSession) -> int:
            return await audience.count(session, chosen, reach, urgent)  # noqa: B023

        async def listing(session: AsyncSession) -> object:
            return await audience.recipients(session, chosen, reach, urgent)  # noqa: B023

        async with db.session() as session:
            size = await count(session)
        print(f"{name:50} {size:>7,} {await median_ms(db, runs, count):>9.1f} "
              f"{await median_ms(db, runs, listing):>8.1f}")
    await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        default = f"sqlite+aiosqlite:///{Path(folder) / 'audience.db'}"
        asyncio.run(main(os.environ.get("BENCH_DATABASE_URL", default), args.people, args.runs))
