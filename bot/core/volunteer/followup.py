"""A week after the first agreed day, "Did it work out?" to both sides, each in their own
language (a durable job, claimed once across instances, its messages through the outbox):
yes makes the match active; not yet asks again a week later (at most twice); no ends it,
and the newcomer is offered the next best match."""

from __future__ import annotations

from functools import partial

from bot.core import access, outbox
from bot.core.menu import home_button
from bot.core.outbox import Lane
from bot.core.ports import Button, Keyboard
from bot.core.render import format_html
from bot.core.router import JobRun, Turn
from bot.core.volunteer import cards, offers, organisation, schedule
from bot.core.volunteer.buttons import Outcome, Side, WorkedOut
from bot.core.volunteer.suggest import Suggestion
from bot.i18n import _
from bot.storage import volunteer as repo
from bot.storage.models import User, VolunteerMatch
from bot.storage.volunteer import Stored

OUTCOMES = {"y": "yes", "w": "not_yet", "n": "no"}


async def ask(run: JobRun) -> None:
    """Both sides of a match that is still only accepted hear the question."""
    number, _sep, round_ = run.ref.partition(":")
    match = await repo.match(run.session, int(number)) if number.isdigit() else None
    stored = await repo.get(run.session, match.opportunity_id) if match else None
    newcomer = await run.session.get(User, match.user_id) if match else None
    if match is None or stored is None or newcomer is None or match.status != "accepted" or \
            not round_.isdigit():
        return
    await outbox.tell(run.session, newcomer, partial(_to_newcomer, stored),
                      partial(_buttons, match, int(round_), "n"), lane=Lane.REMINDER)
    for person in await _organisation_side(run, match, stored):
        await outbox.tell(run.session, person, partial(_to_organisation, stored, newcomer),
                          partial(_buttons, match, int(round_), "o"), lane=Lane.REMINDER)


async def _organisation_side(run: JobRun, match: VolunteerMatch, stored: Stored) -> list[User]:
    """Whoever accepted the match, else whoever answers for the place now."""
    accepted_by = await run.session.get(User, match.answered_by) if match.answered_by else None
    if accepted_by is not None:
        return [accepted_by]
    return await organisation.answerers(run.session, stored, run.admins)


def _to_newcomer(stored: Stored) -> str:
    return format_html(_("🤲 <b>Did it work out?</b> Your volunteer work at {organisation}:"),
                       organisation=stored.opportunity.organisation) + \
        f" “{cards.title(stored)}”"


def _to_organisation(stored: Stored, newcomer: User) -> str:
    return format_html(_("🤲 <b>Did it work out?</b> {name} at {organisation}:"),
                       name=newcomer.first_name or "—",
                       organisation=stored.opportunity.organisation) + \
        f" “{cards.title(stored)}”"


def _buttons(match: VolunteerMatch, round_: int, side: Side) -> Keyboard:
    def button(label: str, answer: Outcome) -> Button:
        return Button(label, WorkedOut(match.id, round_, side, answer).encode())

    return ((button(_("✅ Yes"), "y"), button(_("⏳ Not yet"), "w"), button(_("❌ No"), "n")),)


async def worked_out(turn: Turn, pressed: WorkedOut) -> None:
    """One side's answer; the newcomer's side is the newcomer, the other side someone who
    answers for the place."""
    match = await repo.match(turn.session, pressed.match)
    stored = await repo.get(turn.session, match.opportunity_id) if match else None
    newcomer = await turn.session.get(User, match.user_id) if match else None
    if match is None or stored is None or newcomer is None or pressed.round > schedule.ROUNDS \
            or not await _side_of(turn, pressed, match, stored):
        access.refuse(turn)
        return
    mine = pressed.side == "n"
    await repo.note_outcome(turn.session, match.id, mine, OUTCOMES[pressed.answer])
    if pressed.answer == "y":
        await repo.move(turn.session, match.id, ("accepted",), "active")
        turn.say(_("🎉 Good to hear. Thank you!"), ((home_button(),),))
    elif pressed.answer == "w":
        await schedule.follow_up(turn.session, match, turn.timezone, pressed.round + 1)
        turn.say(_("All right. I will ask again in a week.") if pressed.round < schedule.ROUNDS
                 else _("All right. Thank you!"), ((home_button(),),))
    else:
        await _ended(turn, match, stored, newcomer, mine)


async def _side_of(turn: Turn, pressed: WorkedOut, match: VolunteerMatch,
                   stored: Stored) -> bool:
    if pressed.side == "n":
        return match.user_id == turn.user.id
    return match.answered_by == turn.user.id or await organisation.may_answer(turn, stored)


async def _ended(turn: Turn, match: VolunteerMatch, stored: Stored, newcomer: User,
                 mine: bool) -> None:
    """No: the match ends; the newcomer is offered the next best one."""
    await repo.move(turn.session, match.id, ("accepted", "active"), "ended")
    found = await offers.next_best(turn.session, newcomer)
    if mine:
        turn.say(_("Thank you for telling me. I am sorry it did not work out.") + "\n\n" +
                 offers.offer_text(found), (*offers.offer_buttons(found), (home_button(),)))
        return
    await outbox.tell(turn.session, newcomer, partial(_ended_text, stored, found),
                      partial(offers.offer_buttons, found))
    turn.say(_("Thank you for telling me."), ((home_button(),),))


def _ended_text(stored: Stored, found: Suggestion | None) -> str:
    lead = format_html(_("{organisation} told me that it did not work out. I am sorry."),
                       organisation=stored.opportunity.organisation)
    return f"{lead}\n\n{offers.offer_text(found)}"
