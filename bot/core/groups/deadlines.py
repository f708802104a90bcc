"""Task due dates: the people carrying a task hear about it 24 hours before; the group hears
when it is overdue (in its chat, within the chat's message budget).

Both are durable jobs (`jobs` table) scheduled when the task is made; when they run they
look at the task as it is then (done, cancelled or given to someone else meanwhile).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import outbox
from bot.core.groups import cards, feed
from bot.core.groups.buttons import OpenTask
from bot.core.ports import Button
from bot.core.router import JobRun, Router
from bot.i18n import _
from bot.storage import groups as group_repo
from bot.storage import jobs
from bot.storage import tasks as task_repo
from bot.storage.models import Task

DEFAULT_TIME = time(9, 0)  # a task due "on a day" is due at 09:00 local


def due_moment(task: Task, zone: ZoneInfo) -> datetime | None:
    """When a task is due, in UTC."""
    if task.due_date is None:
        return None
    local = datetime.combine(task.due_date, task.due_time or DEFAULT_TIME, tzinfo=zone)
    return local.astimezone(UTC)


async def schedule(session: AsyncSession, task: Task, now: datetime, zone: ZoneInfo) -> None:
    """The reminder a day before and the overdue notice the morning after."""
    moment = due_moment(task, zone)
    if moment is None:
        return
    if moment - timedelta(hours=24) > now:
        await jobs.ensure(session, "task_due", str(task.id), moment - timedelta(hours=24))
    overdue = datetime.combine(moment.astimezone(zone).date() + timedelta(days=1),
                               DEFAULT_TIME, tzinfo=zone).astimezone(UTC)
    await jobs.ensure(session, "task_overdue", str(task.id), overdue)


async def remind_assignees(run: JobRun) -> None:
    """24 hours before: to whoever carries the task (nobody: to the group)."""
    task = await task_repo.get(run.session, int(run.ref)) if run.ref.isdigit() else None
    if task is None or task.status not in task_repo.OPEN_STATES:
        return
    people = (await task_repo.assignees(run.session, [task.id]))[task.id]

    def text() -> str:
        return _("⏰ Due tomorrow: #{number} {title}").format(number=task.id,
                                                             title=cards.title(task))

    def buttons() -> tuple[tuple[Button, ...], ...]:
        return ((Button(_("Open"), OpenTask(task.id).encode()),),)

    for person in people:
        await outbox.tell(run.session, person, text, buttons)
    group = await group_repo.group(run.session, task.group_id)
    if not people and group is not None:
        await feed.tell_group(run.session, group, lambda: text() + "\n" + _(
            "🙋 Nobody has taken it yet."), lambda: cards.card_buttons(task))


async def overdue_notice(run: JobRun) -> None:
    """The morning after the due day: the group hears about a task still not done."""
    task = await task_repo.get(run.session, int(run.ref)) if run.ref.isdigit() else None
    group = await group_repo.group(run.session, task.group_id) if task else None
    if task is None or group is None or task.status not in task_repo.OPEN_STATES:
        return
    await feed.tell_group(run.session, group, lambda: _(
        "⏰ Overdue: #{number} {title} (was due {date})").format(
            number=task.id, title=cards.title(task), date=cards.due(task)),
        lambda: cards.card_buttons(task))


def register(router: Router) -> None:
    """The two task jobs."""
    router.job("task_due", remind_assignees)
    router.job("task_overdue", overdue_notice)
