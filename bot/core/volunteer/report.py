"""The monthly numbers per municipality: places open today, interest and matches in the
month, and how many matches made three months before are still going (the question
NLvoorelkaar keeps asking because most contacts silently die)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import volunteer as repo
from bot.storage import volunteer_admin as admin_repo
from bot.storage.models import VolunteerMatch
from bot.storage.volunteer import TAKEN

AGREED = (*TAKEN, "ended")  # the organisation said yes (what came after does not undo it)
COHORT_MONTHS = 3


@dataclass(frozen=True)
class Line:
    """One municipality's numbers (`municipality` None: online opportunities)."""

    municipality: str | None
    open_places: int = 0  # free places in open opportunities, today
    interested: int = 0  # "I'm interested" pressed in the month
    matched: int = 0  # accepted by the organisation in the month
    matched_before: int = 0  # accepted three months before the month …
    still_active: int = 0  # … and still going today


def months_back(month: date, count: int) -> date:
    """The first day of the month `count` months before `month`."""
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def span(month: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The month from its first midnight to the next month's, local time, in UTC."""
    start = month.replace(day=1)
    return (datetime.combine(start, time(0), tzinfo=zone).astimezone(UTC),
            datetime.combine(months_back(start, -1), time(0), tzinfo=zone).astimezone(UTC))


def _within(moment: datetime | None, bounds: tuple[datetime, datetime]) -> bool:
    return moment is not None and bounds[0] <= moment < bounds[1]


async def report(session: AsyncSession, month: date, zone: ZoneInfo,
                 codes: Collection[str] | None = None) -> list[Line]:
    """A line per municipality with anything to count (in `codes`; None: all, and online
    opportunities on a line of their own, last)."""
    start, end = span(month, zone)
    before_start, before_end = span(months_back(month, COHORT_MONTHS), zone)
    lines: dict[str | None, Line] = {}
    for place, count in (await _open_places(session, codes)).items():
        lines[place] = Line(place, open_places=count)
    for place, found in await admin_repo.matches_since(session, before_start):
        if codes is not None and place not in codes:
            continue
        line = lines.get(place, Line(place))
        lines[place] = _counted(line, found, (start, end), (before_start, before_end))
    return sorted((line for line in lines.values() if line != Line(line.municipality)),
                  key=lambda line: (line.municipality is None, line.municipality or ""))


def _counted(line: Line, found: VolunteerMatch, month: tuple[datetime, datetime],
             cohort: tuple[datetime, datetime]) -> Line:
    """The line with one match counted where it belongs."""
    agreed = found.status in AGREED
    made_before = agreed and _within(found.answered_at, cohort)
    return Line(
        line.municipality, line.open_places,
        line.interested + _within(found.created_at, month),
        line.matched + (agreed and _within(found.answered_at, month)),
        line.matched_before + made_before,
        line.still_active + (made_before and found.status in TAKEN))


async def _open_places(session: AsyncSession,
                       codes: Collection[str] | None) -> dict[str | None, int]:
    """Free places of the open opportunities, per municipality."""
    opened = [s.opportunity for s in await admin_repo.in_area(session, codes)
              if not s.opportunity.closed]
    taken = await repo.taken(session, [o.id for o in opened])
    places: dict[str | None, int] = {}
    for o in opened:
        places[o.municipality] = places.get(o.municipality, 0) + max(0, o.places
                                                                       - taken.get(o.id, 0))
    return places
