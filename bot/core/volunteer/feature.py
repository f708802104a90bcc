"""🤲 Volunteer work: the newcomer's wishes and matches, the organisation's answers, and the
follow-ups; registered in the composition root after the help directory."""

from __future__ import annotations

from bot.core.router import Router, Turn
from bot.core.volunteer import followup, newcomer, organisation, schedule
from bot.core.volunteer.buttons import (
    Answer,
    EditWishes,
    Interested,
    MyMatches,
    SendInterest,
    ShowMatches,
    VolunteerHome,
    WorkedOut,
)
from bot.i18n import N_


async def for_newcomers(turn: Turn) -> bool:
    """On the main menu of newcomers (helpers and coordinators have their own screens)."""
    return turn.user.declared_role == "newcomer"


async def _home(turn: Turn, _pressed: VolunteerHome) -> None:
    await newcomer.home(turn)


async def _matches(turn: Turn, pressed: ShowMatches) -> None:
    await newcomer.show_matches(turn, pressed.page or 0)


async def _mine(turn: Turn, _pressed: MyMatches) -> None:
    await newcomer.my_matches(turn)


async def _edit(turn: Turn, _pressed: EditWishes) -> None:
    await newcomer.start_wishes(turn)


def register(router: Router) -> None:
    """The menu button and /volunteer, the screens, the dialogs and the two durable jobs."""
    router.menu_button(N_("🤲 Volunteer work"), VolunteerHome(), for_newcomers)
    router.command("volunteer", newcomer.home, N_("Volunteer work and language buddies"))
    router.on(VolunteerHome, _home)
    router.on(ShowMatches, _matches)
    router.on(MyMatches, _mine)
    router.on(EditWishes, _edit)
    router.on(Interested, newcomer.interested)
    router.on(SendInterest, newcomer.send)
    newcomer.WISHES.register(router)
    router.on(Answer, organisation.answer)
    organisation.DATES.register(router)
    router.on(WorkedOut, followup.worked_out)
    router.job(schedule.UNANSWERED, organisation.escalate)
    router.job(schedule.FOLLOW_UP, followup.ask)
