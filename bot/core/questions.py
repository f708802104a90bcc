"""Ask a person: a question the bot could not answer goes to people who can.

Routing: the newcomer's sponsor group if they agreed to share questions with it; else the
coordinators of their group's organisation or of their municipality; else the admins.
Helpers see first name, language and the question (nothing else), and answer with the
✍️ button, with `/answer <number> <text>`, or by replying to the question in Telegram.
One question is answered once: taking it is one conditional UPDATE. While a question is
with a person, what the newcomer types next is added to it instead of auto-answered.
Unanswered after 24 hours, the helpers are reminded (a durable job).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import access, fallback, outbox, states
from bot.core.directory import woven
from bot.core.groups import feed
from bot.core.menu import OpenMenu
from bot.core.outbox import Lane
from bot.core.payloads import Payload
from bot.core.permissions import Actor
from bot.core.ports import Button, Kind
from bot.core.render import format_html, shown_length
from bot.core.router import JobRun, Press, Router, Turn
from bot.i18n import FALLBACK_LANGUAGE, _, backward, language_name
from bot.storage import groups as group_repo
from bot.storage import jobs, users
from bot.storage import questions as repo
from bot.storage.models import Group, Question, User

ANSWER_LIMIT = 2000
# A helper's card: the question and the newest additions, clipped to fit one message.
CARD_QUESTION, CARD_ADDITIONS, CARD_ADDITION = 1500, 3, 600
REMIND_AFTER = timedelta(hours=24)
ANSWERING = "question:answer"  # followed by ":<question id>"
Taken = Literal["ok", "refused", "taken"]  # taken: someone else has it
Answered = Literal["ok", "length", "refused", "taken"]  # taken: answered or held by another


class QuestionButton(Payload):
    """A button about one question; who may press it is checked at the press."""

    question: int


class SendQuestion(QuestionButton, prefix="q", action="ask"):
    """🙋 Ask a person: the asker sends their draft."""


class TakeQuestion(QuestionButton, prefix="q", action="ans"):
    """✍️ Answer: a helper takes the question."""


class Solved(QuestionButton, prefix="q", action="ok"):
    """✅ Thanks, solved."""


class MoreHelp(QuestionButton, prefix="q", action="more"):
    """🙋 I still need help."""


class Answering(Payload, prefix="question", action="answer"):
    """The state of a helper typing the answer to a question."""

    question: int


@dataclass(frozen=True)
class Route:
    """Who gets a question: the route's name, its group or organisation, the people."""

    name: str
    group: Group | None
    organisation_id: int | None
    people: list[User]


async def keep(turn: Turn, text: str, *, urgent: bool = False, theme: str | None = None) -> None:
    """Keep a question the bot could not answer for sure, in case a person is wanted
    (urgent: said in danger; its notices then go before any other queued message; theme:
    the directory theme it seems to be about)."""
    await repo.draft(turn.session, turn.user.id, text, turn.user.locale or FALLBACK_LANGUAGE,
                     urgent=urgent, theme=theme)


async def urgent(turn: Turn) -> None:
    """The kept question was said in danger after all (its notices then go first)."""
    await repo.mark_urgent(turn.session, turn.user.id)


async def kept_theme(turn: Turn) -> str | None:
    """The directory theme of the person's kept question, if it seemed to have one."""
    question = await repo.latest_draft(turn.session, turn.user.id)
    return question.theme if question else None


async def offer(turn: Turn) -> Button | None:
    """The button that hands the person's last unanswered question to a human."""
    question = await repo.latest_draft(turn.session, turn.user.id)
    return Button(_("🙋 Ask a person"), SendQuestion(question.id).encode()) if question else None


async def route_for(session: AsyncSession, user: User, admin_ids: frozenset[int]) -> Route:
    """The sponsor group (with consent), then coordinators, then admins."""
    shared = await group_repo.newcomer_groups(session, user.id)
    for group_id, share in shared:
        group = await group_repo.group(session, group_id)
        if group is not None and share:
            return Route("group", group, group.organisation_id, [])
    for organisation_id in await _organisations_near(session, user, [g for g, _s in shared]):
        people = await group_repo.coordinators_of(session, organisation_id)
        if people:
            return Route("coordinators", None, organisation_id, people)
    return Route("admins", None, None, await users.by_telegram_ids(session, admin_ids))


async def _organisations_near(session: AsyncSession, user: User,
                              group_ids: list[int]) -> list[int]:
    """The organisation of the newcomer's group first, then those active in their town."""
    found = [g.organisation_id for g in [await group_repo.group(session, i) for i in group_ids]
             if g is not None]
    if user.municipality_code:
        found += [o for o in await group_repo.organisations_in(session, user.municipality_code)
                  if o not in found]
    return found


