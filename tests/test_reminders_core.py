"""Reminders in the core: the appointment dialog in Arabic and Tigrinya, daylight saving,
quiet hours, claiming once, late and missed after downtime, cancel, snooze, the .ics file,
check-ins, journey follow-ups and task due dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import icalendar
import pytest
from babel.dates import format_datetime
from sqlalchemy import select

from bot.core.engine import Core
from bot.core.reminders import timing
from bot.i18n import use_locale
from bot.storage import reminders as repo
from bot.storage.models import Job, Post, Reminder, User
from tests.chat import CoreChat, outgoing, said, sent, texts
from tests.test_groups_core import two_groups

AMS = ZoneInfo("Europe/Amsterdam")


def test_a_time_skipped_by_daylight_saving_is_refused_and_a_doubled_one_is_the_first() -> None:
    assert timing.local_moment(date(2026, 3, 29), time(2, 30), AMS) is None
    assert timing.local_moment(date(2026, 10, 25), time(2, 30), AMS) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC)
    assert timing.local_moment(date(2026, 3, 29), time(3, 30), AMS) == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC)


def test_the_day_before_keeps_the_wall_clock_time_across_the_change() -> None:
    appointment = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # 10:00 CEST, the first summer day
    before = timing.day_before(appointment, AMS)
    assert before == datetime(2026, 3, 28, 9, 0, tzinfo=UTC)  # 10:00 CET: 23 hours earlier
    assert before.astimezone(AMS).hour == 10
    daily = [timing.at_local(datetime(2026, 10, 24, 12, 0, tzinfo=UTC), d, time(10, 0), AMS)
             for d in (0, 1, 2)]  # a daily 10:00 check-in across the October change
    assert [d.astimezone(AMS).hour for d in daily] == [10, 10, 10]
    assert [d.hour for d in daily] == [8, 9, 9]


def test_quiet_hours_move_to_eight_in_the_morning() -> None:
    late = datetime(2026, 11, 23, 22, 30, tzinfo=UTC)  # 23:30 in Amsterdam
    early = datetime(2026, 11, 24, 6, 59, tzinfo=UTC)  # 07:59
    noon = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
    assert timing.outside_quiet_hours(late, AMS) == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    assert timing.outside_quiet_hours(early, AMS) == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    assert timing.outside_quiet_hours(noon, AMS) == noon


def plain(text: str) -> str:
    """Without bidi marks and isolates, to compare what a reader sees."""
    return "".join(c for c in text if c not in "\u200e\u200f\u2066\u2067\u2068\u2069")


async def newcomer(core: Core, user_id: int, code: str) -> CoreChat:
    """An onboarded newcomer in one language."""
    chat = CoreChat(core, user_id)
    await chat.onboard(code)
    return chat


async def make_appointment(chat: CoreChat, day: str = "20261130", clock: str = "1000") -> str:
    """⏰ Reminders → new → gemeente → day → time; returns the confirmation text."""
    await chat.send("/reminders")
    await chat.press("r:n")
    await chat.press("r:w:gemeente")
    await chat.press(f"r:d:{day}")
    return texts(await chat.press(f"r:t:{clock}"))


@pytest.mark.parametrize("code", ["ar", "ti"])
async def test_appointment_dialog_in_arabic_and_tigrinya(core: Core, code: str) -> None:
    chat = await newcomer(core, 900, code)
    confirmation = await make_appointment(chat)
    moment = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam
    with use_locale(code):
        when = format_datetime(moment.astimezone(AMS), "EEEE d MMMM y, HH:mm", locale=code)
    assert plain(when) in plain(confirmation)  # the locale's own date format, with weekday
    assert said(code, "I will remind you:") in confirmation
    saved = await chat.press("r:c:s")
    assert "r:i:" in " ".join(b.data for b in chat.buttons) and saved.replies
    async with core.db.session() as session:
        planned = list(await session.scalars(select(Reminder).where(
            Reminder.kind == "appointment").order_by(Reminder.due_at)))
    assert [(r.lead, r.due_at, r.urgent) for r in planned] == [
        ("day", datetime(2026, 11, 29, 9, 0, tzinfo=UTC), False),
        ("hour", datetime(2026, 11, 30, 8, 0, tzinfo=UTC), True)]


async def test_a_time_that_does_not_exist_is_refused_in_the_dialog(core: Core) -> None:
    chat = await newcomer(core, 901, "en")
    await chat.send("/reminders")
    await chat.press("r:n")
    await chat.press("r:w:ind")
    for month in ("202612", "202701", "202702", "202703"):
        await chat.press(f"r:m:{month}")
    await chat.press("r:d:20270328")  # the clocks go forward that night
    refused = await chat.send("02:30")
    assert said("en", "That time does not exist on that night: the clocks go forward one "
                      "hour. Please choose another time.") in texts(refused)
    fine = await chat.send("03:30")
    assert said("en", "I will remind you:") in texts(fine)


async def test_each_reminder_is_claimed_once_and_a_crash_mid_send_is_not_repeated(
    core: Core,
) -> None:
    chat = await newcomer(core, 902, "nl")
    await make_appointment(chat)
    await chat.press("r:c:s")
    core.clock = lambda: datetime(2026, 11, 29, 9, 0, 1, tzinfo=UTC)
    first = await outgoing(core)
    assert len(first) == 1 and await outgoing(core) == []
    await core.startup()  # the process died while sending it
    async with core.db.session() as session:
        states = await repo.counts(session)
    assert states == {"interrupted": 1, "scheduled": 2}  # the hour-before and the check-in


async def test_after_downtime_useful_reminders_go_late_and_others_are_missed(core: Core) -> None:
    chat = await newcomer(core, 903, "en")
    await make_appointment(chat, "20261130", "1000")
    await chat.press("r:c:s")
    core.clock = lambda: datetime(2026, 11, 30, 8, 30, tzinfo=UTC)  # both due, 09:30 local
    went = await sent(core)
    assert len(went) == 2  # the appointment is at 10:00: both still help
    await make_appointment(chat, "20261201", "1000")
    await chat.press("r:c:s")
    core.clock = lambda: datetime(2026, 12, 1, 9, 30, tzinfo=UTC)  # after the appointment
    assert await outgoing(core) == []
    async with core.db.session() as session:
        missed = (await session.scalars(select(Reminder).where(Reminder.state == "missed"))).all()
    assert len(missed) == 2


async def test_non_urgent_reminders_wait_for_the_morning(core: Core) -> None:
    await newcomer(core, 904, "en")
    async with core.db.session() as session:
        user = (await session.scalars(select(User).where(User.telegram_id == 904))).one()
        await repo.add(session, Reminder(user_id=user.id, kind="checkin",
                                         due_at=datetime(2026, 11, 23, 21, 30, tzinfo=UTC)))
    core.clock = lambda: datetime(2026, 11, 23, 21, 31, tzinfo=UTC)  # 22:31 local
    assert await outgoing(core) == []
    async with core.db.session() as session:
        waiting = (await session.scalars(select(Reminder).where(
            Reminder.kind == "checkin", Reminder.state == "scheduled")
            .order_by(Reminder.due_at))).first()
    assert waiting is not None and waiting.due_at == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


async def test_cancel_and_snooze_from_the_list(core: Core) -> None:
    chat = await newcomer(core, 905, "en")
    await make_appointment(chat)
    await chat.press("r:c:s")
    await chat.press("r:l")
    ids = [b.data for b in chat.buttons if b.data.startswith("r:v:")]
    assert len(ids) == 3  # the day before, the hour before, and next month's check-in
    first, second = (int(d.split(":")[2]) for d in ids[:2])
    await chat.press(f"r:v:{first}")
    await chat.press(f"r:o:{first}")  # tomorrow, same time
    await chat.press(f"r:x:{second}")
    other = CoreChat(core, 906)
    await other.press(f"r:x:{first}")  # not theirs: nothing happens
    async with core.db.session() as session:
        one = await repo.get(session, first)
        two = await repo.get(session, second)
    assert one is not None and one.state == "scheduled"
    assert one.due_at == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert two is not None and two.state == "cancelled"


async def test_the_calendar_file_opens_in_a_calendar_parser(core: Core) -> None:
    chat = await newcomer(core, 907, "ar")
    await make_appointment(chat)
    await chat.press("r:c:s")
    appointment = next(b.data for b in chat.buttons if b.data.startswith("r:i:"))
    outcome = await chat.press(appointment)
    document = outcome.replies[0].document
    assert document is not None and document.filename.endswith(".ics")
    parsed = icalendar.Calendar.from_ical(document.data)
    event = next(iter(parsed.walk("VEVENT")))
    assert event.decoded("dtstart") == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert len(list(event.walk("VALARM"))) == 2


async def test_check_in_a_month_after_onboarding_and_help_when_it_goes_badly(
    core: Core,
) -> None:
    chat = await newcomer(core, 908, "en")
    async with core.db.session() as session:
        checkin = (await session.scalars(select(Reminder).where(Reminder.kind == "checkin"))).one()
    assert checkin.due_at == datetime(2026, 12, 22, 9, 0, tzinfo=UTC)  # 10:00 local
    core.clock = lambda: checkin.due_at
    due = await outgoing(core)
    assert said("en", "👋 How are things going?") == due[0].reply.text
    outcome = await chat.press("ci:b")
    assert any(b.data.startswith("q:ask:") for b in chat.buttons) and outcome.replies
    async with core.db.session() as session:
        following = (await session.scalars(select(Reminder).where(
            Reminder.kind == "checkin", Reminder.state == "scheduled"))).one()
    assert following.due_at == datetime(2027, 1, 21, 9, 0, tzinfo=UTC)


async def test_not_yet_on_digid_asks_again_in_five_days_unless_done(core: Core) -> None:
    chat = await newcomer(core, 909, "en")
    await chat.press("j:first_steps::o")
    await chat.press_label("➡️")  # the suggested step
    for _step in range(6):
        done = next(b.data for b in chat.buttons if b.data.endswith(":d"))
        if done == "j:first_steps:digid:d":
            break
        await chat.press(done)
    outcome = await chat.press("j:first_steps:digid:l")
    assert outcome.toast == said("en", "I will ask you again in {days} days.").format(days=5)
    async with core.db.session() as session:
        follow = (await session.scalars(select(Reminder).where(Reminder.kind == "followup"))).one()
    assert follow.due_at == datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    core.clock = lambda: follow.due_at
    due = await outgoing(core)
    assert "DigiD" in due[0].reply.text


async def test_task_due_tomorrow_and_overdue_jobs(core: Core) -> None:
    member_a, _b, gid_a, _gid_b = await two_groups(core)
    await member_a.press(f"tn:{gid_a}")
    await member_a.send("Huurcontract tekenen")
    await member_a.press("tn:d:20261125")
    await member_a.press("tn:t:1500")
    await member_a.press("tn:a:me")
    async with core.db.session() as session:
        planned = (await session.execute(select(Job.kind, Job.due_at).where(
            Job.kind.like("task_%")).order_by(Job.due_at))).all()
    assert planned == [("task_due", datetime(2026, 11, 24, 14, 0, tzinfo=UTC)),
                       ("task_overdue", datetime(2026, 11, 26, 8, 0, tzinfo=UTC))]
    core.clock = lambda: datetime(2026, 11, 26, 8, 0, 5, tzinfo=UTC)
    assert await core.run_due_jobs() >= 2
    async with core.db.session() as session:
        posts = [p.text or "" for p in await session.scalars(select(Post).order_by(Post.id))]
    assert any("Huurcontract tekenen" in p and "⏰" in p for p in posts)
    assert await core.run_due_jobs() == 0
