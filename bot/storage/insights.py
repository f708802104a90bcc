"""Repository queries for the dashboard's insights: counts only, over the newcomers within
a coordinator's reach (everyone's for an admin). Nothing here returns a person; the
dashboard hides every count under five (bot/web/insights.py).

A coordinator's newcomers are those in their organisation's groups and those living in a
municipality where it has a group, as for broadcasts (bot/storage/audience.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import (
    FaqOutcome,
    Group,
    JourneyProgress,
    Membership,
    Question,
    Reminder,
    User,
)

_SPACE = re.compile(r"\s+")
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")


async def count_outcome(session: AsyncSession, day: date, language: str,
                        decision: str) -> None:
    """One typed question met: answered, suggested or unknown (one upsert)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(FaqOutcome).values(day=day, language=language, decision=decision,
                                               count=1)
    await session.execute(insert.on_conflict_do_update(
        index_elements=["day", "language", "decision"],
        set_={"count": FaqOutcome.count + 1}))


def newcomers(organisation_id: int | None) -> Select[int]:
    """The ids of the newcomers within reach (None: all of them)."""
    query = select(User.id).where(User.declared_role == "newcomer")
    if organisation_id is None:
        return query
    in_groups = select(Membership.user_id).join(Group, Group.id == Membership.group_id).where(
        Group.organisation_id == organisation_id)
    towns = select(Group.municipality_code).where(Group.organisation_id == organisation_id)
    return query.where(or_(User.id.in_(in_groups), User.municipality_code.in_(towns)))


async def by_language(session: AsyncSession, organisation_id: int | None) -> dict[str, int]:
    """Newcomers per chosen language ('' for none chosen yet)."""
    language = func.coalesce(User.locale, "")
    rows = await session.execute(select(language, func.count()).where(
        User.id.in_(newcomers(organisation_id))).group_by(language))
    return {code: int(n) for code, n in rows.all()}


async def by_municipality(session: AsyncSession,
                          organisation_id: int | None) -> dict[str, int]:
    """Newcomers per municipality code ('' for not told)."""
    code = func.coalesce(User.municipality_code, "")
    rows = await session.execute(select(code, func.count()).where(
        User.id.in_(newcomers(organisation_id))).group_by(code))
    return {found: int(n) for found, n in rows.all()}


async def steps_done(session: AsyncSession, organisation_id: int | None,
                     ) -> dict[str, dict[str, int]]:
    """journey → step → how many newcomers ticked it."""
    rows = await session.execute(select(JourneyProgress.journey, JourneyProgress.done).where(
        JourneyProgress.user_id.in_(newcomers(organisation_id))))
    found: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for journey, done in rows.all():
        for step in set(done or []):
            found[journey][step] += 1
    return {journey: dict(steps) for journey, steps in found.items()}


async def outcomes(session: AsyncSession, since: date) -> dict[tuple[str, str], int]:
    """(language, decision) → typed questions since a day, for the whole bot (the counts
    hold no person and no place)."""
    rows = await session.execute(
        select(FaqOutcome.language, FaqOutcome.decision, func.sum(FaqOutcome.count))
        .where(FaqOutcome.day >= since).group_by(FaqOutcome.language, FaqOutcome.decision))
    return {(language, decision): int(n) for language, decision, n in rows.all()}


def normalised(text: str) -> str:
    """The same question typed slightly differently counts as one."""
    return _EDGE.sub("", _SPACE.sub(" ", text.casefold())).strip()


async def content_gaps(session: AsyncSession, organisation_id: int | None, least: int,
                       limit: int) -> list[tuple[str, str, int]]:
    """The questions the bot could not answer that at least `least` different newcomers
    typed in the same words: (language, text, people), most asked first."""
    rows = await session.execute(select(Question.language, Question.text, Question.user_id)
                                 .where(Question.user_id.in_(newcomers(organisation_id)),
                                        Question.text != ""))
    people: dict[tuple[str, str], set[int]] = defaultdict(set)
    for language, text, user_id in rows.all():
        key = normalised(text)
        if key:
            people[(language, key)].add(user_id)
    asked = [(language, text, len(who)) for (language, text), who in people.items()
             if len(who) >= least]
    return sorted(asked, key=lambda row: (-row[2], row[0], row[1]))[:limit]


async def reminders_sent(session: AsyncSession, organisation_id: int | None) -> dict[str, int]:
    """Reminders that reached newcomers, per kind."""
    rows = await session.execute(select(Reminder.kind, func.count()).where(
        Reminder.state == "sent", Reminder.user_id.in_(newcomers(organisation_id)))
        .group_by(Reminder.kind))
    return {kind: int(n) for kind, n in rows.all()}


async def answer_waits(session: AsyncSession, organisation_id: int | None,
                       since: datetime) -> list[timedelta]:
    """How long newcomers' questions waited for a person's answer (answered since)."""
    rows = await session.execute(select(Question.created_at, Question.answered_at).where(
        Question.user_id.in_(newcomers(organisation_id)), Question.answered_at.is_not(None),
        Question.answered_at >= since))
    return [answered - asked for asked, answered in rows.all() if answered and asked]
