"""⏰ Reminders: appointments (what → date → time → which reminders), /reminders with
cancel, snooze and change, and a calendar file for the phone.

The appointment being made or changed is named in the user's state
(`remind:<step>:<appointment id>`), never in a button, so a forged button cannot touch
someone else's appointment; buttons about one reminder or appointment check the owner.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import fallback, states
from bot.core.dialogs import (
    Calendar,
    Chosen,
    Confirm,
    DayPick,
    Dialog,
    MonthPage,
    Pressed,
    Row,
    Select,
    Step,
    Tap,
    TextInput,
    ask,
    chars,
    read_time,
)
from bot.core.menu import OpenMenu
from bot.core.payloads import Payload
from bot.core.ports import Button, Document, Reply
from bot.core.reminders import delivery, ics, timing
from bot.core.render import finish, format_html
from bot.core.router import Router, Turn
from bot.i18n import N_, _, backward, current_locale
from bot.storage import reminders as repo
from bot.storage.models import Appointment, Reminder, User

WHAT = {
    "gemeente": N_("🏛 Gemeente (municipality)"),
    "ind": N_("🛂 IND"),
    "huisarts": N_("🩺 Huisarts (doctor)"),
    "school": N_("🎒 School"),
    "duo": N_("📚 DUO"),
    "lesson": N_("🗣 Language lesson"),
    "other": N_("✏️ Something else (type it)"),
}
TIMES = [time(h, m) for h in range(7, 21) for m in (0, 30)]
TEXT_LIMIT = 80
STEP = "remind"  # states: remind:<what|text|date|time|confirm>:<appointment id>


class Making(Payload, prefix=STEP):
    """The state of someone making or changing an appointment: the step, the appointment."""

    step: str
    appointment: int


class ShowReminders(Payload, prefix="r", action="l"):
    """📋 My reminders."""


class NewAppointment(Payload, prefix="r", action="n"):
    """➕ New appointment."""


class PickWhat(Chosen[str], prefix="r", action="w"):
    """What the appointment is: a key of WHAT."""


class PageMonth(MonthPage, prefix="r", action="m"):
    """The calendar of the date question, at a month."""


class PickDay(DayPick, prefix="r", action="d"):
    """The appointment's day."""


class PickTime(Chosen[time], prefix="r", action="t"):
    """The appointment's time, one of TIMES."""


class DayBefore(Pressed, prefix="r", shape="c:d"):
    """A reminder the day before: on/off."""


class HourBefore(Pressed, prefix="r", shape="c:h"):
    """A reminder an hour before: on/off."""


class Save(Pressed, prefix="r", shape="c:s"):
    """✅ Save."""


class Cancel(Pressed, prefix="r", shape="c:x"):
    """Cancel, on every question: nothing is saved."""


class ReminderButton(Payload):
    """A button about one of the person's reminders."""

    reminder: int


class ViewReminder(ReminderButton, prefix="r", action="v"):
    """One reminder with what can be done to it."""


class SnoozeHour(ReminderButton, prefix="r", action="h"):
    """💤 1 hour later."""


class SnoozeTomorrow(ReminderButton, prefix="r", action="o"):
    """💤 Tomorrow (also under a journey's follow-up question)."""


class CancelReminder(ReminderButton, prefix="r", action="x"):
    """🗑 Cancel this reminder."""


class AppointmentButton(Payload):
    """A button about one of the person's appointments."""

    appointment: int


class ChangeTime(AppointmentButton, prefix="r", action="e"):
    """✏️ Change the time."""


class CalendarFile(AppointmentButton, prefix="r", action="i"):
    """📅 A calendar file for the phone."""




def what_label(appointment: Appointment) -> str:
    """What the appointment is, in the reader's language (typed text as written)."""
    if appointment.what == "other" and appointment.text:
        return appointment.text
    return _(WHAT.get(appointment.what, WHAT["other"]))


def when_label(moment: datetime, zone: ZoneInfo) -> str:
    """A full local date and time in the reader's language (Babel, CLDR patterns)."""
    local = moment.astimezone(zone)
    return format_datetime(local, "EEEE d MMMM y, HH:mm", locale=current_locale())


async def show_list(turn: Turn) -> None:
    """/reminders: what is coming, each a button; and a new appointment."""
    upcoming = await repo.upcoming(turn.session, turn.user.id)
    rows: list[tuple[Button, ...]] = []
    for reminder in upcoming[:15]:
        label = await _short(turn, reminder)
        rows.append((Button(label, ViewReminder(reminder.id).encode()),))
    rows += [(Button(_("➕ New appointment"), NewAppointment().encode()),),
             (Button(backward(_("Menu")), OpenMenu().encode()),)]
    text = _("<b>My reminders</b>") if upcoming else _("<b>My reminders</b>\nNothing planned.")
    turn.say(text, tuple(rows))


