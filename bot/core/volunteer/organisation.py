"""The organisation's side of a match: a card in the reader's own language to the contact
person (if they use the bot), else to the coordinators of the opportunity's municipality
(else the admins), with who is interested (first name, languages, Dutch level, days;
nothing else) and Accept / Decline / 📞 Call me. One answer wins: the status moves by one
conditional update, and a second press hears who answered.

On accept both get the other's contact (the newcomer was told so before sending), the
organisation is asked for the first agreed date, the sponsor group hears it if the newcomer
allowed it, and a place that is now full closes. "Call me" never hands out the newcomer's
number: they get the organisation's phone, e-mail or Telegram and decide themselves when to
call. A newcomer's number given to people they have not met cannot be taken back, while the
organisation's contact was published for this purpose; and someone who reads little Dutch
can ask a helper to sit with them when they call.

Unanswered after five days, the card goes to the coordinators once more (once per match).
"""

from __future__ import annotations

from datetime import date
from functools import partial
from html import escape

from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import access, outbox, states
from bot.core.dialogs import Calendar, Dialog, Step, Tap
from bot.core.directory.schema import international_phone
from bot.core.groups import feed
from bot.core.menu import home_button
from bot.core.payloads import Payload
from bot.core.permissions import may_answer_match
from bot.core.ports import Button, Keyboard
from bot.core.render import format_html
from bot.core.router import JobRun, Turn
from bot.core.volunteer import cards, closing, offers, schedule
from bot.core.volunteer.buttons import Answer, MyMatches, NoDateYet, StartDay, StartPage
from bot.core.volunteer.suggest import Suggestion
from bot.i18n import N_, _, current_locale
from bot.storage import groups as group_repo
from bot.storage import users
from bot.storage import volunteer as repo
from bot.storage.models import User, VolunteerMatch, VolunteerProfile
from bot.storage.volunteer import Stored

ANSWER_WITHIN = 5  # days, said on the card; the escalation job waits as long


class Dating(Payload, prefix="volunteer", action="date"):
    """The state of someone who accepted and is asked for the first agreed date."""

    match: int


async def answerers(session: AsyncSession, stored: Stored, admins: frozenset[int]) -> list[User]:
    """The contact person if they started the bot, else the coordinators of the place."""
    contact_id = stored.opportunity.contact_telegram_id
    contact = await users.get_by_telegram_id(session, contact_id) if contact_id else None
    if contact is not None and contact.blocked_at is None:
        return [contact]
    return await coordinators(session, stored.opportunity.municipality, admins)


async def coordinators(session: AsyncSession, municipality: str | None,
                       admins: frozenset[int]) -> list[User]:
    """The coordinators of organisations with groups in the municipality, else the admins."""
    found: dict[int, User] = {}
    for organisation_id in await _organisations_in(session, municipality):
        for person in await group_repo.coordinators_of(session, organisation_id):
            found.setdefault(person.id, person)
    return list(found.values()) or await users.by_telegram_ids(session, admins)


async def _organisations_in(session: AsyncSession, municipality: str | None) -> list[int]:
    return await group_repo.organisations_in(session, municipality) if municipality else []


def card_text(stored: Stored, newcomer: User, profile: VolunteerProfile | None,
              overdue: bool = False) -> str:
    """Who is interested in what, in the reader's language."""
    lines = [_("⏰ No answer yet after {days} days.").format(days=ANSWER_WITHIN)] if overdue \
        else []
    lines += [_("<b>🤲 Someone would like to help: {title}</b>").format(
                  title=cards.title(stored)),
              cards.person(newcomer, profile),
              _("Please answer within {days} days.").format(days=ANSWER_WITHIN)]
    return "\n".join(lines)


def card_buttons(match: VolunteerMatch, stored: Stored, call: bool = True) -> Keyboard:
    """Accept and Decline; "Call me" when the newcomer can reach the organisation."""
    o = stored.opportunity
    rows: list[tuple[Button, ...]] = [(Button(_("✅ Accept"), Answer(match.id, "a").encode()),
                                       Button(_("❌ Decline"), Answer(match.id, "d").encode()))]
    if call and (o.contact_phone or o.contact_email or o.contact_telegram_id):
        rows.append((Button(_("📞 Call me first"), Answer(match.id, "c").encode()),))
    return tuple(rows)


async def offer(session: AsyncSession, match: VolunteerMatch, stored: Stored, newcomer: User,
                profile: VolunteerProfile | None, *, admins: frozenset[int]) -> None:
    """The card to whoever answers for the opportunity (each in their own language)."""
    if match.status != "interested":
        return
    for person in await answerers(session, stored, admins):
        await outbox.tell(session, person, partial(card_text, stored, newcomer, profile),
                          partial(card_buttons, match, stored))


