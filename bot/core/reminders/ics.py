"""An appointment as an iCalendar (.ics) file, made with the `icalendar` library."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event

from bot.storage.models import Appointment

DURATION = timedelta(hours=1)  # people rarely know the length; an hour blocks the slot


def calendar_file(appointment: Appointment, title: str, now: datetime) -> bytes:
    """One event in UTC with the same alarms as the bot's reminders."""
    assert appointment.at is not None  # only saved appointments have a file
    event = Event()
    event.add("uid", f"appointment-{appointment.id}@wegwijs")
    event.add("dtstamp", now)
    event.add("dtstart", appointment.at)
    event.add("dtend", appointment.at + DURATION)
    event.add("summary", title)
    for lead, wanted in ((timedelta(days=1), appointment.day_before),
                         (timedelta(hours=1), appointment.hour_before)):
        if wanted:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", title)
            alarm.add("trigger", -lead)
            event.add_component(alarm)
    calendar = Calendar()
    calendar.add("prodid", "-//Wegwijs//Reminders//EN")
    calendar.add("version", "2.0")
    calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data