async def _short(turn: Turn, reminder: Reminder) -> str:
    """One line: when it arrives and what it is about."""
    when = format_datetime(reminder.due_at.astimezone(turn.timezone), "d MMM HH:mm",
                           locale=current_locale())
    return f"⏰ {when} · {await _subject(turn, reminder)}"


async def _subject(turn: Turn, reminder: Reminder) -> str:
    if reminder.appointment_id is not None:
        appointment = await repo.appointment(turn.session, reminder.appointment_id)
        return what_label(appointment) if appointment else "?"
    return _("Check-in") if reminder.kind == "checkin" else _("Follow-up")


async def start(turn: Turn) -> None:
    """➕ New appointment: an appointment draft, then the first question."""
    appointment = Appointment(user_id=turn.user.id, what="other", status="draft",
                              created_at=turn.now)
    turn.session.add(appointment)
    await turn.session.flush()
    await APPOINTMENT.go(turn, appointment, "what")


async def _list(turn: Turn, _pressed: ShowReminders) -> None:
    await show_list(turn)


async def _new(turn: Turn, _pressed: NewAppointment) -> None:
    await start(turn)


class Appointments:
    """The appointment being made or changed is named in the state, never in a button."""

    async def load(self, turn: Turn, _key: int | None) -> Appointment | None:
        """The appointment in the state, if it is this person's."""
        making = Making.read(turn.user.state)
        found = await repo.appointment(turn.session, making.appointment) if making else None
        return found if found is not None and found.user_id == turn.user.id else None

    def at(self, turn: Turn, _appointment: Appointment) -> str | None:
        making = Making.read(turn.user.state)
        return making.step if making else None

    def move(self, turn: Turn, appointment: Appointment, step: str) -> None:
        turn.user.state = Making(step, appointment.id).encode()

    def key(self, _appointment: Appointment) -> int | None:
        return None

    def state(self, step: str) -> str:
        return f"{STEP}:{step}"


async def _kinds(_turn: Turn, _appointment: Appointment, _view: object) -> list[tuple[str, str]]:
    return [(_(label), key) for key, label in WHAT.items()]


async def _what(turn: Turn, appointment: Appointment, what: str) -> str:
    appointment.what = what
    return "text" if what == "other" else "date"


async def _described(turn: Turn, appointment: Appointment, text: str) -> str:
    appointment.text = text
    return "date"


def _month_of(turn: Turn, appointment: Appointment) -> date | None:
    """A changed appointment's calendar opens at its month."""
    return appointment.at.astimezone(turn.timezone).date() if appointment.at else None


async def _day(turn: Turn, appointment: Appointment, day: date) -> str:
    appointment.at = timing.local_moment(day, time(12, 0), turn.timezone)
    return "time"


async def _times(_turn: Turn, _appointment: Appointment, _view: object) -> list[tuple[str, time]]:
    return [(f"{t:%H:%M}", t) for t in TIMES]


async def _time(turn: Turn, appointment: Appointment, clock: time) -> str | None:
    """Combine the chosen day and time in local time; refuse times that do not exist."""
    if appointment.at is None:
        await fallback.stale(turn)
        return None
    day = appointment.at.astimezone(turn.timezone).date()
    moment = timing.local_moment(day, clock, turn.timezone)
    if moment is None:
        turn.say(_("That time does not exist on that night: the clocks go forward one hour. "
                   "Please choose another time."))
        return None
    if moment <= turn.now:
        turn.say(_("That time has already passed. Please choose a later time."))
        return None
    appointment.at = moment
    return "confirm"


async def _summary(turn: Turn, appointment: Appointment) -> str:
    """The appointment as understood, and which reminders it gets."""
    yes, no = "✅", "◻️"
    text = format_html(_("<b>{what}</b>\n📅 {when}"), what=what_label(appointment),
                       when=when_label(appointment.at, turn.timezone) if appointment.at
                       else "")
    text += "\n" + _("I will remind you:")
    text += f"\n{yes if appointment.day_before else no} " + _("the day before")
    text += f"\n{yes if appointment.hour_before else no} " + _("one hour before")
    return text


async def _toggle_day(_turn: Turn, appointment: Appointment) -> str:
    appointment.day_before = not appointment.day_before
    return "confirm"


async def _toggle_hour(_turn: Turn, appointment: Appointment) -> str:
    appointment.hour_before = not appointment.hour_before
    return "confirm"


