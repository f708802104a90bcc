"""The audience counted and listed in SQL is exactly the audience defined person by person.

A seeded, varied population (every combination of consent, blocking, muting, languages with
and without a locale, municipalities with and without a code, roles, memberships in several
organisations, First steps finished or not) is loaded into memory, and for hundreds of
audience screens a plain-Python reading of the rules is compared with one SQL count and one
SQL recipient list.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.broadcasts import audience
from bot.core.broadcasts.audience import LANGUAGES, ROLES, SITUATIONS, chosen_groups, spec
from bot.i18n import FALLBACK_LANGUAGE
from bot.storage.db import Database
from bot.storage.models import (
    Coordinator,
    Group,
    JourneyProgress,
    Membership,
    Organisation,
    User,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TOWNS = (None, "GM0344", "GM0363", "GM0599", "GM0014")
PEOPLE = 400
AUDIENCES = 250
Row = tuple[int | None, int, str, int | None]


@dataclass
class World:
    """Everything the rules look at, read back from the database."""

    users: list[User]
    groups: list[Group]
    memberships: dict[int, dict[int, str]]  # user id → group id → role
    coordinators: dict[int, set[int]]  # user id → organisations
    finished: set[int]  # users whose First steps step is ticked, and none of its steps waits


async def seed(db: Database, rng: random.Random) -> tuple[World, list[int]]:
    """Three organisations (one without groups), five groups, and PEOPLE varied people."""
    async with db.session() as session:
        organisations = [Organisation(name=name, created_at=NOW) for name in "ABC"]
        session.add_all(organisations)
        await session.flush()
        a, b, _c = (o.id for o in organisations)
        groups = [Group(organisation_id=org, name=name, municipality_code=town, chat_id=chat,
                        locale=locale, created_at=NOW, last_activity_at=NOW)
                  for org, name, town, chat, locale in (
                      (a, "A1", "GM0344", -1001, "nl"), (a, "A2", "GM0363", None, "ar"),
                      (a, "A3", None, -1003, "en"), (b, "B1", "GM0344", -1004, "en"),
                      (b, "B2", "GM0599", None, "ti"))]
        session.add_all(groups)
        users = [_person(rng, 1000 + n) for n in range(PEOPLE)]
        session.add_all(users)
        await session.flush()
        for user in users:
            _relations(session, rng, user.id, [g.id for g in groups], [a, b])
    world = World([], [], defaultdict(dict), defaultdict(set), set())
    async with db.session() as session:
        world.users = list(await session.scalars(select(User)))
        world.groups = list(await session.scalars(select(Group)))
        for m in await session.scalars(select(Membership)):
            world.memberships[m.user_id][m.group_id] = m.role
        for c in await session.scalars(select(Coordinator)):
            world.coordinators[c.user_id].add(c.organisation_id)
        world.finished = {p.user_id for p in await session.scalars(select(JourneyProgress))
                          if p.journey == "first_steps" and p.node in p.done
                          and not p.waiting}
    return world, [o.id for o in organisations]


def _person(rng: random.Random, telegram_id: int) -> User:
    return User(telegram_id=telegram_id, state="menu", created_at=NOW, last_seen_at=NOW,
                locale=rng.choice((None, "", "nl", "en", "ar", "ti", "uk")),
                privacy_version=rng.choice((None, 1, 1, 1)),
                blocked_at=NOW if rng.random() < 0.1 else None, muted=rng.random() < 0.2,
                declared_role=rng.choice((None, "newcomer", "newcomer", "member", "coordinator")),
                situation=rng.choice((None, *SITUATIONS)), municipality_code=rng.choice(TOWNS))


def _relations(session: AsyncSession, rng: random.Random, user_id: int, groups: list[int],
               organisations: list[int]) -> None:
    """Some memberships, coordinator roles and journey progress for one person."""
    add = session.add
    for group_id in rng.sample(groups, rng.choice((0, 0, 0, 1, 2))):
        add(Membership(group_id=group_id, user_id=user_id, joined_at=NOW,
                       role=rng.choice(("member", "newcomer")),
                       share_questions=False))
    for organisation_id in rng.sample(organisations, 1 if rng.random() < 0.08 else 0):
        add(Coordinator(user_id=user_id, organisation_id=organisation_id, created_at=NOW))
    for journey in ("first_steps", "housing"):
        if rng.random() < 0.5:
            add(JourneyProgress(user_id=user_id, journey=journey, journey_version=1,
                                node=rng.choice(("start", "papers", "end")),
                                done=rng.sample(["start", "papers", "end", "end_x"],
                                                rng.randint(0, 3)),
                                waiting=rng.sample(["papers", "bank"], rng.choice((0, 0, 1))),
                                history=[], updated_at=NOW))


def random_audience(rng: random.Random, world: World) -> dict[str, object]:
    """What a coordinator could have toggled on the audience screen (and some odd values)."""
    ids = [g.id for g in world.groups]
    def some(*values: str) -> str:  # each filter is off half of the time
        return rng.choice(values) if rng.random() < 0.5 else ""

    return {"roles": rng.sample([*ROLES, "admin"], rng.randint(0, 3)),
            "language": some(*LANGUAGES[1:], "uk"),
            "municipality": some("GM0344", "GM0363", "GM0599"),
            "situation": some(*SITUATIONS[1:]), "unfinished": rng.random() < 0.4,
            "chats": rng.random() < 0.4,
            "groups": rng.choice(([], [], [ids[0]], [ids[0], ids[3]], [ids[1], ids[2]]))}


def by_hand(world: World, chosen_audience: dict[str, object], organisation_id: int | None,
            urgent: bool) -> list[Row]:
    """The rules of bot.core.broadcasts.audience, read one person at a time."""
    roles, language, municipality, unfinished, chats = spec(chosen_audience)
    situation = str(chosen_audience.get("situation", ""))
    picked = chosen_groups(chosen_audience)
    found: list[Row] = [
        (u.id, u.telegram_id, u.locale or FALLBACK_LANGUAGE, None) for u in world.users
        if u.privacy_version is not None and u.blocked_at is None
        and (urgent or not u.muted)
        and (not language or (u.locale or FALLBACK_LANGUAGE) == language)
        and (not municipality or u.municipality_code == municipality)
        and (not situation or u.situation == situation)
        and not (unfinished and u.id in world.finished)
        and any(_holds(world, u, role, organisation_id, picked) for role in roles)]
    if chats:
        found += [(None, g.chat_id, g.locale, g.id) for g in world.groups
                  if g.chat_id is not None
                  and organisation_id in (None, g.organisation_id)
                  and (not picked or g.id in picked)]
    return sorted(found, key=lambda row: row[1])


def _holds(world: World, user: User, role: str, organisation_id: int | None,
           picked: list[int]) -> bool:
    """Whether a person has the role within the reach (and is in a picked group)."""
    if role == "coordinator":
        return any(organisation_id in (None, o) for o in world.coordinators[user.id])
    theirs = world.memberships[user.id]
    if picked and not set(theirs) & set(picked):
        return False
    reach = {g.id for g in world.groups if organisation_id in (None, g.organisation_id)}
    if role == "member":
        return any(r == "member" and g in reach for g, r in theirs.items())
    towns = {g.municipality_code for g in world.groups if g.organisation_id == organisation_id}
    return user.declared_role == "newcomer" and (
        organisation_id is None or bool(set(theirs) & reach)
        or (user.municipality_code is not None and user.municipality_code in towns))


async def test_sql_audience_equals_the_rules_person_by_person(db: Database) -> None:
    rng = random.Random(20261122)
    world, organisations = await seed(db, rng)
    sizes = []
    for _ in range(AUDIENCES):
        chosen = random_audience(rng, world)
        organisation_id = rng.choice((None, *organisations))
        urgent = rng.random() < 0.3
        expected = by_hand(world, chosen, organisation_id, urgent)
        async with db.session() as session:
            counted = await audience.count(session, chosen, organisation_id, urgent)
            listed = await audience.recipients(session, chosen, organisation_id, urgent)
        assert counted == len(expected), (chosen, organisation_id, urgent)
        assert [(r.user_id, r.chat_id, r.language, r.group_id) for r in listed] == expected
        sizes.append(counted)
    assert sizes.count(0) < AUDIENCES * 0.6 and max(sizes) > 50  # the filters were exercised
