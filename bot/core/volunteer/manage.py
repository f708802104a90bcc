"""Coordinators and admins keep the volunteer opportunities of their area in the bot
(/volunteering): close or reopen one, change its number of places, confirm "still correct",
and read the month's numbers; on the first of each month each coordinator gets last
month's numbers for their area.

The area is the directory's (bot/core/directory/manage.py): the municipalities of the
coordinator's organisations' groups; an admin's is everywhere (also online opportunities
that name no municipality). Every press loads the opportunity and checks the area again,
so an old or forged button changes nothing. Closing, or lowering the places to what is
taken, tells the newcomers still waiting (bot/core/volunteer/closing.py); when someone is
waiting, the coordinator confirms first.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import access, outbox, states
from bot.core.csvimport import Check
from bot.core.dialogs import Pager
from bot.core.directory.cards import place_name
from bot.core.directory.manage import area, next_review
from bot.core.menu import OpenMenu, home_button
from bot.core.payloads import Count, Month, Payload
from bot.core.ports import Button
from bot.core.render import format_html
from bot.core.router import JobRun, Router, Turn
from bot.core.volunteer import cards, closing, report
from bot.core.volunteer.schema import MAX_PLACES, OpportunityRow
from bot.i18n import N_, _, backward, current_locale
from bot.storage import groups as group_repo
from bot.storage import jobs
from bot.storage import volunteer as repo
from bot.storage import volunteer_admin as admin_repo
from bot.storage.models import User
from bot.storage.volunteer import OPEN, Stored

KIND = "volunteer-report"  # the monthly numbers
STALE_AFTER = timedelta(days=365)
LISTED = Pager[Stored](8)
KIND_LABELS = {"place": N_("🤲 Volunteer place"), "buddy": N_("🗣 Language buddy")}


class Listing(Payload, prefix="vco", shape="l:{page}"):
    """🤲 The opportunities in my area, a page of them."""

    page: Count | None = None


class OpportunityButton(Payload):
    """A button about one opportunity; the area is checked at the press."""

    opportunity: str


class Open(OpportunityButton, prefix="vco", shape="o:{opportunity}"):
    """One opportunity with its buttons."""


class Checked(OpportunityButton, prefix="vco", shape="ok:{opportunity}"):
    """✅ Still correct: checked today."""


class Close(OpportunityButton, prefix="vco", shape="x:{opportunity}"):
    """⛔ Close (asks first when someone is waiting)."""


class CloseSure(OpportunityButton, prefix="vco", shape="xy:{opportunity}"):
    """⛔ Yes, close it and tell those waiting."""


class Reopen(OpportunityButton, prefix="vco", shape="r:{opportunity}"):
    """✅ Open again."""


class Places(OpportunityButton, prefix="vco", shape="p:{places}:{opportunity}"):
    """➖/➕ Set the number of places (the new number, so a second press changes nothing)."""

    places: Count


class PlacesSure(OpportunityButton, prefix="vco", shape="py:{places}:{opportunity}"):
    """Yes: fewer places, so it is full, closes and those waiting are told."""

    places: Count


class Numbers(Payload, prefix="vco", shape="n:{month}"):
    """📊 A month's numbers for my area (this month when left off)."""

    month: Month | None = None


# --- who may keep what ------------------------------------------------------------------

def may_keep(where: frozenset[str] | None, stored: Stored) -> bool:
    """Admins keep every opportunity; a coordinator those in a municipality of their area."""
    return where is None or stored.opportunity.municipality in where


def in_area(where: frozenset[str] | None, known: dict[str, Stored]) -> Check[OpportunityRow]:
    """An uploaded file's rule: each row, and the stored opportunity it replaces, in the
    area (online ones without a municipality: an admin)."""

    def check(row: OpportunityRow) -> list[tuple[str, str]]:
        found = [] if where is None or row.municipality in where else [
            ("municipality", "not in your area (online ones without a municipality: an admin)")]
        old = known.get(row.id)
        if old is not None and not may_keep(where, old):
            found.append(("id", f"{row.id!r} is an opportunity outside your area"))
        return found

    return check


async def _keeper(turn: Turn) -> frozenset[str] | Literal[False] | None:
    """The area (None: an admin's, everywhere), or False (refused, said) for someone who
    keeps no part of it."""
    where = await area(turn)
    if where is not None and not where:
        access.refuse(turn)
        return False
    return where


