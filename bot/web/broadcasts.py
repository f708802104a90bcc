"""📢 Broadcasts: compose per language with the audience counted live, review each
language exactly as recipients get it, send now or schedule, and watch the report per
language (sent / waiting / blocked / failed) update while it runs.

The audience is the bot's (bot.core.broadcasts.audience), limited to the author's
organisation; sending, scheduling and stopping are the bot's own functions, audited and
through the outbox. A broadcast is shown to its author and to admins only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData, ImmutableMultiDict
from starlette.responses import Response
from starlette.routing import Route

from bot.core.broadcasts import audience, compose, delivery, feature
from bot.core.broadcasts.audience import LANGUAGES, ROLES, SITUATIONS, reach
from bot.core.broadcasts.compose import HOURS, ROLE_LABELS, TEXT_LIMIT
from bot.core.profile import SITUATIONS as SITUATION_LABELS
from bot.core.reminders import timing
from bot.i18n import N_, _
from bot.storage import broadcasts as repo
from bot.storage import groups as group_repo
from bot.storage.models import Broadcast, Group
from bot.web import shown
from bot.web.site import Page, Visit, lead

WRITTEN = LANGUAGES[1:]  # the versions one can write: nl, en, ar, ti
HISTORY = 30
DONE = 286  # htmx stops polling on this status
STATES = {"draft": N_("draft"), "scheduled": N_("scheduled"), "sending": N_("sending"),
          "done": N_("sent"), "cancelled": N_("stopped")}
Fields = ImmutableMultiDict[str, str] | FormData


@dataclass(frozen=True)
class Choices:
    """What this author may pick: their reach, its municipalities and groups."""

    organisation: int | None
    municipalities: list[str]
    groups: list[Group]


async def _choices(session: AsyncSession, visit: Visit) -> Choices | None:
    """None when the viewer may not broadcast at all."""
    organisation = reach(visit.viewer.actor)
    if organisation is False:
        return None
    org = organisation if isinstance(organisation, int) else None
    groups = (await group_repo.groups_of_orgs(session, [org]) if org is not None
              else await group_repo.all_groups(session))
    return Choices(org, await group_repo.municipalities_of(session, org), groups)


def _audience(fields: Fields, choices: Choices) -> dict[str, object]:
    """The audience from the form, every value checked against what may be chosen."""
    picked = {int(g) for g in map(str, fields.getlist("groups")) if g.isascii() and g.isdigit()}
    language, place = str(fields.get("language", "")), str(fields.get("municipality", ""))
    situation = str(fields.get("situation", ""))
    return {
        "roles": [r for r in ROLES if r in fields.getlist("roles")],
        "language": language if language in LANGUAGES else "",
        "municipality": place if place in choices.municipalities else "",
        "situation": situation if situation in SITUATIONS else "",
        "unfinished": fields.get("unfinished") == "1", "chats": fields.get("chats") == "1",
        "groups": [g.id for g in choices.groups if g.id in picked],
    }


async def history(visit: Visit) -> Response:
    """GET /broadcasts: the viewer's broadcasts (an admin's: everyone's), newest first."""
    actor = visit.viewer.actor
    async with visit.dashboard.core.db.session() as session:
        found = await repo.history(session, None if actor.admin else visit.viewer.user.id,
                                   HISTORY)
        sent = {b.id: (await repo.counts(session, b.id)).get("sent", 0) for b in found}
    zone = visit.dashboard.core.policy.timezone
    rows = [{"id": b.id, "state": _(STATES.get(b.state, b.state)), "sent": sent[b.id],
             "when": shown.moment(b.send_at or b.created_at, zone)} for b in found]
    return visit.render("broadcasts.html", rows=rows, may=reach(actor) is not False)


async def new(visit: Visit) -> Response:
    """GET /broadcasts/new: the form (the count below it follows every change)."""
    async with visit.dashboard.core.db.session() as session:
        choices = await _choices(session, visit)
    if choices is None:
        return visit.not_found()
    return _form(visit, choices, {"roles": ["newcomer"]}, {})