async def escalate(run: JobRun) -> None:
    """Five days without an answer: the coordinators get the card (once per match)."""
    match = await repo.match(run.session, int(run.ref)) if run.ref.isdigit() else None
    stored = await repo.get(run.session, match.opportunity_id) if match else None
    newcomer = await run.session.get(User, match.user_id) if match else None
    if match is None or stored is None or newcomer is None or \
            not await repo.escalate(run.session, match.id, run.now):
        return
    profile = await repo.profile(run.session, newcomer.id)
    for person in await coordinators(run.session, stored.opportunity.municipality, run.admins):
        await outbox.tell(run.session, person,
                          partial(card_text, stored, newcomer, profile, True),
                          partial(card_buttons, match, stored))


async def answer(turn: Turn, pressed: Answer) -> None:
    """Accept, decline or call me: only someone who answers for the place, and only once."""
    match = await repo.match(turn.session, pressed.match)
    stored = await repo.get(turn.session, match.opportunity_id) if match else None
    newcomer = await turn.session.get(User, match.user_id) if match else None
    if match is None or stored is None or newcomer is None or not await may_answer(turn, stored):
        access.refuse(turn)
        return
    handle = {"a": _accept, "d": _decline, "c": _call_me}[pressed.answer]
    await handle(turn, match, stored, newcomer)


async def may_answer(turn: Turn, stored: Stored) -> bool:
    """The permission rule, with the organisations working where the place is."""
    here = await _organisations_in(turn.session, stored.opportunity.municipality)
    return may_answer_match(await access.actor(turn), turn.user.telegram_id,
                            stored.opportunity.contact_telegram_id, here)


async def _already(turn: Turn, match: VolunteerMatch) -> None:
    """A second press, or a second coordinator: who answered, and nothing changes."""
    fresh = await repo.match(turn.session, match.id)
    who = await turn.session.get(User, fresh.answered_by) if fresh and fresh.answered_by \
        else None
    text = format_html(_("This was already answered by {name}."), name=who.first_name or "—") \
        if who else _("This was already answered.")
    turn.say(text, ((home_button(),),))


def _answered(turn: Turn) -> dict[str, object]:
    return {"answered_at": turn.now, "answered_by": turn.user.id}


async def _accept(turn: Turn, match: VolunteerMatch, stored: Stored, newcomer: User) -> None:
    if not await repo.move(turn.session, match.id, repo.OPEN, "accepted", **_answered(turn)):
        await _already(turn, match)
        return
    await outbox.tell(turn.session, newcomer, partial(_accepted, stored),
                      lambda: ((Button(_("📋 My matches"), MyMatches().encode()),),))
    await _tell_group(turn.session, newcomer, stored)
    turn.say(format_html(_("✅ Thank you. {name} gets your contact details now."),
                         name=newcomer.first_name or "—") + "\n" + _newcomer_contact(newcomer))
    await DATES.go(turn, match, "date")
    await closing.close_if_full(turn.session, stored.opportunity.id, turn.now)


async def _decline(turn: Turn, match: VolunteerMatch, stored: Stored, newcomer: User) -> None:
    if not await repo.move(turn.session, match.id, repo.OPEN, "declined", **_answered(turn)):
        await _already(turn, match)
        return
    found = await offers.next_best(turn.session, newcomer)
    await outbox.tell(turn.session, newcomer, partial(_declined, stored, found),
                      partial(offers.offer_buttons, found))
    turn.say(format_html(_("Thank you for answering. I will tell {name} kindly."),
                         name=newcomer.first_name or "—"), ((home_button(),),))


async def _call_me(turn: Turn, match: VolunteerMatch, stored: Stored, newcomer: User) -> None:
    if not await repo.move(turn.session, match.id, ("interested",), "call_me",
                           **_answered(turn)):
        await _already(turn, match)
        return
    await outbox.tell(turn.session, newcomer, partial(_please_call, stored),
                      lambda: ((Button(_("📋 My matches"), MyMatches().encode()),),))
    turn.say(format_html(_("I asked {name} to contact you. When you have talked, answer here:"),
                         name=newcomer.first_name or "—"), card_buttons(match, stored, False))


def _contact_lines(stored: Stored) -> list[str]:
    """The organisation's contact person, phone, e-mail and Telegram, as far as known."""
    o = stored.opportunity
    lines = [format_html(_("👤 {name}"), name=o.contact_name)] if o.contact_name else []
    if o.contact_phone:
        lines.append(f"📞 {international_phone(o.contact_phone)}")
    if o.contact_email:
        lines.append(format_html("✉️ {email}", email=o.contact_email))
    if o.contact_telegram_id:
        lines.append(f'💬 <a href="tg://user?id={o.contact_telegram_id}">Telegram</a>')
    return lines


