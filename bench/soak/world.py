"""Who exists before the run: an organisation, its coordinators, and groups with members
and a newcomer each, written straight into the database."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.core.privacy import PRIVACY_VERSION
from bot.storage.db import Database
from bot.storage.models import Coordinator, Group, Membership, Organisation, User

LANGUAGES = ("nl", "en", "ar", "ti")
COORDINATORS, GROUPS, HELPERS_PER_GROUP, LINKED_GROUPS = 4, 40, 3, 20
FIRST_ID = 7_000_000


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
