"""👥 Groups: every group this lead coordinates (all for an admin) with done / open /
overdue and the last activity; a group's tasks; new invite links. A group is shown only
to its organisation's coordinators and to admins (the bot's permission table): any other
group number answers 404, the same as one that does not exist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response
from starlette.routing import Route

from bot.core.groups import invites
from bot.core.groups.overview import QUIET_DAYS
from bot.core.permissions import LEADS, Action, allowed, role_in
from bot.i18n import N_, _
from bot.storage import groups as group_repo
from bot.storage import tasks as task_repo
from bot.storage.models import Group, Task, User
from bot.web import shown
from bot.web.site import Page, Visit, lead

INVITE_ACTIONS = {"member": Action.INVITE_MEMBER, "newcomer": Action.INVITE_NEWCOMER}
DONE_SHOWN = 10  # finished tasks listed under the open ones
STATUS = {"open": N_("open"), "claimed": N_("claimed"), "done": N_("done"),
          "cancelled": N_("cancelled")}


@dataclass(frozen=True)
class Progress:
    """One group's line in the table."""

    group: Group
    place: str
    done: int
    open: int
    overdue: int
    active: str
    quiet: bool


async def _groups(session: AsyncSession, visit: Visit) -> list[Group]:
    actor = visit.viewer.actor
    if actor.admin:
        return await group_repo.all_groups(session)
    return await group_repo.groups_of_orgs(session, list(actor.organisations))


async def groups(visit: Visit) -> Response:
    """GET /groups: the groups needing attention first (overdue, then quiet)."""
    now = visit.dashboard.now()
    today = now.astimezone(visit.dashboard.core.policy.timezone).date()
    async with visit.dashboard.core.db.session() as session:
        found = await _groups(session, visit)
        counts = await task_repo.progress(session, [g.id for g in found], today)
    lines = [Progress(g, shown.place(g.municipality_code or ""), *counts[g.id],
                      shown.waited(g.last_activity_at, now),
                      g.last_activity_at < now - timedelta(days=QUIET_DAYS)) for g in found]
    lines.sort(key=lambda line: (line.overdue == 0, not line.quiet, line.group.name))
    return visit.render("groups.html", lines=lines)


async def _led(session: AsyncSession, visit: Visit) -> Group | None:
    """The group of the URL, if this viewer leads it (coordinator of its organisation or
    admin); otherwise None, whatever the reason."""
    group = await group_repo.group(session, visit.request.path_params["number"])
    if group is None or role_in(visit.viewer.actor, group) not in LEADS:
        return None
    return group


async def group(visit: Visit, invite: str = "", role: str = "") -> Response:
    """GET /groups/<number>: progress, the tasks and who carries them, invite buttons."""
    today = visit.dashboard.now().astimezone(visit.dashboard.core.policy.timezone).date()
    async with visit.dashboard.core.db.session() as session:
        found = await _led(session, visit)
        if found is None:
            return visit.not_found()
        counts = (await task_repo.progress(session, [found.id], today))[found.id]
        still = await task_repo.of_group(session, found.id, task_repo.OPEN_STATES)
        done = (await task_repo.of_group(session, found.id, ("done",)))[-DONE_SHOWN:]
        people = await task_repo.assignees(session, [t.id for t in [*still, *done]])
        members = len(await group_repo.members(session, found.id, "member"))
    tasks = [_task(t, people[t.id], today) for t in [*still, *reversed(done)]]
    return visit.render("group.html", group=found, counts=counts, tasks=tasks, members=members,
                        place=shown.place(found.municipality_code or ""), invite=invite,
                        role=role, note=invites.lifetime_note(role) if role else "")


def _task(task: Task, people: list[User], today: date) -> dict[str, object]:
    """A task as the group page lists it (titles from the plan in the viewer's language)."""
    names = [p.first_name or "?" for p in people]
    late = (task.status in task_repo.OPEN_STATES and task.due_date is not None
            and task.due_date < today)
    return {"id": task.id, "title": _(task.title) if task.template else task.title,
            "due": task.due_date.isoformat() if task.due_date else "–",
            "status": _(STATUS.get(task.status, task.status)), "late": late,
            "who": ", ".join(names) or "–"}


async def invite(visit: Visit) -> Response:
    """POST /groups/<number>/invite: a new link for a member or the newcomer, shown once."""
    form = await visit.request.form()
    role = str(form.get("role", ""))
    core = visit.dashboard.core
    async with core.db.session() as session:
        found = await _led(session, visit)
        if found is None or role not in INVITE_ACTIONS or not allowed(
                visit.viewer.actor, INVITE_ACTIONS[role], found):
            return visit.not_found()
        url = await invites.issue(session, visit.viewer.user.id, core.bot_username, role,
                                  found.organisation_id, group_id=found.id, now=core.clock())
    return await group(visit, url, role)


PAGE = Page("groups", N_("Groups"), "/groups", [
    Route("/groups", lead(groups), methods=["GET"]),
    Route("/groups/{number:int}", lead(group), methods=["GET"]),
    Route("/groups/{number:int}/invite", lead(invite), methods=["POST"]),
])
