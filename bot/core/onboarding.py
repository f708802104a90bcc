"""First questions after the language and consent: role, situation, municipality, arrival."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

from bot.core import fallback, municipalities, states
from bot.core.menu import go_home, show_menu
from bot.core.payloads import Payload
from bot.core.ports import Button, Keyboard
from bot.core.profile import ROLES, SITUATIONS, month_label, recent_months
from bot.core.render import format_html
from bot.core.router import Press, Router, Turn
from bot.i18n import N_, _, ngettext

MONTHS_PER_ROW = 2


class Role(Payload, prefix="ob", action="role"):
    """Who the person is (a key of profile.ROLES)."""

    value: str


class Situation(Payload, prefix="ob", action="sit"):
    """A key of profile.SITUATIONS."""

    value: str


class Children(Payload, prefix="ob", action="kids"):
    """Children under 18 at home."""

    value: Literal["yes", "no", "skip"]


class Municipality(Payload, prefix="ob", action="muni"):
    """A municipality code, `skip`, or `retry` (none of the suggestions)."""

    value: str


class Arrival(Payload, prefix="ob", action="arr"):
    """A month (yyyy-mm) of profile.recent_months, or `skip`."""

    value: str


async def start(turn: Turn) -> None:
    """/start: new users meet the language picker, everyone else the main menu.

    A deep link (t.me/<bot>?start=<prefix>_<value>) goes to the feature owning the prefix.
    """
    prefix = turn.event.text.partition("_")[0]
    handler = turn.router.deep_links.get(prefix) if turn.event.text else None
    await (handler or _resume)(turn)


async def _resume(turn: Turn) -> None:
    await go_home(turn)


async def ask_role(turn: Turn) -> None:
    """Who is this? Newcomers get questions; helpers are told how they get in."""
    if turn.user.pending_invite_id is not None:
        turn.user.state = states.INVITE  # an invite link already says who they are
        await turn.resume()
        return
    keyboard = tuple((Button(_(label), Role(key).encode()),) for key, label in ROLES.items())
    turn.say(_("Who are you?"), keyboard)


async def ask_situation(turn: Turn) -> None:
    """The situation decides which steps and rules apply."""
    keyboard = tuple((Button(_(label), Situation(key).encode()),)
                     for key, label in SITUATIONS.items())
    turn.say(_("Which fits you best?"), keyboard)


async def ask_children(turn: Turn) -> None:
    """Parents meet the steps about school and children's support."""
    turn.say(_("Do children under 18 live with you?"),
             ((Button(_("Yes"), Children("yes").encode()),
               Button(_("No"), Children("no").encode())),
              (Button(_("Skip"), Children("skip").encode()),)))


async def ask_municipality(turn: Turn) -> None:
    """Typed, because a list of 342 buttons helps nobody."""
    turn.say(
        # TRANSLATORS: keep the Dutch word "gemeente" and put the word in your language beside it.
        _("In which municipality (gemeente) do you live? Type its name, for example: Utrecht."),
        ((Button(_("Skip"), Municipality("skip").encode()),),),
    )


async def ask_arrival(turn: Turn) -> None:
    """Optional, but it lets later reminders and steps fit the person's timeline."""
    months = [Button(month_label(m), Arrival(m).encode())
              for m in recent_months(turn.now, turn.timezone)]
    rows = [tuple(months[i : i + MONTHS_PER_ROW]) for i in range(0, len(months), MONTHS_PER_ROW)]
    rows.append((Button(_("Earlier, or skip"), Arrival("skip").encode()),))
    turn.say(_("When did you arrive in your municipality?"), tuple(rows))


async def on_municipality_text(turn: Turn) -> None:
    """Match forgivingly: exact names and aliases pass, near misses become suggestions."""
    found = municipalities.match(turn.event.text[:100])
    if found.exact is not None:
        await _set_municipality(turn, found.exact.code)
    elif found.suggestions:
        count = len(found.suggestions)
        question = ngettext("Did you mean this municipality?",
                            "Did you mean one of these {count} municipalities?", count)
        turn.say(question.format(count=count), _suggestion_keyboard(found.suggestions))
    else:
        turn.say(
            format_html(_("I could not find “{typed}”. Check the spelling and try again."),
                        typed=turn.event.text[:100]),
            ((Button(_("Skip"), Municipality("skip").encode()),),),
        )


