"""Times and dates typed instead of pressed, in every dialog that asks one."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from bot.core.dialogs import read_date, read_time
from bot.core.engine import Core
from bot.storage.models import Appointment, Task
from tests.chat import CoreChat, said, texts
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