def _form(visit: Visit, choices: Choices, chosen: dict[str, object],
          texts: dict[str, str], *, error: str = "", status: int = 200) -> Response:
    return visit.render(
        "broadcast_new.html", status, choices=choices, chosen=chosen, texts=texts,
        error=error, limit=TEXT_LIMIT, written=WRITTEN, languages=LANGUAGES[1:],
        roles=[(r, _(ROLE_LABELS[r])) for r in ROLES],
        situations=[(s, _(SITUATION_LABELS[s])) for s in SITUATIONS[1:]],
        places=[(code, shown.place(code)) for code in choices.municipalities],
        language_name=shown.language)


async def count(visit: Visit) -> Response:
    """GET /broadcasts/count?…: how many chats the audience reaches now (an htmx part)."""
    async with visit.dashboard.core.db.session() as session:
        choices = await _choices(session, visit)
        if choices is None:
            return visit.not_found()
        chosen = _audience(visit.request.query_params, choices)
        urgent = visit.request.query_params.get("urgent") == "1"
        found = await audience.count(session, chosen, choices.organisation, urgent)
    return visit.render("broadcast_count.html", count=found)


async def create(visit: Visit) -> Response:
    """POST /broadcasts/new: a draft, then its review page (nothing is sent yet)."""
    form = await visit.request.form()
    texts = {code: str(form.get(f"text_{code}", "")).strip() for code in WRITTEN}
    texts = {code: text for code, text in texts.items() if text}
    core = visit.dashboard.core
    async with core.db.session() as session:
        choices = await _choices(session, visit)
        if choices is None:
            return visit.not_found()
        chosen = _audience(form, choices)
        error = _problem(chosen, texts)
        if error:
            return _form(visit, choices, chosen, texts, error=error, status=400)
        fallback = str(form.get("fallback", ""))
        broadcast = Broadcast(
            author_id=visit.viewer.user.id, created_at=core.clock(),
            organisation_id=choices.organisation, audience=chosen, texts=texts,
            urgent=form.get("urgent") == "1", state="draft",
            fallback=fallback if fallback in texts else next(iter(texts)))
        session.add(broadcast)
        await session.flush()
    return visit.go(f"/broadcasts/{broadcast.id}")


def _problem(chosen: dict[str, object], texts: dict[str, str]) -> str:
    if not chosen["roles"] and not chosen["chats"]:
        return _("Choose who gets it: newcomers, group members, coordinators or group chats.")
    if not texts:
        return _("Write the message first.")
    if any(len(text) > TEXT_LIMIT for text in texts.values()):
        return _("Please keep the message under {limit} characters.").format(limit=TEXT_LIMIT)
    return ""


async def _mine(session: AsyncSession, visit: Visit) -> Broadcast | None:
    """The broadcast of the URL, if the viewer wrote it or is an admin."""
    found = await session.get(Broadcast, visit.request.path_params["number"])
    if found is None or not (found.author_id == visit.viewer.user.id
                             or visit.viewer.actor.admin):
        return None
    return found


async def show(visit: Visit, error: str = "", status: int = 200) -> Response:
    """GET /broadcasts/<number>: a draft's review (previews, count, send or schedule), or
    the report of a sent one."""
    async with visit.dashboard.core.db.session() as session:
        found = await _mine(session, visit)
        if found is None:
            return visit.not_found()
        if found.state != "draft":
            return visit.render("broadcast.html", b=found, report=await _report(session, found,
                                                                               visit))
        previews = [(shown.language(code), shown.plain(
            (await delivery.preview(session, found, code)).text), code) for code in WRITTEN]
        reached = await audience.count(session, found.audience, found.organisation_id,
                                       found.urgent)
    return visit.render("broadcast_review.html", status, b=found, previews=previews,
                        count=reached, error=error, first=HOURS.start, last=HOURS.stop - 1)


async def _report(session: AsyncSession, b: Broadcast, visit: Visit) -> dict[str, object]:
    """The numbers per language, as the bot's report counts them."""
    per = await repo.counts_by_language(session, b.id)
    lines = []
    for code, states in sorted(per.items()):
        lines.append({"language": shown.language(code), "sent": states.get("sent", 0),
                      "waiting": states.get("pending", 0) + states.get("sending", 0),
                      "blocked": states.get("blocked", 0),
                      "failed": states.get("failed", 0) + states.get("interrupted", 0)})
    zone = visit.dashboard.core.policy.timezone
    return {"lines": lines, "state": _(STATES.get(b.state, b.state)), "running":
            b.state in ("sending", "scheduled"), "when": shown.moment(b.send_at, zone)
            if b.state == "scheduled" else ""}


