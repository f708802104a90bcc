"""Overviews: each group's Monday-morning summary, and the coordinator's view of all groups.

Both run as durable jobs (table `jobs`): a job and the messages it queues are committed
together, so an overview is sent once, even when two timers fire or the process restarts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import access, outbox
from bot.core.groups import cards, feed
from bot.core.groups.buttons import GroupsHome
from bot.core.permissions import may_create_groups
from bot.core.ports import Button
from bot.core.render import format_html
from bot.core.router import JobRun, Router, Turn
from bot.i18n import _, backward, ngettext
from bot.storage import groups as group_repo
from bot.storage import jobs
from bot.storage import tasks as task_repo
from bot.storage.models import Group, Task, User

MORNING = time(9, 0)
QUIET_DAYS = 14
LISTED = 5  # tasks named per section; the rest are counted
OVERVIEW_GROUPS = 20  # groups named in a coordinator's overview; the rest are counted
QUIET_NAMED = 8  # quiet groups named; a message holds at most 4096 characters


def next_monday_morning(now: datetime, zone: ZoneInfo) -> datetime:
    """Next Monday 09:00 local time, in UTC (daylight saving handled by the zone)."""
    local = now.astimezone(zone)
    day = local.date() + timedelta(days=(7 - local.weekday()) % 7)
    moment = datetime.combine(day, MORNING, tzinfo=zone)
    if moment <= local:
        moment = datetime.combine(day + timedelta(days=7), MORNING, tzinfo=zone)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Week:
    """A group's week in numbers, gathered once and rendered per reader's language."""

    group: Group
    done: list[Task]
    still: list[Task]
    late: list[Task]
    people: dict[int, list[User]]


async def gather_week(session: AsyncSession, group: Group, now: datetime, zone: ZoneInfo) -> Week:
    """Done this week, open, overdue, and who carries them."""
    today = now.astimezone(zone).date()
    done = await task_repo.done_since(session, group.id, now - timedelta(days=7))
    still = await task_repo.of_group(session, group.id, task_repo.OPEN_STATES)
    late = [t for t in still if t.due_date and t.due_date < today]
    return Week(group, done, still, late, await task_repo.assignees(session, [t.id for t in still]))


def render_week(week: Week) -> str:
    """The Monday message, in the current reader's language."""
    load = Counter(cards.name(p) for t in week.still for p in week.people[t.id])
    unowned = sum(1 for t in week.still if not week.people[t.id])
    carried = ", ".join(f"{name} {count}" for name, count in load.most_common())
    return "\n".join([
        format_html(_("📊 <b>Week overview: {group}</b>"), group=week.group.name),
        _("✅ Done this week: {count}").format(count=len(week.done)),
        *[f"   • {cards.title(t)}" for t in week.done[:LISTED]],
        _("📋 Open: {count}").format(count=len(week.still)),
        _("⏰ Overdue: {count}").format(count=len(week.late)),
        *[f"   • #{t.id} {cards.title(t)} ({cards.due(t)})" for t in week.late[:LISTED]],
        _("👥 Who carries what: {list}").format(list=carried or "–"),
        _("🙋 Nobody yet: {count}").format(count=unowned),
    ])


async def weekly(run: JobRun) -> None:
    """The Monday job of one group; it schedules next week's in the same transaction."""
    session, ref, now, zone = run.session, run.ref, run.now, run.timezone
    group = await group_repo.group(session, int(ref)) if ref.isdigit() else None
    if group is None:
        return
    week = await gather_week(session, group, now, zone)
    await feed.tell_group(session, group, lambda: render_week(week))
    await jobs.ensure(session, "weekly", ref, next_monday_morning(now, zone))


@dataclass(frozen=True)
class GroupLine:
    """One group in a coordinator's overview."""

    name: str
    open: int
    late: int
    quiet: bool


async def gather_groups(session: AsyncSession, groups: list[Group], now: datetime,
                        zone: ZoneInfo) -> list[GroupLine]:
    """Open and overdue per group, and whether it has gone quiet."""
    today = now.astimezone(zone).date()
    lines = []
    for group in groups:
        still = await task_repo.of_group(session, group.id, task_repo.OPEN_STATES)
        late = sum(1 for t in still if t.due_date and t.due_date < today)
        quiet = group.last_activity_at < now - timedelta(days=QUIET_DAYS)
        lines.append(GroupLine(group.name, len(still), late, quiet))
    return lines


def render_groups(lines: list[GroupLine]) -> str:
    """The coordinator's overview in the reader's language; groups needing attention first."""
    if not lines:
        return _("📊 <b>Your groups</b>\nNo groups yet.")
    named = sorted(lines, key=lambda line: line.late == 0 and not line.quiet)[:OVERVIEW_GROUPS]
    text = [_("📊 <b>Your groups</b>")]
    text += [format_html(_("• {group}: open {open} · overdue {late}"), group=line.name,
                         open=line.open, late=line.late) for line in named]
    if len(lines) > len(named):
        more = len(lines) - len(named)
        text.append(ngettext("… and {count} more group", "… and {count} more groups",
                             more).format(count=more))
    quiet = [line.name for line in lines if line.quiet]
    if quiet:
        names = ", ".join(quiet[:QUIET_NAMED]) + (", …" if len(quiet) > QUIET_NAMED else "")
        text.append(format_html(_("⚠️ No activity in 14 days: {groups}"), groups=names))
    return "\n".join(text)


async def coordinators_weekly(run: JobRun) -> None:
    """The Monday job of one organisation: every coordinator gets the overview."""
    session, ref, now, zone = run.session, run.ref, run.now, run.timezone
    organisation_id = int(ref) if ref.isdigit() else 0
    lines = await gather_groups(session, await group_repo.groups_of_orgs(
        session, [organisation_id]), now, zone)
    for person in await group_repo.coordinators_of(session, organisation_id):
        await outbox.tell(session, person, lambda: render_groups(lines))
    await jobs.ensure(session, "coordinators", ref, next_monday_morning(now, zone))


async def show_overview(turn: Turn) -> None:
    """/overview and 📊 Overview: the coordinator's (or admin's) groups now."""
    who = await access.actor(turn)
    if not may_create_groups(who):
        access.refuse(turn)
        return
    groups = (await group_repo.all_groups(turn.session) if who.admin else
              await group_repo.groups_of_orgs(turn.session, list(who.organisations)))
    lines = await gather_groups(turn.session, groups, turn.now, turn.timezone)
    turn.say(render_groups(lines), ((Button(backward(_("Back")), GroupsHome().encode()),),))


async def schedule_all(session: AsyncSession, now: datetime, zone: ZoneInfo) -> None:
    """At startup: every group and organisation has its next Monday job (never twice)."""
    monday = next_monday_morning(now, zone)
    for group in await group_repo.all_groups(session):
        if await jobs.upcoming(session, "weekly", str(group.id)) is None:
            await jobs.ensure(session, "weekly", str(group.id), monday)
    for organisation in await group_repo.all_organisations(session):
        if await jobs.upcoming(session, "coordinators", str(organisation.id)) is None:
            await jobs.ensure(session, "coordinators", str(organisation.id), monday)


def register(router: Router) -> None:
    """/overview, and the two Monday jobs."""
    router.command("overview", show_overview)
    router.job("weekly", weekly)
    router.job("coordinators", coordinators_weekly)
    router.on_startup(schedule_all)
