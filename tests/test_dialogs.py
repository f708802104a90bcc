"""The dialog widgets on their own: a toy dialog whose draft lives in memory, driven through
the router like any feature (typed button data in, replies and toasts out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest

from bot.core import fallback
from bot.core.dialogs import (
    Calendar,
    Chosen,
    DayPick,
    Dialog,
    Link,
    MonthPage,
    Pager,
    Pressed,
    Row,
    Select,
    Step,
    Tap,
    TextInput,
    ask,
    chars,
)
from bot.core.payloads import Payload
from bot.core.ports import Incoming, Kind
from bot.core.router import Router, Turn
from bot.i18n import use_locale
from bot.storage.models import User

NOW = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Amsterdam")


class Colour(Chosen[str], prefix="toy", action="c"):
    pass


class Page(MonthPage, prefix="toy", action="m"):
    pass


class Day(DayPick, prefix="toy", action="d"):
    pass


class Stop(Pressed, prefix="toy", shape="x"):
    pass


class Elsewhere(Payload, prefix="away"):
    pass


@dataclass
class Toy:
    """The draft: what was answered, and the step it is at."""

    step: str = "colour"
    answers: dict[str, object] = field(default_factory=dict)


@dataclass
class Memory:
    """A host that keeps one draft in memory (None: there is none)."""

    draft: Toy | None = None

    async def load(self, _turn: Turn, _key: int | None) -> Toy | None:
        return self.draft

    def at(self, _turn: Turn, draft: Toy) -> str:
        return draft.step

    def move(self, turn: Turn, draft: Toy, step: str) -> None:
        draft.step = turn.user.state = step

    def key(self, _draft: Toy) -> None:
        return None

    def state(self, step: str) -> str:
        return step


async def colours(_turn: Turn, _draft: Toy, _view: object) -> list[tuple[str, str]]:
    return [("Red", "red"), ("Blue", "blue")]


def keep(name: str, following: str | None) -> Any:
    async def then(_turn: Turn, draft: Toy, value: object = None) -> str | None:
        draft.answers[name] = value
        return following

    return then


HOST = Memory()
STOP = Tap("Cancel", Stop, keep("stopped", None))
DIALOG = Dialog(
    HOST,
    Step("colour", ask("Which colour?"), Select(Colour, colours, keep("colour", "name"),
                                                columns=2), STOP),
    Step("name", ask("Its name?"), TextInput(chars(2, 5), lambda: "2 to 5, please",
                                             keep("name", "day")),
         Link("Back", lambda _draft: Elsewhere())),
    Step("day", ask("Which day?"), Calendar(Page, Day, keep("day", None)), Row(STOP)),
)


@pytest.fixture
def router() -> Router:
    found = Router()
    DIALOG.register(found)
    found.fallback(Kind.BUTTON, fallback.stale)
    found.fallback(Kind.TEXT, fallback.use_buttons)

    async def menu(turn: Turn) -> None:
        turn.say("Menu")

    found.prompt("menu", menu)
    HOST.draft = Toy()
    return found


async def run(router: Router, kind: Kind, value: str, state: str) -> Turn:
    """One press or text by someone whose state is `state`."""
    event = Incoming(1, 1, kind, data=value if kind is Kind.BUTTON else "",
                     text=value if kind is Kind.TEXT else "")
    turn = Turn(cast(Any, None), User(telegram_id=1, state=state), event, NOW, ZONE, router)
    with use_locale("en"):
        await router.dispatch(turn)
    return turn


def texts(turn: Turn) -> list[str]:
    return [reply.text for reply in turn.outcome.replies]


def data(turn: Turn) -> list[str]:
    return [b.data for reply in turn.outcome.replies for row in reply.keyboard for b in row]


async def test_an_option_moves_the_draft_on_and_asks_the_next_question(router: Router) -> None:
    turn = await run(router, Kind.BUTTON, "toy:c:blue", "colour")
    assert HOST.draft == Toy("name", {"colour": "blue"})
    assert texts(turn) == ["Its name?"] and data(turn) == ["away"]
    assert turn.user.state == "name"


async def test_what_was_not_offered_or_belongs_to_another_step_is_an_old_button(
    router: Router,
) -> None:
    for pressed in ("toy:c:green", "toy:m:202612", "toy:d:20261201", "toy:c", "toy:zz"):
        turn = await run(router, Kind.BUTTON, pressed, "colour")
        assert turn.outcome.toast == "This button is no longer active.", pressed
    assert HOST.draft == Toy()


async def test_typed_text_is_read_or_the_hint_is_said(router: Router) -> None:
    assert HOST.draft is not None
    HOST.draft.step = "name"
    short = await run(router, Kind.TEXT, "x", "name")
    assert texts(short) == ["2 to 5, please"] and HOST.draft.step == "name"
    fine = await run(router, Kind.TEXT, " Ada ", "name")
    assert HOST.draft.answers == {"name": "Ada"} and HOST.draft.step == "day"
    assert "toy:d:20261122" in data(fine) and "toy:d:20261121" not in data(fine)  # not past


async def test_text_where_only_buttons_count_points_to_them(router: Router) -> None:
    turn = await run(router, Kind.TEXT, "blue", "colour")
    assert texts(turn) == ["Please choose one of the buttons below.", "Which colour?"]


async def test_the_calendar_turns_its_own_pages_and_a_day_goes_where_it_is_told(
    router: Router,
) -> None:
    assert HOST.draft is not None
    HOST.draft.step = "day"
    page = await run(router, Kind.BUTTON, "toy:m:202701", "day")
    assert texts(page) == ["Which day?"] and "toy:d:20270131" in data(page)
    assert "toy:m:202612" in data(page) and "toy:x" in data(page)  # ◀ back, and the row
    past = await run(router, Kind.BUTTON, "toy:d:20261121", "day")
    assert past.outcome.toast == "This button is no longer active."
    await run(router, Kind.BUTTON, "toy:d:20270131", "day")
    assert HOST.draft.answers == {"day": date(2027, 1, 31)}


async def test_a_shared_button_works_on_every_step_that_shows_it(router: Router) -> None:
    assert HOST.draft is not None
    for step in ("colour", "day"):
        HOST.draft.step = step
        await run(router, Kind.BUTTON, "toy:x", step)
        assert HOST.draft.answers.pop("stopped", "no") is None
    HOST.draft.step = "name"  # no Cancel there
    turn = await run(router, Kind.BUTTON, "toy:x", "name")
    assert turn.outcome.toast == "This button is no longer active."


async def test_without_a_draft_its_buttons_are_old_and_its_prompt_is_the_menu(
    router: Router,
) -> None:
    HOST.draft = None
    pressed = await run(router, Kind.BUTTON, "toy:c:red", "colour")
    assert pressed.outcome.toast == "This button is no longer active."
    assert texts(pressed) == ["Menu"] and pressed.user.state == "menu"
    typed = await run(router, Kind.TEXT, "Ada", "name")
    assert texts(typed) == ["Menu"] and typed.user.state == "menu"


def test_a_pager_keeps_to_the_pages_that_exist() -> None:
    pager = Pager[int](3)
    items = list(range(7))
    assert pager.page(items, 5) == (2, [6])
    assert pager.page(items, -1) == (0, [0, 1, 2])
    arrows = pager.arrows(len(items), 1, lambda page: Colour(str(page)))
    assert [b.data for row in arrows for b in row] == ["toy:c:0", "toy:c:2"]
    assert pager.arrows(3, 0, lambda page: Colour(str(page))) == []