async def report(visit: Visit) -> Response:
    """GET /broadcasts/<number>/report: the live part (htmx stops asking once it is done)."""
    async with visit.dashboard.core.db.session() as session:
        found = await _mine(session, visit)
        if found is None:
            return visit.not_found()
        numbers = await _report(session, found, visit)
    return visit.render("broadcast_report.html", 200 if numbers["running"] else DONE,
                        b=found, report=numbers)


async def send(visit: Visit) -> Response:
    """POST /broadcasts/<number>/send: the bot's own send (recipients chosen now)."""
    core = visit.dashboard.core
    async with core.db.session() as session:
        found = await _mine(session, visit)
        if found is None:
            return visit.not_found()
        if found.state == "draft":
            await compose.send_now(session, found, visit.viewer.user.id, core.clock())
    visit.dashboard.wake()
    return visit.go(f"/broadcasts/{found.id}")


async def schedule(visit: Visit) -> Response:
    """POST /broadcasts/<number>/schedule: a local day and time between 08:00 and 21:00."""
    form = await visit.request.form()
    core = visit.dashboard.core
    moment = _moment(str(form.get("at", "")), visit)
    if moment is None:
        return await show(visit, _("Pick a day and a time from now on, between {first}:00 "
                                   "and {last}:59.").format(first=HOURS.start,
                                                            last=HOURS.stop - 1), 400)
    async with core.db.session() as session:
        found = await _mine(session, visit)
        if found is None:
            return visit.not_found()
        if found.state == "draft":
            await compose.schedule(session, found, visit.viewer.user.id, moment, core.clock())
    return visit.go(f"/broadcasts/{found.id}")


def _moment(value: str, visit: Visit) -> datetime | None:
    """A datetime-local value as a moment, if it exists, is ahead and within the hours."""
    try:
        local = datetime.fromisoformat(value)
    except ValueError:
        return None
    if local.tzinfo is not None or not HOURS.start <= local.hour < HOURS.stop:
        return None
    zone = visit.dashboard.core.policy.timezone
    moment = timing.local_moment(local.date(), time(local.hour, local.minute), zone)
    return moment if moment is not None and moment > visit.dashboard.now() else None


async def stop(visit: Visit) -> Response:
    """POST /broadcasts/<number>/stop: what was not sent yet will not be."""
    core = visit.dashboard.core
    async with core.db.session() as session:
        found = await _mine(session, visit)
        if found is None:
            return visit.not_found()
        await feature.stop(session, found, visit.viewer.user.id, core.clock())
    visit.dashboard.wake()
    return visit.go(f"/broadcasts/{found.id}")


async def discard(visit: Visit) -> Response:
    """POST /broadcasts/<number>/discard: a draft thrown away leaves nothing behind."""
    async with visit.dashboard.core.db.session() as session:
        found = await _mine(session, visit)
        if found is None:
            return visit.not_found()
        if found.state == "draft":
            await repo.discard(session, found)
    return visit.go("/broadcasts")


PAGE = Page("broadcasts", N_("Broadcasts"), "/broadcasts", [
    Route("/broadcasts", lead(history), methods=["GET"]),
    Route("/broadcasts/new", lead(new), methods=["GET"]),
    Route("/broadcasts/new", lead(create), methods=["POST"]),
    Route("/broadcasts/count", lead(count), methods=["GET"]),
    Route("/broadcasts/{number:int}", lead(show), methods=["GET"]),
    Route("/broadcasts/{number:int}/report", lead(report), methods=["GET"]),
    Route("/broadcasts/{number:int}/send", lead(send), methods=["POST"]),
    Route("/broadcasts/{number:int}/schedule", lead(schedule), methods=["POST"]),
    Route("/broadcasts/{number:int}/stop", lead(stop), methods=["POST"]),
    Route("/broadcasts/{number:int}/discard", lead(discard), methods=["POST"]),
])
