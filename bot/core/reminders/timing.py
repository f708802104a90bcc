"""Time for reminders: stored in UTC, chosen and shown in Europe/Amsterdam.

Daylight saving is handled by zoneinfo, with two checks people meet in real life: a
wall-clock time that does not exist (02:30 on the last Sunday of March) is refused, and
one that happens twice (02:30 on the last Sunday of October) means the first.
"Quiet hours": nothing that is not urgent arrives between 22:00 and 08:00 local time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

QUIET_FROM = time(22, 0)
QUIET_UNTIL = time(8, 0)


def local_moment(day: date, clock: time, zone: ZoneInfo) -> datetime | None:
    """The UTC moment of a local date and time; None if that time does not exist that day."""
    local = datetime.combine(day, clock, tzinfo=zone).replace(fold=0)
    moment = local.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None  # skipped by the clocks going forward
    return moment


def day_before(moment: datetime, zone: ZoneInfo) -> datetime:
    """Same wall-clock time the day before (not 24 hours: the clocks may change overnight)."""
    local = moment.astimezone(zone)
    earlier = datetime.combine(local.date() - timedelta(days=1), local.time(), tzinfo=zone)
    return earlier.astimezone(UTC)


def outside_quiet_hours(moment: datetime, zone: ZoneInfo) -> datetime:
    """Move a non-urgent moment out of 22:00–08:00 local, to the next 08:00."""
    local = moment.astimezone(zone)
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return moment
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_UNTIL, tzinfo=zone).astimezone(UTC)


def tomorrow_same_time(moment: datetime, zone: ZoneInfo) -> datetime:
    """The same local time tomorrow."""
    local = moment.astimezone(zone)
    later = datetime.combine(local.date() + timedelta(days=1), local.time(), tzinfo=zone)
    return later.astimezone(UTC)


def at_local(moment: datetime, days: int, clock: time, zone: ZoneInfo) -> datetime:
    """`days` after the local date of `moment`, at a local time of day, in UTC."""
    local = moment.astimezone(zone)
    return datetime.combine(local.date() + timedelta(days=days), clock,
                            tzinfo=zone).astimezone(UTC)
