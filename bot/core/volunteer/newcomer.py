"""🤲 Volunteer work for a newcomer: a short profile (every question skippable, all of it
editable), the opportunities that fit best a few at a time with why they fit, "I'm
interested" after reading exactly what the organisation will see, and their matches."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.core import fallback, municipalities, states
from bot.core.dialogs import Dialog, MultiSelect, Pager, Select, Step, Tap, TextInput, ask
from bot.core.menu import home_button
from bot.core.ports import Button
from bot.core.render import format_html
from bot.core.router import Turn
from bot.core.volunteer import cards, labels, organisation, schedule
from bot.core.volunteer.buttons import (
    EditWishes,
    Interested,
    MyMatches,
    NextWish,
    PickAsylum,
    PickDay,
    PickInterest,
    PickLanguage,
    PickLevel,
    PickPlace,
    SendInterest,
    ShowMatches,
    SkipWish,
)
from bot.core.volunteer.suggest import Suggestion, suggestions, waiting_for_asylum
from bot.core.volunteer.terms import DAYS, INTERESTS, LEVELS
from bot.i18n import N_, _, backward, forward, language_name
from bot.storage import groups as group_repo
from bot.storage import volunteer as repo
from bot.storage.models import VolunteerProfile

PAGE = Pager[Suggestion](3)
STATE = "volunteer"  # states: volunteer:<step> while answering the profile questions
PERMIT_SITUATIONS = ("refugee", "family", "eu")  # these have a permit: no asylum question
STATUS_LABELS = {
    "interested": N_("⏳ Waiting for an answer"),
    "call_me": N_("📞 They asked you to call them"),
    "accepted": N_("✅ Accepted"),
    "active": N_("🌱 Going well"),
    "declined": N_("❌ Not this time"),
    "closed": N_("🔒 The places are filled"),
    "withdrawn": N_("↩️ Withdrawn"),
    "ended": N_("🏁 Ended"),
}


class Wishes:
    """The profile is the draft: kept in its own row, the step in the person's state."""

    async def load(self, turn: Turn, _key: int | None) -> VolunteerProfile | None:
        return await repo.profile_for_update(turn.session, turn.user.id)

    def at(self, turn: Turn, _draft: VolunteerProfile) -> str | None:
        """The step the state names ("" outside the questions: their buttons are old)."""
        head, _sep, step = turn.user.state.partition(":")
        return step if head == STATE else ""

    def move(self, turn: Turn, _draft: VolunteerProfile, step: str) -> None:
        turn.user.state = f"{STATE}:{step}"

    def key(self, _draft: VolunteerProfile) -> int | None:
        return None

    def state(self, step: str) -> str:
        return f"{STATE}:{step}"


async def _yes_no(_turn: Turn, _draft: VolunteerProfile,
                  _view: object) -> list[tuple[str, str]]:
    return [(_("Yes"), "yes"), (_("No"), "no")]


async def _interests(_turn: Turn, _draft: VolunteerProfile,
                     _view: object) -> list[tuple[str, str]]:
    return [(labels.interest(code), code) for code in INTERESTS]


async def _days(_turn: Turn, _draft: VolunteerProfile, _view: object) -> list[tuple[str, str]]:
    return [(labels.day(code), code) for code in DAYS]


async def _languages(_turn: Turn, _draft: VolunteerProfile,
                     _view: object) -> list[tuple[str, str]]:
    return [(language_name(code), code) for code in labels.SPOKEN]


async def _own_place(turn: Turn, _draft: VolunteerProfile,
                     _view: object) -> list[tuple[str, str]]:
    name = labels.place(turn.user.municipality_code)
    return [(f"📍 {name}", turn.user.municipality_code or "")] if name else []


async def _levels(_turn: Turn, _draft: VolunteerProfile, _view: object) -> list[tuple[str, str]]:
    return [(labels.level(code), code) for code in LEVELS]


def _switch(field: str) -> Callable[[Turn, VolunteerProfile, str], Awaitable[None]]:
    """Switch one value of a list on the profile on or off."""

    async def toggle(_turn: Turn, profile: VolunteerProfile, value: str) -> None:
        values: list[str] = getattr(profile, field)
        setattr(profile, field, [v for v in values if v != value] if value in values
                else [*values, value])

    return toggle


async def _asylum(_turn: Turn, profile: VolunteerProfile, value: str) -> str:
    profile.asylum_seeker = value == "yes"
    return "interests"


async def _place(_turn: Turn, profile: VolunteerProfile, value: str) -> str:
    profile.municipality = value or None
    return "level"