async def ask(turn: Turn, question: Question) -> None:
    """Send the question to its route and tell the newcomer who will answer."""
    route = await route_for(turn.session, turn.user, turn.admins)
    if route.group is None and not route.people:
        turn.say(_("Sorry, nobody can take questions right now. Your gemeente or your "
                   "begeleider can help you."))
        return
    question.status, question.route = "open", route.name
    question.group_id = route.group.id if route.group else None
    question.organisation_id = route.organisation_id
    question.created_at = turn.now
    await _notify(turn.session, question, turn.user, route)
    await jobs.ensure(turn.session, "question", str(question.id), turn.now + REMIND_AFTER)
    whom = _("your sponsor group") if route.name == "group" else _("a coordinator")
    turn.say(_("I passed your question to {whom}. A person will answer you here, usually "
               "within a day.").format(whom=whom),
             ((woven.help_button(question.theme),),
              (Button(backward(_("Menu")), OpenMenu().encode()),)))


async def _notify(session: AsyncSession, question: Question, asker: User, route: Route,
                  heading: Callable[[], str] | None = None) -> None:
    """The question card, to the group (chat or members) or to each person of the route."""

    def render() -> str:
        return _card_text(question, asker, heading)

    def buttons() -> tuple[tuple[Button, ...], ...]:
        return ((Button(_("✍️ Answer"), TakeQuestion(question.id).encode()),),)

    ref = f"q:{question.id}"
    lane = Lane.URGENT if question.urgent else Lane.NOTICE
    if route.group is not None:
        await feed.tell_group(session, route.group, render, buttons, ref=ref, lane=lane)
    for person in route.people:
        await outbox.tell(session, person, render, buttons, ref=ref, lane=lane)


def _card_text(question: Question, asker: User, heading: Callable[[], str] | None) -> str:
    """What helpers see: first name, language, the question as typed, later additions."""
    language = language_name(question.language)
    title = heading() if heading else _("❓ Question #{number}").format(number=question.id)
    text = f"<b>{title}</b>\n" + format_html(_("From {name} ({language}):\n<i>{question}</i>"),
                                              name=asker.first_name or "?", language=language,
                                              question=_clip(question.text, CARD_QUESTION))
    for extra in question.followups[-CARD_ADDITIONS:]:
        text += "\n" + format_html(_("➕ <i>{text}</i>"), text=_clip(extra, CARD_ADDITION))
    return text + "\n" + _("Reply to this message, or press ✍️ Answer.")


def _clip(text: str, limit: int) -> str:
    """Long texts are cut so the card stays within Telegram's 4096 characters, counted as
    Telegram counts them (render.shown_length): `limit` is in those units too."""
    if shown_length(text) <= limit:
        return text
    keep, over = 0, len(text)  # the longest prefix that fits with the "…" lies in between
    while keep + 1 < over:
        middle = (keep + over) // 2
        keep, over = (middle, over) if shown_length(text[:middle]) < limit else (keep, middle)
    return text[:keep] + "…"


async def may_answer(session: AsyncSession, question: Question, user: User,
                     admin_ids: frozenset[int]) -> bool:
    """Only the people the question was routed to (and admins) can see and answer it."""
    if user.telegram_id in admin_ids:
        return True
    if question.route == "group" and question.group_id is not None:
        role = (await group_repo.memberships(session, user.id)).get(question.group_id)
        if role == "member":
            return True
    coordinates = question.organisation_id in await group_repo.coordinator_orgs(session, user.id)
    return coordinates and question.route in ("group", "coordinators")


async def _ask(turn: Turn, question: Question) -> None:
    if question.user_id != turn.user.id or question.status != "draft":
        turn.notice(_("This question was already sent."))
        return
    await ask(turn, question)


async def claim(session: AsyncSession, question: Question, helper: User,
                admin_ids: frozenset[int]) -> Taken:
    """Take a question to answer it (the bot's ✍️ Answer and the dashboard's Claim): only
    its people may, and of two at once exactly one gets it."""
    if not await may_answer(session, question, helper, admin_ids):
        return "refused"
    if question.helper_id == helper.id or await repo.take(session, question.id, helper.id):
        return "ok"
    return "taken"


async def _take(turn: Turn, question: Question) -> None:
    """✍️ Answer: take the question (or hear who has it), then type the answer in private."""
    taken = await claim(turn.session, question, turn.user, turn.admins)
    if taken == "refused":
        access.refuse(turn)
        return
    if taken == "taken":
        await _already(turn, question)
        return
    turn.user.state = Answering(question.id).encode()
    if turn.event.private:
        await turn.resume()
        return
    await outbox.tell(turn.session, turn.user, lambda: _answer_prompt(question))
    turn.notice(_("I sent you a private message: type your answer there."))


