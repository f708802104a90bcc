"""Times and dates typed instead of pressed, in every dialog that asks one."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from bot.core.dialogs import read_date, read_moment, read_time
from bot.core.engine import Core
from bot.storage.models import Appointment, Broadcast, Task
from tests.chat import CoreChat, said, texts
from tests.test_broadcasts_core import draft, world
from tests.test_groups_core import two_groups

SUNDAY = date(2026, 11, 22)  # tests.conftest.FIXED_NOW


@pytest.mark.parametrize(("typed", "clock"), [
    ("18:30", time(18, 30)), ("18.30", time(18, 30)), ("18h30", time(18, 30)),
    ("18u30", time(18, 30)), ("18.30 uur", time(18, 30)), ("18 uur", time(18, 0)),
    ("9:05", time(9, 5)), (" 07:00 ", time(7, 0)), ("18", time(18, 0)),
    ("6.30 pm", time(18, 30)), ("6:30 PM", time(18, 30)), ("6pm", time(18, 0)),
    ("12 am", time(0, 0)), ("12.15 pm", time(12, 15)), ("7 a.m.", time(7, 0)),
    ("٦:٣٠ م", time(18, 30)), ("١٨:٣٠", time(18, 30)), ("٦:٣٠ مساءً", time(18, 30)),
    ("٩ صباحاً", time(9, 0)), ("۱۸:۳۰", time(18, 30)), ("6:30 ድ.ቀ.", time(18, 30)),
    ("ሰዓት 9", time(9, 0)), ("00:00", time(0, 0)),
])
def test_a_typed_time_is_read(typed: str, clock: time) -> None:
    assert read_time(typed) == clock


@pytest.mark.parametrize("typed", ["24:00", "18:60", "13 pm", "0 am", "half zeven", "12-3",
                                   "18:3", "1830:00", "", "pm", "tomorrow"])
def test_a_wrong_time_is_not_guessed(typed: str) -> None:
    assert read_time(typed) is None


@pytest.mark.parametrize(("typed", "day"), [
    ("12-3", date(2027, 3, 12)), ("12/3", date(2027, 3, 12)), ("12.3", date(2027, 3, 12)),
    ("12 maart", date(2027, 3, 12)), ("12 mrt.", date(2027, 3, 12)),
    ("12 March", date(2027, 3, 12)), ("March 12", date(2027, 3, 12)),
    ("mar 12", date(2027, 3, 12)), ("١٢-٣", date(2027, 3, 12)), ("١٢ مارس", date(2027, 3, 12)),
    ("١٢ آذار", date(2027, 3, 12)), ("12 መጋቢት", date(2027, 3, 12)),
    ("30-11", date(2026, 11, 30)), ("22-11", date(2026, 11, 22)), ("21-11", date(2027, 11, 21)),
    ("12-3-2028", date(2028, 3, 12)), ("12/3/28", date(2028, 3, 12)),
    ("29-2", date(2028, 2, 29)), ("1 december", date(2026, 12, 1)),
])
def test_a_typed_date_is_the_first_such_day_from_the_earliest_on(typed: str, day: date) -> None:
    assert read_date(typed, SUNDAY) == day


@pytest.mark.parametrize("typed", ["31-2", "12-13", "0-3", "12 foo", "12-3/2027", "18:30",
                                   "morgen", "", "12"])
def test_a_wrong_date_is_not_guessed(typed: str) -> None:
    assert read_date(typed, SUNDAY) is None


async def _task_at_the_time_step(member: CoreChat, gid: int) -> None:
    """➕ New task → title → a date typed in Arabic-Indic digits → the time step."""
    await member.press(f"tn:{gid}")
    await member.send("Meubels ophalen")
    await member.send("١٢-٣")


async def test_a_typed_time_sets_the_task_time(core: Core) -> None:
    member, _b, gid, _gid_b = await two_groups(core)
    await _task_at_the_time_step(member, gid)
    asked = await member.send("18:30")
    assert said("nl", "<b>{title}</b>\nWho does it?").split("\n")[-1] in texts(asked)
    await member.press("tn:a:any")
    async with core.db.session() as session:
        task = (await session.scalars(select(Task))).one()
    assert (task.due_date, task.due_time) == (date(2027, 3, 12), time(18, 30))


async def test_a_wrong_time_is_answered_kindly_with_an_example_and_the_buttons(
        core: Core) -> None:
    member, _b, gid, _gid_b = await two_groups(core)
    await _task_at_the_time_step(member, gid)
    answer = await member.send("half zeven")
    assert texts(answer) == said("nl", "Please type the time like this: 14:45.")
    assert any(b.label == "19:00" for b in member.buttons)  # the times to press, again
    await member.press("tn:t:n")
    await member.press("tn:a:any")
    async with core.db.session() as session:
        task = (await session.scalars(select(Task))).one()
    assert task.due_time is None


async def test_a_wrong_date_is_answered_with_an_example_and_the_calendar(core: Core) -> None:
    member, _b, gid, _gid_b = await two_groups(core)
    await member.press(f"tn:{gid}")
    await member.send("Meubels ophalen")
    answer = await member.send("31-2")
    assert texts(answer) == said("nl", "Please type the day and month like this: {example}. "
                                       "Or pick the day below.").format(example="29-11")
    assert any(b.data.startswith("tn:d:") for b in member.buttons)


@pytest.mark.parametrize("code", ["ar", "ti"])
async def test_an_appointment_takes_a_typed_date_and_time(core: Core, code: str) -> None:
    chat = CoreChat(core, 950)
    await chat.onboard(code)
    await chat.send("/reminders")
    await chat.press("r:n")
    await chat.press("r:w:gemeente")
    await chat.send("٣٠-١١")
    confirmation = await chat.send("٦:٣٠ م")
    assert said(code, "I will remind you:") in texts(confirmation)
    async with core.db.session() as session:
        appointment = (await session.scalars(select(Appointment))).one()
    assert appointment.at == datetime(2026, 11, 30, 17, 30, tzinfo=UTC)  # 18:30 in Amsterdam


@pytest.mark.parametrize(("typed", "moment"), [
    ("morgen 9:00", (date(2026, 11, 23), time(9, 0))),
    ("morgen om 9 uur", (date(2026, 11, 23), time(9, 0))),
    ("tomorrow at 6.30 pm", (date(2026, 11, 23), time(18, 30))),
    ("غداً ٩ صباحاً", (date(2026, 11, 23), time(9, 0))),
    ("ጽባሕ 18:30", (date(2026, 11, 23), time(18, 30))),
    ("overmorgen", (date(2026, 11, 24), None)),
    ("12-3 18:30", (date(2027, 3, 12), time(18, 30))),
    ("18:30 12 maart", (date(2027, 3, 12), time(18, 30))),
    ("١٨:٣٠", (None, time(18, 30))),
    ("12 maart", (date(2027, 3, 12), None)),
])
def test_a_typed_day_and_time_are_read_together(
        typed: str, moment: tuple[date | None, time | None]) -> None:
    assert read_moment(typed, SUNDAY) == moment


@pytest.mark.parametrize("typed", ["half zeven", "morgen half zeven", "12 3", "", "soon 9:00"])
def test_a_wrong_day_and_time_are_not_guessed(typed: str) -> None:
    assert read_moment(typed, SUNDAY) is None


async def _planned(core: Core, number: int) -> datetime | None:
    async with core.db.session() as session:
        broadcast = await session.get(Broadcast, number)
        assert broadcast is not None
        return broadcast.send_at if broadcast.state == "scheduled" else None


@pytest.mark.parametrize(("presses", "typed", "moment"), [
    ((), "morgen 9:00", datetime(2026, 11, 23, 8, 0, tzinfo=UTC)),  # 09:00 in Amsterdam
    ((), "18:30", datetime(2026, 11, 22, 17, 30, tzinfo=UTC)),  # today, later on
    (("d20261125",), "١٨:٣٠", datetime(2026, 11, 25, 17, 30, tzinfo=UTC)),  # the day picked
    ((), "12 maart", None),  # a day alone opens its hours
    ((), "21:00", datetime(2026, 11, 22, 20, 0, tzinfo=UTC)),  # the last time the hint names
])
async def test_a_broadcast_goes_out_at_a_typed_time(
        core: Core, presses: tuple[str, ...], typed: str, moment: datetime | None) -> None:
    expected = moment or datetime(2027, 3, 12, 17, 30, tzinfo=UTC)
    utrecht, _amsterdam = await world(core)
    number = await draft(utrecht, "Open spreekuur")
    later = await utrecht.press(f"bc:t:{number}")
    assert said("nl", "On which day should it go out? You can also type the day and the "
                      "time, for example: tomorrow 18:30.") in texts(later)
    for press in presses:
        await utrecht.press(f"bc:t:{number}:{press}")
    answer = await utrecht.send(typed)
    assert await _planned(core, number) == moment
    if moment is None:
        assert f"bc:h:{number}:2027031218" in [b.data for b in utrecht.buttons]
        await utrecht.send("18:30")
        assert await _planned(core, number) == expected
    else:
        assert said("nl", "✖️ Cancel it") in [b.label for b in utrecht.buttons], texts(answer)
    await utrecht.send("19:00")  # the dialog is over: the time is ordinary text again
    assert await _planned(core, number) == expected


@pytest.mark.parametrize("typed", ["7:00", "23:00", "21:01", "half zeven", "22-11 9:00", "12:00"])
async def test_a_wrong_broadcast_time_is_answered_with_an_example_and_the_buttons(
        core: Core, typed: str) -> None:
    utrecht, _amsterdam = await world(core)
    number = await draft(utrecht, "Open spreekuur")
    await utrecht.press(f"bc:t:{number}")
    answer = await utrecht.send(typed)  # 12:00 today has passed: it is 13:00 in Amsterdam
    assert texts(answer) == said("nl", "Please type a day and a time between 08:00 and 21:00, "
                                       "like this: {example}. Or use the buttons "
                                       "below.").format(example="29-11 18:30")
    assert any(b.data.startswith(f"bc:t:{number}:d") for b in utrecht.buttons)
    assert await _planned(core, number) is None