async def _cancel_dialog(turn: Turn, appointment: Appointment) -> None:
    if appointment.status == "draft":
        await repo.discard_appointment(turn.session, appointment)
    turn.user.state = states.MENU
    turn.say(_("OK, nothing was saved."))
    await turn.resume()


async def _save(turn: Turn, appointment: Appointment) -> None:
    """The appointment and its reminders, as chosen; an edit replaces the old reminders."""
    await repo.cancel_appointment(turn.session, appointment.id)
    appointment.status = "active"
    for reminder in plan_reminders(appointment, turn.now, turn.timezone):
        await repo.add(turn.session, reminder)
    turn.user.state = states.MENU
    turn.say(format_html(_("Saved: <b>{what}</b>, {when}."), what=what_label(appointment),
                         when=when_label(appointment.at, turn.timezone) if appointment.at
                         else ""),
             ((Button(_("📅 Add to my phone's calendar"),
                      CalendarFile(appointment.id).encode()),),
              (Button(_("📋 My reminders"), ShowReminders().encode()),),
              (Button(backward(_("Menu")), OpenMenu().encode()),)))


CANCEL = Tap(N_("Cancel"), Cancel, _cancel_dialog)
APPOINTMENT = Dialog(
    Appointments(),
    Step("what", ask(N_("What is the appointment?")), Select(PickWhat, _kinds, _what), CANCEL),
    Step("text", ask(N_("Type in a few words what it is, for example: bank, lawyer, housing "
                        "corporation.")),
         TextInput(chars(2, TEXT_LIMIT),
                   lambda: _("Please use 2 to {limit} characters.").format(limit=TEXT_LIMIT),
                   _described),
         CANCEL),
    Step("date", ask(N_("On which day?")), Calendar(PageMonth, PickDay, _day, start=_month_of),
         CANCEL),
    Step("time", ask(N_("At what time? You can also type it, for example 14:45.")),
         Select(PickTime, _times, _time, columns=4),
         TextInput(read_time, lambda: _("Please type the time like this: 14:45."), _time),
         CANCEL),
    Step("confirm", _summary,
         Row(Tap(N_("Day before: on/off"), DayBefore, _toggle_day),
             Tap(N_("Hour before: on/off"), HourBefore, _toggle_hour)),
         Confirm(Tap(N_("✅ Save"), Save, _save), CANCEL)),
)


def plan_reminders(appointment: Appointment, now: datetime, zone: ZoneInfo) -> list[Reminder]:
    """The day before (not in quiet hours) and one hour before (urgent), if still ahead."""
    at = appointment.at
    if at is None:
        return []
    planned = []
    if appointment.day_before:
        due = timing.outside_quiet_hours(timing.day_before(at, zone), zone)
        planned.append(("day", due, False))
    if appointment.hour_before:
        planned.append(("hour", at - timedelta(hours=1), True))
    return [Reminder(user_id=appointment.user_id, kind="appointment", appointment_id=appointment.id,
                     lead=lead, due_at=due, useful_until=at, urgent=urgent, created_at=now)
            for lead, due, urgent in planned if now < due < at]


async def _view(turn: Turn, pressed: ViewReminder) -> None:
    """One reminder with what can be done to it."""
    reminder = await _mine(turn, pressed)
    if reminder is None:
        return
    text = await _short(turn, reminder)
    rows: list[tuple[Button, ...]] = [
        (Button(_("💤 1 hour later"), SnoozeHour(reminder.id).encode()),
         Button(_("💤 Tomorrow"), SnoozeTomorrow(reminder.id).encode())),
    ]
    if reminder.appointment_id is not None:
        rows.append((Button(_("✏️ Change the time"),
                            ChangeTime(reminder.appointment_id).encode()),
                     Button(_("📅 Calendar file"), CalendarFile(reminder.appointment_id).encode())))
    rows += [(Button(_("🗑 Cancel this reminder"), CancelReminder(reminder.id).encode()),),
             (Button(backward(_("Back")), ShowReminders().encode()),)]
    turn.say(text, tuple(rows))


async def _mine(turn: Turn, pressed: ReminderButton) -> Reminder | None:
    """A reminder of this person's, or a kind refusal."""
    reminder = await repo.get(turn.session, pressed.reminder)
    if reminder is None or reminder.user_id != turn.user.id:
        await fallback.stale(turn)
        return None
    return reminder


async def _snooze_hour(turn: Turn, pressed: SnoozeHour) -> None:
    reminder = await _mine(turn, pressed)
    if reminder is not None:
        await snooze(turn, reminder, turn.now + timedelta(hours=1))


