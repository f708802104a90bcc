"""📥 Inbox: the questions waiting for a person that this lead may answer (the bot's own
/inbox list); claim one, answer it, and the answer reaches the newcomer in Telegram
through the outbox, as the bot's ✍️ Answer does. One answerer: claiming is the bot's
conditional UPDATE, so of two coordinators exactly one gets it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response
from starlette.routing import Route

from bot.core import questions
from bot.core.directory.cards import THEME_LABELS
from bot.i18n import N_, _
from bot.storage import groups as group_repo
from bot.storage import questions as repo
from bot.storage.models import Question, User
from bot.web import shown
from bot.web.site import Page, Visit, lead


@dataclass(frozen=True)
class Line:
    """One question as the inbox shows it (first name and text only on its own page)."""

    id: int
    language: str
    theme: str
    route: str
    waiting: str
    status: str
    urgent: bool


async def inbox(visit: Visit) -> Response:
    """GET /inbox: oldest first, with language, theme, where it went and how long it
    waits."""
    async with visit.dashboard.core.db.session() as session:
        found = await questions.waiting_for(session, visit.viewer.actor)
        lines = [await _line(session, q, visit) for q in found]
    return visit.render("inbox.html", lines=lines)


async def _line(session: AsyncSession, q: Question, visit: Visit) -> Line:
    group = await group_repo.group(session, q.group_id) if q.group_id else None
    helper = await session.get(User, q.helper_id) if q.helper_id else None
    route = group.name if group else (_("coordinators") if q.route == "coordinators"
                                      else _("admins"))
    return Line(q.id, shown.language(q.language), theme(q.theme), route,
                shown.waited(q.created_at, visit.dashboard.now()),
                _status(q, helper, visit.viewer.user), q.urgent)


def theme(code: str | None) -> str:
    """The directory theme the matcher guessed, in the viewer's language; "—" without."""
    return shown.label(THEME_LABELS[code]) if code in THEME_LABELS else "—"


def _status(q: Question, helper: User | None, me: User) -> str:
    if q.status == "open":
        return _("waiting")
    if q.status != "taken":
        return _("answered")
    if helper is not None and helper.id == me.id:
        return _("claimed by you")
    return _("claimed by {name}").format(name=helper.first_name if helper else "?")


async def _visible(session: AsyncSession, visit: Visit) -> Question | None:
    """The question of the URL, if this lead may see it (the bot's own rule)."""
    number = visit.request.path_params["number"]
    question = await repo.get(session, number)
    if question is None or question.status == "draft" or not await questions.may_answer(
            session, question, visit.viewer.user, visit.dashboard.core.policy.admin_ids):
        return None
    return question


async def question(visit: Visit, error: str = "", status: int = 200) -> Response:
    """GET /inbox/<number>: the question, and claim, the answer form, or who has it."""
    async with visit.dashboard.core.db.session() as session:
        found = await _visible(session, visit)
        if found is None:
            return visit.not_found()
        asker = await session.get(User, found.user_id)
        helper = await session.get(User, found.helper_id) if found.helper_id else None
    return visit.render(
        "question.html", status, q=found, asker=asker.first_name if asker else "?",
        language=shown.language(found.language), error=error, limit=questions.ANSWER_LIMIT,
        asked=shown.moment(found.created_at, visit.dashboard.core.policy.timezone),
        mine=helper is not None and helper.id == visit.viewer.user.id,
        helper=helper.first_name if helper else "")


async def claim(visit: Visit) -> Response:
    """POST /inbox/<number>/claim: take it, or hear that someone else has."""
    async with visit.dashboard.core.db.session() as session:
        found = await _visible(session, visit)
        if found is None:
            return visit.not_found()
        await questions.claim(session, found, visit.viewer.user,
                              visit.dashboard.core.policy.admin_ids)
    return visit.go(f"/inbox/{found.id}")


async def answer(visit: Visit) -> Response:
    """POST /inbox/<number>/answer: the bot's own answer path, outbox and all."""
    form = await visit.request.form()
    text = str(form.get("answer", "")).strip()
    core = visit.dashboard.core
    async with core.db.session() as session:
        found = await _visible(session, visit)
        if found is None:
            return visit.not_found()
        result = await questions.answer(session, found, visit.viewer.user, text,
                                        now=core.clock(), admin_ids=core.policy.admin_ids)
    if result == "length":
        return await question(visit, _("Please write an answer of at most {limit} "
                                       "characters.").format(limit=questions.ANSWER_LIMIT), 400)
    visit.dashboard.wake()
    return visit.go(f"/inbox/{found.id}")


PAGE = Page("inbox", N_("Inbox"), "/inbox", [
    Route("/inbox", lead(inbox), methods=["GET"]),
    Route("/inbox/{number:int}", lead(question), methods=["GET"]),
    Route("/inbox/{number:int}/claim", lead(claim), methods=["POST"]),
    Route("/inbox/{number:int}/answer", lead(answer), methods=["POST"]),
])