def _accepted(stored: Stored) -> str:
    head = format_html(_("🎉 <b>{organisation} said yes!</b>"),
                       organisation=stored.opportunity.organisation)
    return "\n".join([f"{head} “{cards.title(stored)}”", _("Your contact:"),
                      *_contact_lines(stored),
                      _("They got your first name and a link to write to you in Telegram. "
                        "When you agree on a first day, I will tell you here.")])


def _declined(stored: Stored, found: Suggestion | None) -> str:
    lead = format_html(_("{organisation} cannot take you this time."),
                       organisation=stored.opportunity.organisation) + " " + _(
        "“{title}”: this often happens, and it says nothing about you.").format(
        title=cards.title(stored))
    return f"{lead}\n\n{offers.offer_text(found)}"


def _please_call(stored: Stored) -> str:
    head = format_html(_("📞 {organisation} would like to talk with you first. Please contact "
                         "them:"), organisation=stored.opportunity.organisation)
    return "\n".join([f"{head} “{cards.title(stored)}”", *_contact_lines(stored)])


def _newcomer_contact(newcomer: User) -> str:
    """The newcomer's first name and a Telegram link (nothing else: no number)."""
    name = escape(newcomer.first_name or "—", quote=False)
    return f'💬 <a href="tg://user?id={newcomer.telegram_id}">{name}</a>'


async def _tell_group(session: AsyncSession, newcomer: User, stored: Stored) -> None:
    """The sponsor group hears the good news, only if the newcomer allowed it."""
    profile = await repo.profile(session, newcomer.id)
    if profile is None or not profile.tell_group:
        return
    for group_id, _share in await group_repo.newcomer_groups(session, newcomer.id):
        group = await group_repo.group(session, group_id)
        if group is not None:
            await feed.tell_group(session, group, partial(_group_news, newcomer, stored))


def _group_news(newcomer: User, stored: Stored) -> str:
    return format_html(_("🤲 {name} found volunteer work: {organisation}."),
                       name=newcomer.first_name or "—",
                       organisation=stored.opportunity.organisation) + f" “{cards.title(stored)}”"


class Dates:
    """The match whose first day is asked is named in the state of whoever accepted it."""

    async def load(self, turn: Turn, _key: int | None) -> VolunteerMatch | None:
        dating = Dating.read(turn.user.state)
        match = await repo.match(turn.session, dating.match) if dating else None
        return match if match is not None and match.answered_by == turn.user.id and \
            match.status == "accepted" else None

    def at(self, _turn: Turn, _match: VolunteerMatch) -> str | None:
        return "date"

    def move(self, turn: Turn, match: VolunteerMatch, _step: str) -> None:
        turn.user.state = Dating(match.id).encode()

    def key(self, _match: VolunteerMatch) -> int | None:
        return None

    def state(self, _step: str) -> str:
        return "volunteer:date"


async def _date_question(turn: Turn, match: VolunteerMatch) -> str:
    newcomer = await turn.session.get(User, match.user_id)
    return format_html(_("📅 Which first day did you agree with {name}? Pick it or type it."),
                       name=newcomer.first_name if newcomer and newcomer.first_name else "—")


async def _dated(turn: Turn, match: VolunteerMatch, day: date) -> str | None:
    """The first day: kept, told to the newcomer, and the follow-up a week after it."""
    match.start_date = day
    stored = await repo.get(turn.session, match.opportunity_id)
    newcomer = await turn.session.get(User, match.user_id)
    await schedule.follow_up(turn.session, match, turn.timezone)
    if stored is not None and newcomer is not None:
        await outbox.tell(turn.session, newcomer, partial(_first_day, stored, day))
    turn.user.state = states.MENU
    turn.say(_("📅 Saved: {day}. A week later I will ask you both how it went.").format(
        day=format_date(day, "long", locale=current_locale())), ((home_button(),),))
    return None


def _first_day(stored: Stored, day: date) -> str:
    return _("📅 Your first day at {organisation}: {day}.").format(
        organisation=escape(stored.opportunity.organisation, quote=False),
        day=format_date(day, "EEEE d MMMM y", locale=current_locale()))


async def _no_date(turn: Turn, match: VolunteerMatch) -> str | None:
    turn.user.state = states.MENU
    newcomer = await turn.session.get(User, match.user_id)
    turn.say(format_html(_("All right. Please agree on a first day with {name}."),
                         name=newcomer.first_name if newcomer and newcomer.first_name else "—"),
             ((home_button(),),))
    return None


DATES = Dialog(Dates(), Step("date", _date_question, Calendar(StartPage, StartDay, _dated),
                             Tap(N_("📅 Not agreed yet"), NoDateYet, _no_date)))