async def _opportunity(turn: Turn, opportunity_id: str) -> Stored | None:
    """The opportunity, if this person may keep it; otherwise refused (the same answer for
    "not yours" and "does not exist")."""
    stored = await repo.get(turn.session, opportunity_id)
    where = await area(turn)
    if stored is None or (where is not None and not where) or not may_keep(where, stored):
        access.refuse(turn)
        return None
    return stored


def _today(turn: Turn) -> date:
    return turn.now.astimezone(turn.timezone).date()


# --- the list ---------------------------------------------------------------------------

async def show_list(turn: Turn, page: int = 0) -> None:
    """/volunteering: the opportunities in my area (⛔ closed, ⚠️ not checked for a year)
    with their free places, and the month's numbers."""
    where = await _keeper(turn)
    if where is False:
        return
    found = await admin_repo.in_area(turn.session, where)
    taken = await repo.taken(turn.session, [s.opportunity.id for s in found])
    page, shown = LISTED.page(found, page)
    text = _("<b>🤲 Volunteering in your area</b>\nOpportunities: {count}. Each shows its free "
             "places of all places. ⛔ means closed, ⚠️ that nobody checked it for a "
             "year.").format(count=len(found))
    buttons: list[tuple[Button, ...]] = [
        (Button(_label(s, taken.get(s.opportunity.id, 0), _today(turn)),
                Open(s.opportunity.id).encode()),) for s in shown]
    buttons += LISTED.arrows(len(found), page, Listing)
    buttons.append((Button(_("📊 This month's numbers"), Numbers().encode()),))
    buttons.append((Button(backward(_("Menu")), OpenMenu().encode()),))
    turn.user.state = states.MENU
    turn.say(text, tuple(buttons))


def _label(stored: Stored, taken: int, today: date) -> str:
    """⛔⚠️ Title (free/places)."""
    o = stored.opportunity
    marks = ("⛔ " if o.closed else "") + ("⚠️ " if o.last_checked < today - STALE_AFTER else "")
    free = max(0, o.places - taken)
    return f"{marks}{cards.plain_title(stored)} ({free}/{o.places})"


async def _list(turn: Turn, pressed: Listing) -> None:
    await show_list(turn, pressed.page or 0)


async def _list_command(turn: Turn) -> None:
    await show_list(turn)


# --- one opportunity ----------------------------------------------------------------------

async def show(turn: Turn, stored: Stored) -> None:
    """One opportunity: where, places taken and free, who is waiting, when checked."""
    o = stored.opportunity
    taken = (await repo.taken(turn.session, [o.id])).get(o.id, 0)
    waiting = len(await repo.matches_for(turn.session, o.id, OPEN))
    where = format_html(_("📍 {place}"), place=place_name(o.municipality) or "") \
        if o.municipality else _("🌐 Online")
    if o.online and o.municipality:
        where += " · " + _("🌐 Online")
    lines = [format_html("<b>{title}</b>", title=cards.plain_title(stored)),
             format_html("{organisation} · {kind}", organisation=o.organisation,
                         kind=_(KIND_LABELS.get(o.kind, KIND_LABELS["place"]))),
             where,
             _("Places: {places} · taken: {taken} · free: {free}").format(
                 places=o.places, taken=taken, free=max(0, o.places - taken)),
             _("Waiting for the organisation's answer: {count}").format(count=waiting),
             _("⛔ Closed: not offered to newcomers.") if o.closed
             else _("✅ Open: offered to newcomers while places are free."),
             _("Last checked: {date}").format(
                 date=format_date(o.last_checked, "long", locale=current_locale()))]
    if o.last_checked < _today(turn) - STALE_AFTER:
        lines.append(_("⚠️ Nobody checked this for more than a year."))
    turn.user.state = states.MENU
    turn.say("\n".join(lines), _keyboard(stored))