def _read_place(text: str) -> str | None:
    """A typed municipality: a certain match, or the only suggestion."""
    found = municipalities.match(text)
    if found.exact is not None:
        return found.exact.code
    return found.suggestions[0].code if len(found.suggestions) == 1 else None


async def _level(turn: Turn, profile: VolunteerProfile, value: str) -> str | None:
    profile.dutch_level = value
    await _done(turn)
    return None


ORDER = ("asylum", "interests", "days", "languages", "place", "level")
SKIPPED = {"asylum": "asylum_seeker", "place": "municipality", "level": "dutch_level"}


async def _onwards(turn: Turn, _profile: VolunteerProfile) -> str | None:
    """The question after this one; after the last, the matches."""
    step = turn.user.state.partition(":")[2]
    if step in ORDER[:-1]:
        return ORDER[ORDER.index(step) + 1]
    await _done(turn)
    return None


async def _skip(turn: Turn, profile: VolunteerProfile) -> str | None:
    """No answer to this question (an earlier one is taken back)."""
    field = SKIPPED.get(turn.user.state.partition(":")[2])
    if field is not None:
        setattr(profile, field, None)
    return await _onwards(turn, profile)


async def _done(turn: Turn) -> None:
    """The last question answered: the matches."""
    turn.user.state = states.MENU
    await show_matches(turn, 0)


NEXT = Tap(lambda _turn, _draft: forward(_("Next")), NextWish, _onwards)
SKIP = Tap(N_("Skip"), SkipWish, _skip)
WISHES = Dialog(
    Wishes(),
    Step("asylum", ask(N_("Are you still waiting for a decision on your asylum request (you "
                          "have a W-document)? I ask because then only some places may take "
                          "you.")),
         Select(PickAsylum, _yes_no, _asylum, columns=2), SKIP),
    Step("interests", ask(N_("What would you like to do? Choose as many as you like.")),
         MultiSelect(PickInterest, _interests, lambda p: p.interests, _switch("interests")),
         NEXT),
    Step("days", ask(N_("On which days could you help?")),
         MultiSelect(PickDay, _days, lambda p: p.days, _switch("days"), columns=3),
         NEXT),
    Step("languages", ask(N_("Which languages do you speak?")),
         MultiSelect(PickLanguage, _languages, lambda p: p.languages, _switch("languages")),
         NEXT),
    Step("place", ask(N_("Where would you like to help? Type the name of the municipality, or "
                         "choose.")),
         Select(PickPlace, _own_place, _place),
         TextInput(_read_place, lambda: _("I do not know that municipality. Please type its "
                                          "name, for example Utrecht."), _place,
                   hint_buttons=True),
         SKIP),
    Step("level", ask(N_("How much Dutch do you speak?")),
         Select(PickLevel, _levels, _level), SKIP),
)


async def home(turn: Turn) -> None:
    """🤲 Volunteer work: the first time the questions, later the wishes and what to do."""
    profile = await repo.profile(turn.session, turn.user.id)
    if profile is None:
        turn.say(_("<b>🤲 Volunteer work</b>\nVolunteer places and language buddies near "
                   "you. First a few short questions. You can skip any of them."))
        await start_wishes(turn)
        return
    place = labels.place(profile.municipality or turn.user.municipality_code)
    text = format_html(_("<b>🤲 Volunteer work</b>\nYour wishes:\n{interests}\n📅 {days}\n"
                         "🗣 {languages}\n📍 {place}\n🇳🇱 Dutch: {level}"),
                       interests=labels.listed(labels.interest(i) for i in profile.interests),
                       days=labels.days(profile.days),
                       languages=labels.languages(profile.languages),
                       place=place or _("not given"), level=labels.level(profile.dutch_level))
    turn.say(text, ((Button(_("🔎 Show matches"), ShowMatches().encode()),),
                    (Button(_("✏️ Change my wishes"), EditWishes().encode()),),
                    (Button(_("📋 My matches"), MyMatches().encode()),),
                    (home_button(),)))


async def start_wishes(turn: Turn) -> None:
    """The profile questions from the first (languages start as the person's own)."""
    profile = await repo.profile_for_update(turn.session, turn.user.id)
    if not profile.languages and turn.user.locale:
        profile.languages = [turn.user.locale]
    first = "interests" if turn.user.situation in PERMIT_SITUATIONS else "asylum"
    await WISHES.go(turn, profile, first)


