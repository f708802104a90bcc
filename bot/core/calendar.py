"""An inline month calendar for picking a date, in every language.

Names of months and weekdays come from Babel (CLDR), so Arabic and Tigrinya need no
translation work. In right-to-left languages the week runs from right to left, as on a
printed Arabic calendar. The feature names the payloads that turn the page to a month and
pick a day.
"""

from __future__ import annotations

import calendar as cal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date, get_day_names

from bot.core.payloads import Payload
from bot.core.ports import Button, Keyboard
from bot.i18n import _, current_locale, is_rtl

BLANK = " "  # Telegram refuses empty button labels


@dataclass(frozen=True)
class Links:
    """What the calendar's buttons carry: a month's page, a picked day."""

    page: Callable[[date], Payload]
    pick: Callable[[date], Payload]


def month_keyboard(links: Links, month: date, today: date) -> Keyboard:
    """A month with navigation; days before `today` cannot be picked."""
    locale = current_locale()
    first = month.replace(day=1)
    here = links.page(first).encode()
    header = (Button(format_date(first, "LLLL y", locale=locale), here),)
    names = get_day_names("abbreviated", "stand-alone", locale=locale)
    days = tuple(Button(names[i], here) for i in range(7))
    rows = [header, _oriented(days)]
    for week in cal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        rows.append(_oriented(tuple(_day(links, d, first, today) for d in week)))
    rows.append(_oriented(_navigation(links, first, today)))
    return tuple(rows)


def _day(links: Links, day: date, month: date, today: date) -> Button:
    """A pickable day, or a blank for days of other months and days already past."""
    if day.month != month.month or day < today:
        return Button(BLANK, links.page(month).encode())
    return Button(str(day.day), links.pick(day).encode())


def _navigation(links: Links, month: date, today: date) -> tuple[Button, ...]:
    """Previous month (not before this one), next month (while dates go on: a forged page
    of December 9998 has none)."""
    back, ahead = _shift(month, -1), _shift(month, 1)
    previous = (Button("◀", links.page(back).encode()),) if back >= today.replace(day=1) \
        else ()
    following = (Button("▶", links.page(ahead).encode()),) if ahead.year < date.max.year \
        else ()
    return (*previous, *following)


def _oriented(row: tuple[Button, ...]) -> tuple[Button, ...]:
    """Telegram lays buttons out left to right in every language; Arabic reads the other way."""
    if not is_rtl():
        return row
    mirrored = tuple(reversed(row))
    return tuple(Button({"◀": "▶", "▶": "◀"}.get(b.label, b.label), b.data) for b in mirrored)


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def no_date_label() -> str:
    """The label of the button that skips the date."""
    return _("No date")
