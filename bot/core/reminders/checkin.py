"""The monthly check-in: "How are things going?" to every newcomer, with three buttons.

A newcomer gets the first one a month after onboarding, at 10:00 local time; each one
sent schedules the next. "Not so good" offers a person (the handoff of bot.core.questions)
and the help numbers.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.menu import OpenMenu
from bot.core.payloads import Payload
from bot.core.ports import Button, Reply
from bot.core.questions import SendQuestion
from bot.core.reminders import timing
from bot.core.render import finish
from bot.core.router import Router, Turn
from bot.i18n import FALLBACK_LANGUAGE, _, backward
from bot.storage import questions, users
from bot.storage import reminders as repo
from bot.storage.models import Reminder, User

MORNING = time(10, 0)
EVERY_DAYS = 30
USEFUL = timedelta(days=2)


class Answer(Payload, prefix="ci"):
    """😊 Good (g), 😐 OK (o) or 😟 Not so good (b)."""

    mood: Literal["g", "o", "b"]


async def schedule_next(session: AsyncSession, user_id: int, after: datetime,
                        zone: ZoneInfo) -> None:
    """One check-in a month after `after`, unless one is already waiting."""
    if not await repo.has_scheduled(session, user_id, "checkin"):
        due = timing.at_local(after, EVERY_DAYS, MORNING, zone)
        await repo.add(session, Reminder(user_id=user_id, kind="checkin", due_at=due,
                                         useful_until=due + USEFUL, created_at=after))


async def after_onboarding(turn: Turn) -> None:
    """Newcomers get their first check-in a month from now."""
    if turn.user.declared_role == "newcomer":
        await schedule_next(turn.session, turn.user.id, turn.now, turn.timezone)


async def text(session: AsyncSession, reminder: Reminder, user: User,
               zone: ZoneInfo) -> Reply | None:
    """The question; the next check-in is scheduled in the same transaction."""
    await schedule_next(session, user.id, reminder.due_at, zone)
    keyboard = ((Button(_("😊 Good"), Answer("g").encode()),
                 Button(_("😐 OK"), Answer("o").encode())),
                (Button(_("😟 Not so good"), Answer("b").encode()),))
    shown = tuple(tuple(Button(finish(b.label), b.data) for b in row) for row in keyboard)
    # "good" or "not so good" typed back is read as the button (bot.core.conversation)
    users.remember_choices(user, [[b.label, b.data] for row in shown for b in row])
    return Reply(finish(_("👋 How are things going?")), shown)


async def on_answer(turn: Turn, answer: Answer) -> None:
    """Good and OK are heard; not so good offers a person."""
    menu = Button(backward(_("Menu")), OpenMenu().encode())
    if answer.mood == "g":
        turn.say(_("Good to hear! 😊"), ((menu,),))
    elif answer.mood == "o":
        turn.say(_("Thank you. If something is on your mind, type your question here."),
                 ((menu,),))
    else:
        draft = await questions.draft(turn.session, turn.user.id,
                                      _("Things are not going well (monthly check-in)."),
                                      turn.user.locale or FALLBACK_LANGUAGE)
        turn.say(_("I am sorry to hear that. A person can help: shall I ask someone to "
                   "contact you? In an emergency, see /help for the numbers."),
                 ((Button(_("🙋 Ask a person"), SendQuestion(draft.id).encode()),), (menu,)))


async def schedule_missing(session: AsyncSession, now: datetime, zone: ZoneInfo) -> None:
    """At startup: every onboarded newcomer has their next check-in (one query, one insert,
    however many newcomers there are)."""
    missing = await repo.newcomers_without(session, "checkin")
    due = timing.at_local(now, EVERY_DAYS, MORNING, zone)
    session.add_all(Reminder(user_id=user_id, kind="checkin", due_at=due,
                             useful_until=due + USEFUL, created_at=now) for user_id in missing)


def register(router: Router) -> None:
    """The check-in reminder, its buttons, and when it is first scheduled."""
    router.reminder_text("checkin", text)
    router.on(Answer, on_answer)
    router.after_onboarding(after_onboarding)
    router.on_startup(schedule_missing)