def _suggestion_keyboard(found: tuple[municipalities.Municipality, ...]) -> Keyboard:
    rows = [(Button(m.name, Municipality(m.code).encode()),) for m in found]
    rows.append((Button(_("None of these"), Municipality("retry").encode()),))
    return tuple(rows)


async def _set_municipality(turn: Turn, code: str) -> None:
    turn.user.municipality_code = code
    name = municipalities.all_municipalities()[code].name
    turn.say(format_html(_("Municipality: <b>{name}</b>"), name=name))
    await _advance(turn, states.ARRIVAL)


AnswerStep = Role | Situation | Children | Municipality | Arrival


def _at(state: str, handler: Callable[[Turn, str], Awaitable[None]]) -> Press[AnswerStep]:
    """Onboarding buttons count only on the step they belong to (no skipping by old buttons)."""

    async def press(turn: Turn, pressed: AnswerStep) -> None:
        await (handler(turn, pressed.value) if turn.user.state == state
               else fallback.stale(turn))

    return press


async def _on_role(turn: Turn, value: str) -> None:
    if value not in ROLES:
        await fallback.stale(turn)
        return
    turn.user.declared_role = value
    if value == "newcomer":
        await _advance(turn, states.SITUATION)
        return
    turn.say(_(
        "Welcome! Members of a sponsor group and coordinators join with an invite link "
        "from their coordinator. Until you have one, you can look around."
    ))
    await _finish(turn)


async def _on_situation(turn: Turn, value: str) -> None:
    if value not in SITUATIONS:
        await fallback.stale(turn)
        return
    turn.user.situation = value
    await _advance(turn, states.CHILDREN)


async def _on_children(turn: Turn, value: str) -> None:
    turn.user.has_children = {"yes": True, "no": False}.get(value)
    await _advance(turn, states.MUNICIPALITY)


async def _on_municipality(turn: Turn, value: str) -> None:
    if value == "skip":
        await _advance(turn, states.ARRIVAL)
    elif value == "retry":
        await ask_municipality(turn)
    elif value in municipalities.all_municipalities():
        await _set_municipality(turn, value)
    else:
        await fallback.stale(turn)


async def _on_arrival(turn: Turn, value: str) -> None:
    if value != "skip" and value not in recent_months(turn.now, turn.timezone):
        await fallback.stale(turn)
        return
    turn.user.arrival_month = None if value == "skip" else value
    await _finish(turn)


async def _advance(turn: Turn, state: str) -> None:
    turn.user.state = state
    await turn.resume()


async def _finish(turn: Turn) -> None:
    first_time = turn.user.onboarded_at is None
    turn.user.onboarded_at = turn.user.onboarded_at or turn.now
    for handler in turn.router.onboarded if first_time else ():
        await handler(turn)
    turn.user.state = states.MENU
    turn.say(_("Thank you! You are all set."))
    await show_menu(turn)


def register(router: Router) -> None:
    """/start and the profile questions; text typed where a button is expected is answered."""
    router.command("start", start, N_("Start again"))
    router.on(Role, _at(states.ROLE, _on_role))
    router.on(Situation, _at(states.SITUATION, _on_situation))
    router.on(Children, _at(states.CHILDREN, _on_children))
    router.on(Municipality, _at(states.MUNICIPALITY, _on_municipality))
    router.on(Arrival, _at(states.ARRIVAL, _on_arrival))
    router.prompt(states.ROLE, ask_role)
    router.prompt(states.SITUATION, ask_situation)
    router.prompt(states.CHILDREN, ask_children)
    router.prompt(states.MUNICIPALITY, ask_municipality)
    router.prompt(states.ARRIVAL, ask_arrival)
    router.text_input(states.MUNICIPALITY, on_municipality_text)
    for state in (states.LANGUAGE, states.PRIVACY, states.ROLE, states.SITUATION,
                  states.CHILDREN, states.ARRIVAL, states.INVITE):
        router.text_input(state, fallback.use_buttons)
