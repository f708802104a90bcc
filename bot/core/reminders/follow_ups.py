"""Journey follow-ups: "⏳ Not yet" on a step with `follow_up` asks again N days later."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import update

from bot.core.reminders import timing
from bot.core.router import Turn
from bot.storage import reminders as repo
from bot.storage.models import Reminder

MORNING = time(10, 0)
USEFUL = timedelta(days=3)


async def schedule(turn: Turn, ref: str, days: int) -> None:
    """One follow-up per step: pressing "Not yet" again moves it, it does not add one."""
    await turn.session.execute(
        update(Reminder).where(Reminder.user_id == turn.user.id, Reminder.ref == ref,
                               Reminder.kind == "followup", Reminder.state == "scheduled")
        .values(state="cancelled"))
    due = timing.at_local(turn.now, days, MORNING, turn.timezone)
    await repo.add(turn.session, Reminder(user_id=turn.user.id, kind="followup", ref=ref,
                                          due_at=due, useful_until=due + USEFUL,
                                          created_at=turn.now))
