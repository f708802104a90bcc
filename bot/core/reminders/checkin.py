"""The monthly check-in: "How are things going?" to every newcomer, with three buttons.

A newcomer gets the first one a month after onboarding, at 10:00 local time; each one
sent schedules the next. "Not so good" offers a person (the handoff of bot.core.questions)
and the help numbers.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import fallback
from bot.core.ports import Button, Reply
from bot.core.reminders import timing
from bot.core.render import finish
from bot.core.router import Router, Turn
from bot.i18n import FALLBACK_LANGUAGE, _
from bot.storage import questions, users
from bot.storage import reminders as repo
from bot.storage.models import Reminder, User

MORNING = time(10, 0)
EVERY_DAYS = 30
USEFUL = timedelta(days=2)


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
    keyboard = ((Button(_("😊 Good"), "ci:g"), Button(_("😐 OK"), "ci:o")),
                (Button(_("😟 Not so good"), "ci:b"),))
    shown = tuple(tuple(Button(finish(b.label), b.data) for b in row) for row in keyboard)
    # "good" or "not so good" typed back is read as the button (bot.core.conversation)
    users.remember_choices(user, [[b.label, b.data] for row in shown for b in row])
    return Reply(finish(_("👋 How are things going?")), shown)


async def on_answer(turn: Turn) -> None:
    """ci:g|o|b."""
    answer = turn.event.data.removeprefix("ci:")
    if answer == "g":
        turn.say(_("Good to hear! 😊"), ((Button(_("⬅️ Menu"), "menu:back"),),))
    elif answer == "o":
        turn.say(_("Thank you. If something is on your mind, type your question here."),
                 ((Button(_("⬅️ Menu"), "menu:back"),),))
    elif answer == "b":
        draft = await questions.draft(turn.session, turn.user.id,
                                      _("Things are not going well (monthly check-in)."),
                                      turn.user.locale or FALLBACK_LANGUAGE)
        turn.say(_("I am sorry to hear that. A person can help: shall I ask someone to "
                   "contact you? In an emergency, see /help for the numbers."),
                 ((Button(_("🙋 Ask a person"), f"q:ask:{draft.id}"),),
                  (Button(_("⬅️ Menu"), "menu:back"),)))
    else:
        await fallback.stale(turn)


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
    router.button("ci", on_answer)
    router.after_onboarding(after_onboarding)
    router.on_startup(schedule_missing)
