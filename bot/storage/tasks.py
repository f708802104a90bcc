"""Repository functions for the Task aggregate: tasks, assignees, history, comments, drafts.

State changes are single conditional UPDATEs, so two people pressing the same button at
the same moment cannot both win: the database decides, not the Python code.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Task, TaskAssignee, TaskComment, TaskDraft, TaskEvent, User

OPEN_STATES = ("open", "claimed")


async def add(session: AsyncSession, task: Task, actor_id: int | None,
              assignees: Sequence[int] = ()) -> Task:
    """Store a new task with its first history entry."""
    session.add(task)
    await session.flush()
    for user_id in assignees:
        session.add(TaskAssignee(task_id=task.id, user_id=user_id))
    await log(session, task.id, actor_id, "created", task.created_at)
    return task


async def get(session: AsyncSession, task_id: int) -> Task | None:
    """One task by id (fresh from the database, not from the session's memory)."""
    return (await session.scalars(
        select(Task).where(Task.id == task_id).execution_options(populate_existing=True)
    )).first()


async def log(session: AsyncSession, task_id: int, actor_id: int | None, kind: str,
              at: datetime, **detail: object) -> None:
    """Append to a task's history."""
    session.add(TaskEvent(task_id=task_id, actor_id=actor_id, kind=kind, at=at, detail=detail))
    await session.flush()


async def claim(session: AsyncSession, task_id: int, user_id: int, now: datetime) -> bool:
    """Take an open task; exactly one of many simultaneous claims returns True."""
    won = await _transition(session, task_id, ("open",), "claimed", now)
    if won:
        await session.execute(delete(TaskAssignee).where(TaskAssignee.task_id == task_id))
        session.add(TaskAssignee(task_id=task_id, user_id=user_id))
        await log(session, task_id, user_id, "claimed", now)
    return won


async def unclaim(session: AsyncSession, task_id: int, user_id: int, now: datetime) -> bool:
    """Give a claimed task back to the group."""
    won = await _transition(session, task_id, ("claimed",), "open", now)
    if won:
        await session.execute(delete(TaskAssignee).where(TaskAssignee.task_id == task_id))
        await log(session, task_id, user_id, "unclaimed", now)
    return won


async def complete(session: AsyncSession, task_id: int, user_id: int, now: datetime) -> bool:
    """Mark done; False if it was already done or cancelled."""
    won = await _transition(session, task_id, OPEN_STATES, "done", now, done_at=now)
    if won:
        await log(session, task_id, user_id, "done", now)
    return won


async def cancel(session: AsyncSession, task_id: int, user_id: int, now: datetime) -> bool:
    """Cancel an open or claimed task."""
    won = await _transition(session, task_id, OPEN_STATES, "cancelled", now)
    if won:
        await log(session, task_id, user_id, "cancelled", now)
    return won


async def reassign(session: AsyncSession, task_id: int, actor_id: int, assignee_ids: list[int],
                   now: datetime) -> bool:
    """Give an unfinished task to these people (or to nobody: open again)."""
    status = "claimed" if assignee_ids else "open"
    won = await _transition(session, task_id, OPEN_STATES, status, now)
    if won:
        await session.execute(delete(TaskAssignee).where(TaskAssignee.task_id == task_id))
        session.add_all(TaskAssignee(task_id=task_id, user_id=uid) for uid in assignee_ids)
        await log(session, task_id, actor_id, "assigned", now, to=assignee_ids)
    return won


async def comment(session: AsyncSession, task_id: int, author_id: int, text: str,
                  now: datetime) -> None:
    """Add a comment and note it in the history."""
    session.add(TaskComment(task_id=task_id, author_id=author_id, text=text, at=now))
    await session.execute(update(Task).where(Task.id == task_id).values(updated_at=now))
    await log(session, task_id, author_id, "comment", now)


async def _transition(session: AsyncSession, task_id: int, sources: Sequence[str], target: str,
                      now: datetime, **values: object) -> bool:
    """Move a task from one of `sources` to `target` in one conditional UPDATE."""
    result = await session.execute(
        update(Task).where(Task.id == task_id, Task.status.in_(sources))
        .values(status=target, updated_at=now, **values).returning(Task.id))
    return result.scalar() is not None


async def assignees(session: AsyncSession, task_ids: Sequence[int]) -> dict[int, list[User]]:
    """task id → the people carrying it."""
    rows = await session.execute(
        select(TaskAssignee.task_id, User).join(User, User.id == TaskAssignee.user_id)
        .where(TaskAssignee.task_id.in_(task_ids)).order_by(User.id))
    found: dict[int, list[User]] = {task_id: [] for task_id in task_ids}
    for task_id, user in rows.all():
        found[task_id].append(user)
    return found


async def comments(session: AsyncSession, task_id: int) -> list[tuple[TaskComment, User | None]]:
    """A task's comments, oldest first, with their authors (None once erased)."""
    rows = await session.execute(
        select(TaskComment, User).outerjoin(User, User.id == TaskComment.author_id)
        .where(TaskComment.task_id == task_id).order_by(TaskComment.at, TaskComment.id))
    return [(c, u) for c, u in rows.all()]


async def comment_counts(session: AsyncSession, task_ids: Sequence[int]) -> dict[int, int]:
    """task id → number of comments."""
    rows = await session.execute(
        select(TaskComment.task_id, func.count()).where(TaskComment.task_id.in_(task_ids))
        .group_by(TaskComment.task_id))
    return {task_id: int(count) for task_id, count in rows.all()}


async def history(session: AsyncSession, task_id: int) -> list[TaskEvent]:
    """A task's history, oldest first."""
    rows = await session.scalars(
        select(TaskEvent).where(TaskEvent.task_id == task_id).order_by(TaskEvent.id))
    return list(rows)


async def of_group(session: AsyncSession, group_id: int, statuses: Sequence[str],
                   newcomer_only: bool = False) -> list[Task]:
    """A group's tasks in some states, soonest due first (undated last)."""
    query = (select(Task).where(Task.group_id == group_id, Task.status.in_(statuses))
             .order_by(Task.due_date.is_(None), Task.due_date, Task.id))
    if newcomer_only:
        query = query.where(Task.visible_to_newcomer.is_(True))
    return list(await session.scalars(query))


async def of_assignee(session: AsyncSession, group_id: int, user_id: int) -> list[Task]:
    """Unfinished tasks of a group that this person carries."""
    query = (select(Task).join(TaskAssignee, TaskAssignee.task_id == Task.id)
             .where(Task.group_id == group_id, TaskAssignee.user_id == user_id,
                    Task.status.in_(OPEN_STATES))
             .order_by(Task.due_date.is_(None), Task.due_date, Task.id))
    return list(await session.scalars(query))


async def overdue(session: AsyncSession, group_id: int, today: date) -> list[Task]:
    """Unfinished tasks whose day has passed."""
    query = (select(Task).where(Task.group_id == group_id, Task.status.in_(OPEN_STATES),
                                Task.due_date < today).order_by(Task.due_date, Task.id))
    return list(await session.scalars(query))


async def done_since(session: AsyncSession, group_id: int, since: datetime) -> list[Task]:
    """Tasks finished since a moment (for the weekly overview)."""
    query = (select(Task).where(Task.group_id == group_id, Task.status == "done",
                                Task.done_at >= since).order_by(Task.done_at))
    return list(await session.scalars(query))


async def load(session: AsyncSession, user_id: int, chat_id: int) -> TaskDraft | None:
    """A person's unfinished new task in one chat."""
    return await session.get(TaskDraft, (user_id, chat_id))


async def start_draft(session: AsyncSession, user_id: int, chat_id: int, group_id: int,
                      title: str | None) -> TaskDraft:
    """Begin (or restart) the new-task dialog."""
    await drop_draft(session, user_id, chat_id)
    draft = TaskDraft(user_id=user_id, chat_id=chat_id, group_id=group_id, title=title,
                      step="date" if title else "title")
    session.add(draft)
    await session.flush()
    return draft


async def drop_draft(session: AsyncSession, user_id: int, chat_id: int) -> None:
    """Forget an unfinished new task."""
    await session.execute(
        delete(TaskDraft).where(TaskDraft.user_id == user_id, TaskDraft.chat_id == chat_id))


async def progress(session: AsyncSession, group_ids: Sequence[int],
                   today: date) -> dict[int, tuple[int, int, int]]:
    """group id → (done, open, overdue) in one query (the dashboard's groups table)."""
    unfinished = Task.status.in_(OPEN_STATES)
    rows = await session.execute(
        select(Task.group_id,
               func.count().filter(Task.status == "done"),
               func.count().filter(unfinished),
               func.count().filter(unfinished & (Task.due_date < today)))
        .where(Task.group_id.in_(group_ids)).group_by(Task.group_id))
    found = {group_id: (0, 0, 0) for group_id in group_ids}
    for group_id, done, still, late in rows.all():
        found[group_id] = (int(done), int(still), int(late))
    return found
