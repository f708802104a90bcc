"""When volunteering's durable jobs fall due: a card unanswered for five days goes to the
coordinators; a week after the first agreed day both sides are asked how it went (and a
week later again after "not yet", at most twice)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import jobs
from bot.storage.models import VolunteerMatch

UNANSWERED, FOLLOW_UP = "volunteer_unanswered", "volunteer_followup"
ESCALATE_AFTER = timedelta(days=5)
ASK_AT = time(10, 0)  # local: a question about how it went is not urgent
ROUNDS = 3  # "did it work out?" once, and again after "not yet" at most twice


async def escalation(session: AsyncSession, match: VolunteerMatch) -> None:
    """Five days after the interest, unless the organisation answered by then."""
    await jobs.ensure(session, UNANSWERED, str(match.id), match.created_at + ESCALATE_AFTER)


async def follow_up(session: AsyncSession, match: VolunteerMatch, zone: ZoneInfo,
                    round_: int = 1) -> None:
    """A week after the first agreed day (each later round a week after the one before)."""
    if match.start_date is None or round_ > ROUNDS:
        return
    day = match.start_date + timedelta(days=7 * round_)
    due = datetime.combine(day, ASK_AT, tzinfo=zone).astimezone(UTC)
    await jobs.ensure(session, FOLLOW_UP, f"{match.id}:{round_}", due)
