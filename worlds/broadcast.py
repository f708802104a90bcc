"""A coordinator and many newcomers written straight into the database, for broadcast tests
and the benchmark (onboarding hundreds of people through the dialog would only be slow)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.core.broadcasts.delivery import start
from bot.core.privacy import PRIVACY_VERSION
from bot.storage.db import Database
from bot.storage.models import Broadcast, Coordinator, Group, Organisation, User

COORDINATOR = 801
LANGS = ("nl", "ar", "ti", "en")


async def seed(db: Database, newcomers: list[int], now: datetime | None = None) -> None:
    """Samen Hier Utrecht with a group in Utrecht, its coordinator, and newcomers there."""
    now = now or datetime.now(UTC)
    async with db.session() as session:
        organisation = Organisation(name="Samen Hier Utrecht", created_at=now)
        session.add(organisation)
        await session.flush()
        coordinator = _user(COORDINATOR, "nl", "coordinator", now)
        coordinator.has_roles = True
        session.add(coordinator)
        await session.flush()
        session.add(Coordinator(user_id=coordinator.id, organisation_id=organisation.id,
                                created_at=now))
        session.add(Group(organisation_id=organisation.id, name="Welkom", created_at=now,
                          municipality_code="GM0344", last_activity_at=now))
        session.add_all(_user(telegram_id, LANGS[i % len(LANGS)], "newcomer", now)
                        for i, telegram_id in enumerate(newcomers))


def _user(telegram_id: int, locale: str, role: str, now: datetime) -> User:
    return User(telegram_id=telegram_id, locale=locale, state="menu", declared_role=role,
                privacy_version=PRIVACY_VERSION, privacy_accepted_at=now, onboarded_at=now,
                municipality_code="GM0344", first_name=f"P{telegram_id}", created_at=now,
                last_seen_at=now)


async def queue_broadcast(url: str, people: list[int]) -> int:
    """The database at `url`, migrated, where the coordinator has just pressed Send to
    `people`."""
    db = Database(url)
    await db.migrate()
    await seed(db, people)
    now = datetime.now(UTC)
    async with db.session() as session:
        author = (await session.scalars(select(User).where(
            User.telegram_id == COORDINATOR))).one()
        organisation = (await session.scalars(select(Organisation))).one()
        broadcast = Broadcast(author_id=author.id, organisation_id=organisation.id,
                              audience={"roles": ["newcomer"]}, texts={"nl": "Hallo allemaal"},
                              fallback="nl", created_at=now)
        session.add(broadcast)
        await session.flush()
        count = await start(session, broadcast, now)
    await db.close()
    return count
