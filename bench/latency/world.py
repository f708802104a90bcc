"""The database before and during the run: everyone written straight in (onboarded, groups
with open tasks, appointments), the reminders falling due, and the coordinator's Send."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bench.latency.plan import ACTIVE, AUDIENCE, AUTHOR, LANGUAGES, REMINDED, Options, Person, Plan
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

HOME, ELSEWHERE = "GM0344", "GM0599"  # the active people's town; the broadcast's town
HELPER_SHARE, GROUP_SIZE, TASKS_PER_GROUP = 0.4, 5, 16
CHUNK = 2000


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