def _keyboard(stored: Stored) -> tuple[tuple[Button, ...], ...]:
    o = stored.opportunity
    state = Button(_("✅ Open again"), Reopen(o.id).encode()) if o.closed \
        else Button(_("⛔ Close"), Close(o.id).encode())
    places = [Button(_("➖ 1 place"), Places(o.id, o.places - 1).encode())] if o.places else []
    if o.places < MAX_PLACES:
        places.append(Button(_("➕ 1 place"), Places(o.id, o.places + 1).encode()))
    return ((Button(_("✅ Still correct"), Checked(o.id).encode()), state),
            tuple(places),
            (Button(backward(_("All opportunities")), Listing().encode()), home_button()))


async def _open(turn: Turn, pressed: Open) -> None:
    stored = await _opportunity(turn, pressed.opportunity)
    if stored is not None:
        await show(turn, stored)


async def _checked(turn: Turn, pressed: Checked) -> None:
    """Confirmed as still correct today."""
    stored = await _opportunity(turn, pressed.opportunity)
    if stored is None:
        return
    await admin_repo.mark_checked(turn.session, stored.opportunity.id, _today(turn), turn.now,
                                  turn.user.id)
    turn.notice(_("Thank you: marked as checked today."))
    await _show_fresh(turn, stored.opportunity.id)


async def _close(turn: Turn, pressed: Close) -> None:
    """Close at once when nobody waits; otherwise ask, saying who will be told."""
    stored = await _opportunity(turn, pressed.opportunity)
    if stored is None:
        return
    waiting = len(await repo.matches_for(turn.session, stored.opportunity.id, OPEN))
    if waiting:
        _ask(turn, stored, waiting, _("Close it?"), CloseSure(stored.opportunity.id))
        return
    await _close_now(turn, stored)


async def _close_sure(turn: Turn, pressed: CloseSure) -> None:
    stored = await _opportunity(turn, pressed.opportunity)
    if stored is not None:
        await _close_now(turn, stored)


async def _close_now(turn: Turn, stored: Stored) -> None:
    """Closed, those waiting told, audited, the opportunity shown again."""
    told = await closing.close_by(turn.session, stored.opportunity.id, turn.now, turn.user.id)
    turn.notice(_("Closed. People told: {count}").format(count=told))
    await _show_fresh(turn, stored.opportunity.id)


def _ask(turn: Turn, stored: Stored, waiting: int, question: str, sure: Payload) -> None:
    """The confirmation before waiting newcomers are told that the place is gone."""
    text = format_html("<b>{title}</b>\n", title=cards.plain_title(stored)) + \
        question + "\n" + _("Waiting for an answer: {count}. They will be told kindly that "
                            "this place is no longer available.").format(count=waiting)
    turn.say(text, ((Button(_("⛔ Yes, close it"), sure.encode()),
                     Button(_("Cancel"), Open(stored.opportunity.id).encode())),))


async def _reopen(turn: Turn, pressed: Reopen) -> None:
    """Open again, if a place is free (otherwise say to add one first)."""
    stored = await _opportunity(turn, pressed.opportunity)
    if stored is None:
        return
    o = stored.opportunity
    if o.places <= (await repo.taken(turn.session, [o.id])).get(o.id, 0):
        turn.notice(_("No place is free: add a place first."))
    else:
        await repo.set_closed(turn.session, o.id, False)
    await _show_fresh(turn, o.id)


async def _places(turn: Turn, pressed: Places) -> None:
    """The new number of places; one that fills an open opportunity with people waiting is
    confirmed first."""
    stored = await _opportunity(turn, pressed.opportunity)
    if stored is None or not _possible(turn, pressed.places):
        return
    o = stored.opportunity
    taken = (await repo.taken(turn.session, [o.id])).get(o.id, 0)
    waiting = len(await repo.matches_for(turn.session, o.id, OPEN))
    if not o.closed and pressed.places <= taken and waiting:
        _ask(turn, stored, waiting, _("Places: {places}. Then it is full and closes.").format(
            places=pressed.places), PlacesSure(o.id, pressed.places))
        return
    await _set_places(turn, stored, pressed.places)


async def _places_sure(turn: Turn, pressed: PlacesSure) -> None:
    stored = await _opportunity(turn, pressed.opportunity)
    if stored is not None and _possible(turn, pressed.places):
        await _set_places(turn, stored, pressed.places)


def _possible(turn: Turn, places: int) -> bool:
    """A number a button may carry (a forged one above the limit is refused)."""
    if places > MAX_PLACES:
        access.refuse(turn)
        return False
    return True