async def _already(turn: Turn, question: Question) -> None:
    """Someone else has it: say who, so nobody answers twice."""
    fresh = await repo.get(turn.session, question.id) or question
    helper = await turn.session.get(User, fresh.helper_id) if fresh.helper_id else None
    name = helper.first_name if helper and helper.first_name else "?"
    text = (format_html(_("{name} already answered this question."), name=name)
            if fresh.status in ("answered", "closed") else
            format_html(_("{name} is already answering this question."), name=name))
    if turn.pressed:
        turn.notice(text)
    else:
        turn.say(text)


def _answer_prompt(question: Question) -> str:
    return format_html(_("Type your answer to question #{number}:\n<i>{question}</i>"),
                       number=question.id, question=_clip(question.text, CARD_QUESTION))


async def ask_answer(turn: Turn) -> None:
    """The prompt while a helper writes an answer."""
    question = await repo.get(turn.session, _answering(turn.user.state))
    if question is None:
        turn.user.state = states.MENU
        await turn.resume()
        return
    turn.say(_answer_prompt(question), ((Button(_("Cancel"), OpenMenu().encode()),),))


async def on_answer_text(turn: Turn) -> None:
    """The typed answer of the helper who took the question."""
    question = await repo.get(turn.session, _answering(turn.user.state))
    turn.user.state = states.MENU
    if question is None:
        await turn.resume()
        return
    await give_answer(turn, question, turn.event.text.strip())


async def answer(session: AsyncSession, question: Question, helper: User, text: str, *,
                 now: datetime, admin_ids: frozenset[int]) -> Answered:
    """Check, store once, and queue the answer for the newcomer marked as from a person
    (the bot's answers and the dashboard's go this one way, through the outbox)."""
    if not 1 <= shown_length(text) <= ANSWER_LIMIT:
        return "length"
    if not await may_answer(session, question, helper, admin_ids):
        return "refused"
    if not await repo.answer(session, question.id, helper.id, text, now):
        return "taken"
    asker = await session.get(User, question.user_id)
    if asker is not None:
        name = helper.first_name or "?"
        await outbox.tell(session, asker, lambda: format_html(
            _("💬 <b>Answer from a person</b> ({name}):\n{answer}"), name=name, answer=text),
            lambda: ((Button(_("✅ Thanks, solved"), Solved(question.id).encode()),),
                     (Button(_("🙋 I still need help"), MoreHelp(question.id).encode()),)))
    return "ok"


async def give_answer(turn: Turn, question: Question, text: str) -> None:
    """A helper's answer in the chat: sent, or why not."""
    answered = await answer(turn.session, question, turn.user, text, now=turn.now,
                            admin_ids=turn.admins)
    if answered == "length":
        turn.say(_("Please write an answer of at most {limit} characters.").format(
            limit=ANSWER_LIMIT))
    elif answered == "refused":
        access.refuse(turn)
    elif answered == "taken":
        await _already(turn, question)
    else:
        turn.say(_("Thank you! Your answer was sent."))


async def _solved(turn: Turn, question: Question) -> None:
    if question.user_id != turn.user.id or question.status != "answered":
        turn.notice(_("This question is already closed."))
        return
    question.status, question.closed_at = "closed", turn.now
    turn.say(_("Good to hear! 😊"))
    await turn.resume()


async def _more_help(turn: Turn, question: Question) -> None:
    """Open again, to the same people, and let the newcomer add what is still unclear."""
    if question.user_id != turn.user.id or question.status != "answered":
        turn.notice(_("This question is already closed."))
        return
    question.status, question.helper_id = "open", None
    route = await route_for(turn.session, turn.user, turn.admins)
    await _notify(turn.session, question, turn.user, route,
                  lambda: _("🔁 Still needs help: question #{number}").format(number=question.id))
    turn.say(_("I asked again. You can type what is still unclear; I will add it to your "
               "question."))


async def follow_up(turn: Turn) -> bool:
    """Text typed while a question is with a person is added to it, not auto-answered."""
    if turn.event.kind is not Kind.TEXT or not _free_text_state(turn.user.state):
        return False
    question = await repo.active_of(turn.session, turn.user.id)
    if question is None:
        return False
    text = turn.event.text.strip()[:ANSWER_LIMIT]
    question.followups = [*question.followups, text]
    await _tell_helpers(turn, question, text)
    turn.say(_("I added this to your question. A person will answer you here."),
             ((Button(backward(_("Menu")), OpenMenu().encode()),),))
    return True


