"""Retention: data of people who went silent is erased after a warning; old rows are trimmed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import outbox
from bot.core.policies import RetentionPolicy
from bot.core.reminders.timing import local_moment
from bot.core.router import JobRun, Router
from bot.i18n import _, current_locale
from bot.storage import audit, jobs, users
from bot.storage import retention as repo
from bot.storage.models import User

KIND = "retention"
RUN_AT = time(3, 30)  # local time: quiet hours, after the night's reminders


def next_run(now: datetime, zone: ZoneInfo) -> datetime:
    """Tomorrow (or today, if still ahead) at 03:30 local time."""
    today = now.astimezone(zone).date()
    for day in (today, today + timedelta(days=1), today + timedelta(days=2)):
        moment = local_moment(day, RUN_AT, zone)
        if moment is not None and moment > now:
            return moment
    raise AssertionError("03:30 exists on one of three days")


async def run(run: JobRun, policy: RetentionPolicy) -> dict[str, int]:
    """One daily pass; returns what it did (counts only, also written to the audit log)."""
    now = run.now
    done = {
        "warned": await _warn(run.session, policy, now, run.timezone),
        "erased": await _erase(run.session, policy, now),
        "questions": await repo.forget_answered_questions(
            run.session, now - policy.answered_questions),
        "deliveries": await repo.forget_delivered_broadcasts(
            run.session, now - policy.delivered_broadcasts),
        "notices": await repo.forget_sent_notices(run.session, now - policy.answered_questions),
    }
    audit.record(run.session, None, "retention.run", now, **done)
    await jobs.ensure(run.session, KIND, "daily", next_run(now, run.timezone))
    return done


async def _warn(session: AsyncSession, policy: RetentionPolicy, now: datetime,
                zone: ZoneInfo) -> int:
    """A month ahead, each silent person hears when and how to keep their data."""
    people = await repo.to_warn(session, now - (policy.inactive - policy.warning))
    day = (now + policy.warning).astimezone(zone).date()
    for person in people:
        person.retention_warned_at = now
        await outbox.tell(session, person, partial(_warning, day))
    return len(people)


def _warning(day: date) -> str:
    """In the recipient's language (outbox.tell renders inside their locale)."""
    when = format_date(day, format="long", locale=current_locale())
    return _("You have not used Wegwijs for a long time. To protect your privacy, your data "
             "will be deleted on {date}. Do you want to keep it? Send any message, for "
             "example /menu.").format(date=when)


async def _erase(session: AsyncSession, policy: RetentionPolicy, now: datetime) -> int:
    people: list[User] = await repo.to_erase(session, now - policy.inactive, now - policy.warning)
    for person in people:
        await users.erase(session, person)
    return len(people)


async def schedule(session: AsyncSession, now: datetime, zone: ZoneInfo) -> None:
    """At startup: the daily pass is in the jobs table (never twice)."""
    if await jobs.upcoming(session, KIND, "daily") is None:
        await jobs.ensure(session, KIND, "daily", next_run(now, zone))


def register(router: Router, policy: RetentionPolicy) -> None:
    """The daily retention job, with the operator's policy."""

    async def daily(job: JobRun) -> None:
        await run(job, policy)

    router.job(KIND, daily)
    router.on_startup(schedule)