async def _set_places(turn: Turn, stored: Stored, places: int) -> None:
    """Saved; full now, it closes and those waiting are told."""
    o = stored.opportunity
    await admin_repo.set_places(turn.session, o.id, places, turn.now, turn.user.id)
    if await closing.close_if_full(turn.session, o.id, turn.now):
        turn.notice(_("It is full now, so it is closed."))
    await _show_fresh(turn, o.id)


async def _show_fresh(turn: Turn, opportunity_id: str) -> None:
    stored = await repo.get(turn.session, opportunity_id)
    if stored is not None:
        await show(turn, stored)


# --- the numbers ------------------------------------------------------------------------

def numbers_text(lines: list[report.Line], month: date) -> str:
    """The month's numbers per municipality, in the reader's language."""
    heading = _("<b>📊 Volunteering: {month}</b>").format(
        month=format_date(month, "LLLL y", locale=current_locale()))
    if not lines:
        return heading + "\n" + _("Nothing to count yet in your area.")
    blocks = [heading]
    for line in lines:
        name = place_name(line.municipality) if line.municipality else _("🌐 Online")
        counts = _("Free places today: {free}\nInterested: {interested}\nMatched: {matched}\n"
                   "Matched 3 months earlier and still going: {active} of {before}").format(
            free=line.open_places, interested=line.interested, matched=line.matched,
            active=line.still_active, before=line.matched_before)
        blocks.append(format_html("<b>{name}</b>", name=name or "") + "\n" + counts)
    return "\n\n".join(blocks)


async def _numbers(turn: Turn, pressed: Numbers) -> None:
    """A month's numbers for my area, with the month before one press away."""
    where = await _keeper(turn)
    if where is False:
        return
    month = pressed.month or _today(turn).replace(day=1)
    lines = await report.report(turn.session, month, turn.timezone, where)
    earlier = report.months_back(month, 1)
    turn.say(numbers_text(lines, month), (
        (Button(backward(format_date(earlier, "LLLL y", locale=current_locale())),
                Numbers(earlier).encode()),),
        (Button(backward(_("All opportunities")), Listing().encode()), home_button())))


async def monthly(run: JobRun) -> None:
    """Each coordinator gets last month's numbers for their area (if it has any); next
    month's run is scheduled in the same transaction."""
    session, now = run.session, run.now
    month = report.months_back(now.astimezone(run.timezone).date().replace(day=1), 1)
    for person, codes in (await _coordinators(session)).values():
        lines = await report.report(session, month, run.timezone, codes)
        if lines:
            await outbox.tell(session, person, partial(numbers_text, lines, month),
                              _monthly_buttons)
    await jobs.ensure(session, KIND, "monthly", next_review(now, run.timezone))


async def _coordinators(session: AsyncSession) -> dict[int, tuple[User, set[str]]]:
    """Every coordinator with the municipalities of their organisations' groups."""
    areas: dict[int, tuple[User, set[str]]] = {}
    for organisation in await group_repo.all_organisations(session):
        codes = set(await group_repo.municipalities_of(session, organisation.id))
        for person in await group_repo.coordinators_of(session, organisation.id):
            areas.setdefault(person.id, (person, set()))[1].update(codes)
    return areas


def _monthly_buttons() -> tuple[tuple[Button, ...], ...]:
    return ((Button(_("🤲 Opportunities in your area"), Listing().encode()),),)


async def schedule(session: AsyncSession, now: datetime, zone: ZoneInfo) -> None:
    """At startup: the monthly numbers are in the jobs table (never twice)."""
    if await jobs.upcoming(session, KIND, "monthly") is None:
        await jobs.ensure(session, KIND, "monthly", next_review(now, zone))


def register(router: Router) -> None:
    """/volunteering for keepers, the opportunity buttons, the monthly numbers."""
    router.command("volunteering", _list_command)
    router.on(Listing, _list)
    router.on(Open, _open)
    router.on(Checked, _checked)
    router.on(Close, _close)
    router.on(CloseSure, _close_sure)
    router.on(Reopen, _reopen)
    router.on(Places, _places)
    router.on(PlacesSure, _places_sure)
    router.on(Numbers, _numbers)
    router.job(KIND, monthly)
    router.on_startup(schedule)