async def _snooze_tomorrow(turn: Turn, pressed: SnoozeTomorrow) -> None:
    reminder = await _mine(turn, pressed)
    if reminder is not None:
        base = reminder.due_at if reminder.state == "scheduled" else turn.now
        await snooze(turn, reminder, timing.tomorrow_same_time(max(base, turn.now),
                                                               turn.timezone))


async def snooze(turn: Turn, reminder: Reminder, due: datetime) -> None:
    """Later, outside quiet hours unless urgent; a sent reminder comes back as a new one."""
    if not reminder.urgent:
        due = timing.outside_quiet_hours(due, turn.timezone)
    if reminder.state == "scheduled":
        reminder.due_at = due
    else:
        reminder = await repo.add(turn.session, Reminder(
            user_id=reminder.user_id, kind=reminder.kind, appointment_id=reminder.appointment_id,
            ref=reminder.ref, lead=reminder.lead, due_at=due, useful_until=reminder.useful_until,
            urgent=reminder.urgent, created_at=turn.now))
    when = format_datetime(due.astimezone(turn.timezone), "EEEE HH:mm", locale=current_locale())
    turn.notice(_("💤 I will remind you again: {when}").format(when=when))
    await show_list(turn)


async def _cancel(turn: Turn, pressed: CancelReminder) -> None:
    reminder = await _mine(turn, pressed)
    if reminder is not None and reminder.state == "scheduled":
        reminder.state = "cancelled"
        turn.notice(_("🗑 Cancelled."))
    await show_list(turn)


async def _owned(turn: Turn, pressed: AppointmentButton) -> Appointment | None:
    """An appointment of this person's, or a kind refusal."""
    appointment = await repo.appointment(turn.session, pressed.appointment)
    if appointment is None or appointment.user_id != turn.user.id:
        await fallback.stale(turn)
        return None
    return appointment


async def _edit(turn: Turn, pressed: ChangeTime) -> None:
    """✏️ Change the time: the date and time questions again for this appointment."""
    appointment = await _owned(turn, pressed)
    if appointment is not None:
        await APPOINTMENT.go(turn, appointment, "date")


async def _calendar_file(turn: Turn, pressed: CalendarFile) -> None:
    """An .ics file the phone's calendar app can open."""
    appointment = await _owned(turn, pressed)
    if appointment is None:
        return
    if appointment.at is None:
        await fallback.stale(turn)
        return
    data = ics.calendar_file(appointment, what_label(appointment), turn.now)
    turn.say(_("Open this file to add the appointment to your phone's calendar."),
             document=Document(f"wegwijs-{appointment.id}.ics", data, "text/calendar"))


async def appointment_text(session: AsyncSession, reminder: Reminder, user: User,
                           zone: ZoneInfo) -> Reply | None:
    """"Tomorrow" or "in one hour", what, and when; None if the appointment is gone."""
    appointment = await repo.appointment(session, reminder.appointment_id or 0)
    if appointment is None or appointment.status != "active" or appointment.at is None:
        return None
    heading = (_("⏰ <b>In one hour</b>") if reminder.lead == "hour"
               else _("⏰ <b>Reminder of your appointment</b>"))
    text = heading + "\n" + format_html(_("{what}\n📅 {when}"), what=what_label(appointment),
                                         when=when_label(appointment.at, zone))
    keyboard = ((Button(_("💤 1 hour later"), SnoozeHour(reminder.id).encode()),),
                (Button(_("📋 My reminders"), ShowReminders().encode()),))
    return Reply(finish(text), tuple(tuple(Button(finish(b.label), b.data) for b in row)
                                     for row in keyboard))


def register(router: Router) -> None:
    """⏰ Reminders on the menu, /reminders, the appointment questions and their buttons."""
    router.reminder_text("appointment", appointment_text)
    router.every(1, partial(delivery.release, router=router))  # lateness stays under 2 s
    router.outbox_result(delivery.SOURCE, delivery.ended)
    router.menu_button(N_("⏰ Reminders"), ShowReminders())
    router.command("reminders", show_list, N_("Your appointments and reminders"))
    router.on(ShowReminders, _list)
    router.on(NewAppointment, _new)
    APPOINTMENT.register(router)
    router.on(ViewReminder, _view)
    router.on(SnoozeHour, _snooze_hour)
    router.on(SnoozeTomorrow, _snooze_tomorrow)
    router.on(CancelReminder, _cancel)
    router.on(ChangeTime, _edit)
    router.on(CalendarFile, _calendar_file)
