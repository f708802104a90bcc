"""Journey follow-ups: "⏳ Not yet" on a step with `follow_up` asks again N days later."""

from __future__ import annotations

from datetime import time, timedelta

from bot.core.reminders import timing
from bot.core.router import Turn
from bot.storage import reminders as repo
from bot.storage.models import Reminder

MORNING = time(10, 0)
USEFUL = timedelta(days=3)
KIND = "followup"


async def schedule(turn: Turn, ref: str, days: int) -> None:
    """One follow-up per step: pressing "Not yet" again moves it, it does not add one."""
    await cancel(turn, ref)
    due = timing.at_local(turn.now, days, MORNING, turn.timezone)
    await repo.add(turn.session, Reminder(user_id=turn.user.id, kind=KIND, ref=ref,
                                          due_at=due, useful_until=due + USEFUL,
                                          created_at=turn.now))


async def cancel(turn: Turn, ref: str) -> None:
    """The step was ticked: its waiting follow-up goes, so /reminders lists only what comes."""
    await repo.cancel_scheduled(turn.session, turn.user.id, KIND, ref)
