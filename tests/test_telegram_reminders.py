"""Reminders over the fake Bot API: an Arabic appointment reminded on time, 429 and 403 from
Telegram, and the calendar file as a real document."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import icalendar
from sqlalchemy import select

from bot.core.engine import Core
from bot.storage.models import Reminder, User
from fakebot import FakeTelegram
from tests.conftest import MovingClock
from tests.telegram import TgUser, running_bot, visible

HOUR_BEFORE = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 09:00 local, for a 10:00 appointment


async def appointment_tomorrow(user: TgUser) -> None:
    """Monday 23 November, 10:00 in Amsterdam, at the gemeente."""
    await user.send("/reminders")
    await user.press("r:n")
    await user.press("r:w:gemeente")
    await user.press("r:d:20261123")
    await user.press("r:t:1000")
    await user.press("r:c:s")


async def test_an_arabic_appointment_is_reminded_on_time_once(
    fake: FakeTelegram, moving_core: Core, clock: MovingClock
) -> None:
    amira = TgUser(fake, 960, language_code="ar")
    async with running_bot(fake, moving_core):
        await amira.onboard("ar")
        await appointment_tomorrow(amira)
        before = len(amira.screen())
        clock.jump(seconds=(HOUR_BEFORE - clock()).total_seconds())
        await fake.wait_for(lambda: len(amira.screen()) > before, 5, what="the reminder")
        await asyncio.sleep(2.5)  # more ticks of the reminder timer: nothing more arrives
    assert amira.screen()[before].startswith(visible("ar", "⏰ <b>In one hour</b>"))
    assert len(amira.screen()) == before + 1


async def test_429_waits_and_sends_once_and_403_marks_the_person_blocked(
    fake: FakeTelegram, moving_core: Core, clock: MovingClock
) -> None:
    patient = TgUser(fake, 961)
    gone = TgUser(fake, 962)
    async with running_bot(fake, moving_core):
        for user in (patient, gone):
            await user.onboard("en")
            await appointment_tomorrow(user)
        fake.inject_error("sendMessage", 429, "Too Many Requests: retry after 1",
                          retry_after=1, chat_id=patient.user_id)
        await fake.block_bot(gone.user_id)
        before = len(patient.screen())
        clock.jump(seconds=(HOUR_BEFORE - clock()).total_seconds())
        await fake.wait_for(lambda: len(patient.screen()) > before, 8, what="the retried send")
    assert len(patient.screen()) == before + 1
    # Both fell due at once, to two chats: sent side by side, in no fixed order.
    assert sorted(f["error_code"] for f in fake.failures) == [403, 429]
    async with moving_core.db.session() as session:
        rows = (await session.execute(select(User.telegram_id, Reminder.state, Reminder.error)
                                      .join(User, User.id == Reminder.user_id)
                                      .where(Reminder.lead == "hour")
                                      .order_by(User.telegram_id))).all()
        blocked = await session.scalar(select(User.blocked_at).where(User.telegram_id == 962))
    assert rows == [(961, "sent", None), (962, "failed", "blocked")]
    assert blocked is not None


async def test_the_calendar_file_arrives_as_a_document(fake: FakeTelegram, core: Core) -> None:
    user = TgUser(fake, 963)
    async with running_bot(fake, core):
        await user.onboard("ti")
        await appointment_tomorrow(user)
        calls = await user.press(next(d for _, d in user.last_buttons() if d.startswith("r:i:")))
    sent = next(c for c in calls if c["method"] == "sendDocument")
    upload = fake.upload(sent["result"])
    event = next(iter(icalendar.Calendar.from_ical(upload.data).walk("VEVENT")))
    assert event.decoded("dtstart") == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