async def _tell_helpers(turn: Turn, question: Question, text: str) -> None:
    """The helper who took it hears the addition; an open question is shown again."""
    helper = await turn.session.get(User, question.helper_id) if question.helper_id else None
    name = turn.user.first_name or "?"
    if helper is not None:
        await outbox.tell(turn.session, helper, lambda: format_html(
            _("➕ {name} added to question #{number}:\n<i>{text}</i>"), name=name,
            number=question.id, text=_clip(text, CARD_QUESTION)), ref=f"q:{question.id}")
    else:
        route = await route_for(turn.session, turn.user, turn.admins)
        await _notify(turn.session, question, turn.user, route)


def _free_text_state(state: str) -> bool:
    """Where typed text would otherwise go to the FAQ: the menu and journeys."""
    return state == states.MENU or states.journey_of(state) is not None


async def answer_by_reply(turn: Turn) -> bool:
    """A helper's Telegram reply to a question card is their answer."""
    if turn.event.kind is not Kind.TEXT or turn.event.reply_to is None:
        return False
    question_id = await repo.by_message(turn.session, turn.event.chat_id, turn.event.reply_to)
    question = await repo.get(turn.session, question_id) if question_id else None
    if question is None:
        return False
    await give_answer(turn, question, turn.event.text.strip())
    return True


async def on_group_reply(turn: Turn) -> None:
    """Replies in a group chat: only replies to question cards mean anything."""
    await answer_by_reply(turn)


async def answer_command(turn: Turn) -> None:
    """/answer <number> <text>."""
    number, _sep, text = turn.event.text.strip().partition(" ")
    question = await repo.get(turn.session, access.number(number) or 0)
    if question is None or not await may_answer(turn.session, question, turn.user,
                                                turn.admins):
        turn.say(_("Write /answer, the question number and your answer, for example: "
                   "/answer 12 Yes, the library has free Dutch lessons."))
        return
    await give_answer(turn, question, text.strip())


async def waiting_for(session: AsyncSession, who: Actor) -> list[Question]:
    """The open questions this helper may answer, oldest first (/inbox and the dashboard)."""
    groups = [g for g, role in who.groups.items() if role == "member"]
    if who.coordinator:
        groups += [g.id for g in await group_repo.groups_of_orgs(session,
                                                                  list(who.organisations))]
    return await repo.open_for(session, "admin" if who.admin else "helper", groups,
                               list(who.organisations))


async def inbox(turn: Turn) -> None:
    """/inbox: the open questions this helper may answer."""
    found = await waiting_for(turn.session, await access.actor(turn))
    if not found:
        turn.say(_("No open questions. 🎉"))
        return
    rows = [(Button(f"#{q.id} {q.text[:40]}", TakeQuestion(q.id).encode()),) for q in found[:20]]
    turn.say(_("<b>Open questions</b>"),
             (*rows, (Button(backward(_("Menu")), OpenMenu().encode()),)))


async def remind(run: JobRun) -> None:
    """24 hours later: a still unanswered question goes to its people once more."""
    question = await repo.get(run.session, int(run.ref)) if run.ref.isdigit() else None
    asker = await run.session.get(User, question.user_id) if question else None
    if question is None or asker is None or question.status != "open":
        return
    route = await route_for(run.session, asker, run.admins)
    await _notify(run.session, question, asker, route,
                  lambda: _("⏰ Still unanswered after a day: question #{number}").format(
                      number=question.id))


def _answering(state: str) -> int:
    """The question a helper is answering (0 for none)."""
    found = Answering.read(state)
    return found.question if found else 0


def _on(handler: Callable[[Turn, Question], Awaitable[None]]) -> Press[QuestionButton]:
    """The pressed button's question, if it exists; who may act is the handler's check."""

    async def press(turn: Turn, pressed: QuestionButton) -> None:
        question = await repo.get(turn.session, pressed.question)
        await (handler(turn, question) if question else fallback.stale(turn))

    return press


def register(router: Router) -> None:
    """The q: buttons, /answer, /inbox, replies, follow-ups and the 24-hour reminder."""
    router.intercept(answer_by_reply)
    router.intercept(follow_up)
    router.on(SendQuestion, _on(_ask))
    router.on(TakeQuestion, _on(_take))
    router.on(Solved, _on(_solved))
    router.on(MoreHelp, _on(_more_help))
    router.group_button("q")
    router.group_event(Kind.TEXT, on_group_reply)
    router.command("answer", answer_command)
    router.command("inbox", inbox)
    router.prompt(ANSWERING, ask_answer)
    router.text_input(ANSWERING, on_answer_text)
    router.job("question", remind)