async def show_matches(turn: Turn, page: int) -> None:
    """The best opportunities, a page at a time, each with why it fits."""
    profile = await repo.profile(turn.session, turn.user.id)
    found = await suggestions(turn.session, turn.user, profile)
    page, shown = PAGE.page(found, page)
    parts = [_("<b>🔎 Volunteer work for you</b>")]
    if waiting_for_asylum(profile):
        parts.append(labels.asylum_note())
    if not found:
        parts.append(_("I know no open place that fits yet. New places are added; look again "
                       "later. Your vrijwilligerscentrale (volunteer centre) or gemeente can "
                       "also help."))
    first = page * PAGE.size + 1
    parts += [cards.card(item, first + i) for i, item in enumerate(shown)]
    rows: list[tuple[Button, ...]] = [
        (Button(_("🙋 {number}. I'm interested").format(number=first + i),
                Interested(item.stored.opportunity.id).encode()),)
        for i, item in enumerate(shown)]
    rows += PAGE.arrows(len(found), page, ShowMatches)
    rows += [(Button(_("✏️ Change my wishes"), EditWishes().encode()),), (home_button(),)]
    turn.say("\n\n".join(parts), tuple(rows))


async def interested(turn: Turn, pressed: Interested) -> None:
    """What the organisation will see, and the consent to send it."""
    stored = await _open(turn, pressed.opportunity)
    if stored is None:
        return
    profile = await repo.profile(turn.session, turn.user.id)
    text = "\n".join([
        format_html(_("<b>🙋 {title}</b>\nIf you send this, {organisation} sees only:"),
                    title=cards.title(stored), organisation=stored.opportunity.organisation),
        cards.person(turn.user, profile),
        _("If they say yes, you get their contact details. They get your first name and a "
          "link to write to you in Telegram."),
    ])
    rows = [(Button(_("✅ Send"), SendInterest(pressed.opportunity, "0").encode()),)]
    if await group_repo.newcomer_groups(turn.session, turn.user.id):
        text += "\n" + _("Should your sponsor group hear it when a place says yes? Only if "
                         "you want.")
        rows.append((Button(_("✅ Send, and tell my group"),
                            SendInterest(pressed.opportunity, "1").encode()),))
    rows.append((Button(backward(_("Back")), ShowMatches().encode()),))
    turn.say(text, tuple(rows))


async def send(turn: Turn, pressed: SendInterest) -> None:
    """The tentative match (one, however often pressed), and the card to the organisation."""
    stored = await _open(turn, pressed.opportunity)
    if stored is None:
        return
    profile = await repo.profile_for_update(turn.session, turn.user.id)
    if await group_repo.newcomer_groups(turn.session, turn.user.id):
        profile.tell_group = pressed.tell == "1"
    match = await repo.interested(turn.session, stored.opportunity.id, turn.user.id, turn.now)
    await organisation.offer(turn.session, match, stored, turn.user, profile,
                             admins=turn.admins)
    await schedule.escalation(turn.session, match)
    turn.say(format_html(_("✅ Sent to {organisation}. I will tell you their answer here."),
                         organisation=stored.opportunity.organisation),
             ((Button(_("🔎 Show matches"), ShowMatches().encode()),),
              (Button(_("📋 My matches"), MyMatches().encode()),), (home_button(),)))


async def _open(turn: Turn, opportunity_id: str) -> repo.Stored | None:
    """The opportunity if this person can still say they are interested; else they hear why."""
    stored = await repo.get(turn.session, opportunity_id)
    mine = {m.opportunity_id for m in await repo.matches_of(turn.session, turn.user.id)}
    if stored is not None and stored.opportunity.id in mine:
        turn.notice(_("You already sent this."))
        await my_matches(turn)
        return None
    free = stored is not None and not stored.opportunity.closed and stored.opportunity.places > \
        (await repo.taken(turn.session, [opportunity_id])).get(opportunity_id, 0)
    if stored is None or not free:
        turn.notice(_("This place is no longer open."))
        await show_matches(turn, 0)
        return None
    if waiting_for_asylum(await repo.profile(turn.session, turn.user.id)) and \
            not stored.opportunity.open_to_asylum_seekers:
        await fallback.stale(turn)
        return None
    return stored


async def my_matches(turn: Turn) -> None:
    """📋 Each match and how it stands, newest first."""
    found = await repo.matches_of(turn.session, turn.user.id)
    stored = {m.opportunity_id: await repo.get(turn.session, m.opportunity_id) for m in found}
    lines = [_("<b>📋 My matches</b>")]
    lines += [f"{_(STATUS_LABELS.get(m.status, m.status))}: {cards.title(s)}"
              for m in found if (s := stored[m.opportunity_id]) is not None]
    if not found:
        lines.append(_("You have not sent any yet."))
    turn.say("\n".join(lines), ((Button(_("🔎 Show matches"), ShowMatches().encode()),),
                                (home_button(),)))
