"""An inline month calendar for picking a date, in every language.

Names of months and weekdays come from Babel (CLDR), so Arabic and Tigrinya need no
translation work. In right-to-left languages the week runs from right to left, as on a
printed Arabic calendar. Button data is `<prefix>:m:<yyyymm>` to turn the page and
`<prefix>:d:<yyyymmdd>` to pick a day.
"""

from __future__ import annotations

import calendar as cal
from datetime import date

from babel.dates import format_date, get_day_names

from bot.core.ports import Button, Keyboard
from bot.i18n import _, current_locale, is_rtl

BLANK = " "  # Telegram refuses empty button labels


def month_keyboard(prefix: str, month: date, today: date) -> Keyboard:
    """A month with navigation; days before `today` cannot be picked."""
    locale = current_locale()
    first = month.replace(day=1)
    header = (Button(format_date(first, "LLLL y", locale=locale), f"{prefix}:m:{_ym(first)}"),)
    names = get_day_names("abbreviated", "stand-alone", locale=locale)
    days = tuple(Button(names[i], f"{prefix}:m:{_ym(first)}") for i in range(7))
    rows = [header, _oriented(days)]
    for week in cal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        rows.append(_oriented(tuple(_day(prefix, d, first, today) for d in week)))
    rows.append(_oriented(_navigation(prefix, first, today)))
    return tuple(rows)


def parse_day(value: str) -> date | None:
    """The date in `yyyymmdd`, or None for anything else (a forged button).

    Years 1 and 9999 are refused too: a month page there would link to a month that
    Python's dates cannot hold.
    """
    try:
        day = date(int(value[:4]), int(value[4:6]), int(value[6:8])) if len(value) == 8 else None
    except ValueError:
        return None
    return day if day is not None and date.min.year < day.year < date.max.year else None


def parse_month(value: str) -> date | None:
    """The first day of the month in `yyyymm`, or None."""
    return parse_day(f"{value}01") if len(value) == 6 else None


def _day(prefix: str, day: date, month: date, today: date) -> Button:
    """A pickable day, or a blank for days of other months and days already past."""
    if day.month != month.month or day < today:
        return Button(BLANK, f"{prefix}:m:{_ym(month)}")
    return Button(str(day.day), f"{prefix}:d:{day:%Y%m%d}")


def _navigation(prefix: str, month: date, today: date) -> tuple[Button, ...]:
    """Previous month (not before this one), next month."""
    back = _shift(month, -1)
    previous = (Button("◀", f"{prefix}:m:{_ym(back)}"),) if back >= today.replace(day=1) else ()
    return (*previous, Button("▶", f"{prefix}:m:{_ym(_shift(month, 1))}"))


def _oriented(row: tuple[Button, ...]) -> tuple[Button, ...]:
    """Telegram lays buttons out left to right in every language; Arabic reads the other way."""
    if not is_rtl():
        return row
    mirrored = tuple(reversed(row))
    return tuple(Button({"◀": "▶", "▶": "◀"}.get(b.label, b.label), b.data) for b in mirrored)


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _ym(month: date) -> str:
    return f"{month:%Y%m}"


def no_date_label() -> str:
    """The label of the button that skips the date."""
    return _("No date")
