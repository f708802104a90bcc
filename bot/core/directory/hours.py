"""Opening hours in OpenStreetMap's syntax, read by opening-hours-rs (the `opening_hours`
package): today's hours and whether a place is open now, in Dutch time and holidays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal

from opening_hours import OpeningHours, State

COUNTRY = "NL"  # public holidays (PH) are the Dutch ones
Status = Literal["open", "closed", "unknown"]
WEEK_START = date(2024, 1, 1)  # a Monday without a Dutch public holiday in its week


@dataclass(frozen=True)
class Today:
    """A place's hours today (local time) and its state at this moment."""

    spans: tuple[tuple[time, time | None], ...]  # None as an end: open until midnight
    status: Status


@lru_cache(maxsize=1024)
def parsed(expression: str) -> OpeningHours:
    """Parsed once per expression; the schema has checked it."""
    return OpeningHours(expression, country=COUNTRY)


def today(expression: str, local_now: datetime) -> Today:
    """Today's open spans and whether it is open now (`local_now` in Dutch time, naive)."""
    hours = parsed(expression)
    start = datetime.combine(local_now.date(), time())
    spans = tuple((begin.time(), None if end >= start + timedelta(days=1) else end.time())
                  for begin, end, state, _comment in hours.intervals(start,
                                                                     start + timedelta(days=1))
                  if state == State.OPEN)
    state, _comment = hours.state(local_now)
    status: Status = "open" if state == State.OPEN else \
        "closed" if state == State.CLOSED else "unknown"
    return Today(spans, status)


def typical_week(expression: str) -> list[tuple[int, time, time | None]]:
    """(weekday 0–6, opens, closes) in an ordinary week without holidays: the rows of an
    HSDS schedule."""
    hours = OpeningHours(expression)
    start = datetime.combine(WEEK_START, time())
    found = []
    for begin, end, state, _comment in hours.intervals(start, start + timedelta(days=7)):
        if state != State.OPEN:
            continue
        day = begin
        while day < end:  # spans over midnight become one row per day
            midnight = datetime.combine(day.date() + timedelta(days=1), time())
            found.append((day.weekday(), day.time(), None if end >= midnight else end.time()))
            day = midnight
    return found
