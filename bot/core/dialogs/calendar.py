"""📅 A month to pick a day from, in every language; it turns its own pages.

Names of months and weekdays come from Babel (CLDR), so Arabic and Tigrinya need no
translation work. In right-to-left languages the week runs from right to left, as on a
printed Arabic calendar.
"""

from __future__ import annotations

import calendar as cal
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Generic

from babel.dates import format_date, get_day_names

from bot.core import fallback
from bot.core.dialogs.dialog import D, Dialog, Rows, Step, Then, Widget
from bot.core.dialogs.typed import read_date
from bot.core.payloads import Month, Payload
from bot.core.ports import Button
from bot.core.router import Router, Turn
from bot.i18n import _, backward, current_locale, forward, is_rtl

BLANK = " "  # Telegram refuses empty button labels


class MonthPage(Payload):
    """A calendar's page; `key` names the draft where the state does not."""

    month: Month
    key: int | None = field(default=None, kw_only=True)


class DayPick(Payload):
    """A day picked on a calendar."""

    day: date
    key: int | None = field(default=None, kw_only=True)


def today(turn: Turn) -> date:
    """The first day that can be picked, usually: today, where the person lives."""
    return turn.now.astimezone(turn.timezone).date()


def a_year_back(turn: Turn) -> date:
    """For dates that may have passed already, such as an arrival."""
    return today(turn) - timedelta(days=365)


@dataclass(frozen=True, eq=False)
class Calendar(Generic[D]):
    """A month with arrows and the days from `earliest` on; a picked day goes to `then`."""

    page: type[MonthPage]
    pick: type[DayPick]
    then: Then[D, date]
    earliest: Callable[[Turn], date] = today
    start: Callable[[Turn, D], date | None] = lambda _turn, _draft: None  # the first month

    async def rows(self, turn: Turn, draft: D, key: int | None, view: object) -> Rows:
        month = view if isinstance(view, date) else self.start(turn, draft) or today(turn)
        return list(self.keyboard(month, self.earliest(turn), key))

    def keyboard(self, month: date, earliest: date, key: int | None) -> Rows:
        """A month with navigation; days before `earliest` cannot be picked."""
        first = month.replace(day=1)
        here = self.page(first, key=key).encode()
        names = get_day_names("abbreviated", "stand-alone", locale=current_locale())
        rows = [(Button(format_date(first, "LLLL y", locale=current_locale()), here),),
                _oriented(tuple(Button(names[i], here) for i in range(7)))]
        for week in cal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
            rows.append(_oriented(tuple(self._day(d, first, earliest, key) for d in week)))
        rows.append(_oriented(self._navigation(first, earliest, key)))
        return rows

    def _day(self, day: date, month: date, earliest: date, key: int | None) -> Button:
        """A pickable day, or a blank for days of other months and days before `earliest`."""
        if day.month != month.month or day < earliest:
            return Button(BLANK, self.page(month, key=key).encode())
        return Button(str(day.day), self.pick(day, key=key).encode())

    def _navigation(self, month: date, earliest: date, key: int | None) -> tuple[Button, ...]:
        """Previous month (not before the earliest), next month (while dates go on: a
        forged page of December 9998 has none)."""
        back, ahead = _shift(month, -1), _shift(month, 1)
        previous = (Button(backward(), self.page(back, key=key).encode()),) \
            if back >= earliest.replace(day=1) else ()
        following = (Button(forward(), self.page(ahead, key=key).encode()),) \
            if ahead.year < date.max.year else ()
        return (*previous, *following)

    def register(self, router: Router, dialog: Dialog[D]) -> None:
        async def turn_page(turn: Turn, pressed: MonthPage) -> None:
            found = await dialog.draft_for(turn, pressed.key, self)
            if found is not None:
                await found[1].show(turn, dialog, found[0], pressed.month)

        async def picked(turn: Turn, pressed: DayPick) -> None:
            found = await dialog.draft_for(turn, pressed.key, self)
            if found is not None and pressed.day < self.earliest(turn):
                await fallback.stale(turn)
            elif found is not None:
                await dialog.follow(turn, found[0], await self.then(turn, found[0], pressed.day))

        router.on(self.page, turn_page)
        router.on(self.pick, picked)

    async def read_text(self, turn: Turn, dialog: Dialog[D], draft: D, step: Step[D]) -> None:
        """A typed day ("12-3", "12 maart", "١٢-٣") as if picked; else how to type it."""
        earliest = self.earliest(turn)
        day = read_date(turn.event.text, earliest)
        if day is not None and day >= earliest:
            await dialog.follow(turn, draft, await self.then(turn, draft, day))
            return
        example = max(today(turn), earliest) + timedelta(days=7)
        # TRANSLATORS: {example} is a day and month in digits, such as 14-12.
        turn.say(_("Please type the day and month like this: {example}. Or pick the day "
                   "below.").format(example=f"{example.day}-{example.month}"),
                 tuple(await step.rows(turn, dialog, draft)))

    def parts(self) -> tuple[Widget[D], ...]:
        return (self,)


def _oriented(row: tuple[Button, ...]) -> tuple[Button, ...]:
    """Telegram lays buttons out left to right in every language; Arabic reads the other way."""
    if not is_rtl():
        return row
    return tuple(reversed(row))  # the arrows already point the reader's way


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
