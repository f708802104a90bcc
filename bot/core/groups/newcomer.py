"""The newcomer's view of their group: the tasks shared with them, "done" and "I need help".

Only tasks shared with the newcomer, grouped as this week / later / done, a page at a time.
Tasks from the support plan are shown as the plan words them for the newcomer (its
`newcomer` text, not the group's "go along with…"), tasks from a journey step in the
newcomer's language, tasks the group typed as written. Button labels are cut after a
whole word (bot.i18n.shorten); the message above them has every text in full.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta
from html import escape

from bot.core import access
from bot.core.dialogs import Pager
from bot.core.groups import cards, feed
from bot.core.groups.buttons import (
    ClaimTask,
    MyGroup,
    NeedHelp,
    SeeTask,
    SharedTask,
    TaskDone,
    ToggleSharing,
)
from bot.core.groups.plan import load_plan
from bot.core.menu import OpenMenu
from bot.core.permissions import Action
from bot.core.ports import Button
from bot.core.render import format_html
from bot.core.router import Press, Router, Turn
from bot.i18n import N_, _, backward, shorten
from bot.storage import groups as group_repo
from bot.storage import tasks as task_repo
from bot.storage.models import Group, Task

TASKS = Pager[Task](6)  # tasks on one page of 🤝 My group
LABEL = 40  # characters of a task's button, cut after a whole word
WEEK = 7  # days that count as "this week", from today (overdue tasks too)
SECTIONS = {"week": N_("📅 This week"), "later": N_("🔜 Later"), "done": N_("✅ Done")}


async def is_newcomer_in_group(turn: Turn) -> bool:
    """Shows 🤝 My group to newcomers who joined a group."""
    return "newcomer" in (await access.actor(turn)).groups.values()


async def show_tasks(turn: Turn, page: int = 0) -> None:
    """🤝 My group: the shared tasks (this week, later, done), a page at a time."""
    tasks = await shared_tasks(turn)
    page, shown = TASKS.page(tasks, page)
    today = turn.now.astimezone(turn.timezone).date()
    rows: list[tuple[Button, ...]] = [
        (Button(_label(task), SeeTask(task.id).encode()),) for task in shown]
    rows += TASKS.arrows(len(tasks), page, MyGroup)
    share = await _sharing(turn)
    rows.append((Button(_("💬 My group sees my questions: yes") if share else
                        _("💬 My group sees my questions: no"), ToggleSharing().encode()),))
    rows.append((Button(backward(_("Back")), OpenMenu().encode()),))
    if not tasks:
        turn.say(_("<b>My group</b>\nNothing to do right now."), tuple(rows))
        return
    heading = _("<b>My group</b>\nWhat you and your group are doing together:")
    turn.say("\n".join([heading, *_listed(shown, today)]), tuple(rows))


async def shared_tasks(turn: Turn) -> list[Task]:
    """The tasks the newcomer's groups share with them: unfinished soonest first, then the
    ones done, most recent first."""
    who = await access.actor(turn)
    today = turn.now.astimezone(turn.timezone).date()
    open_, done = [], []
    for group_id in [g for g, role in who.groups.items() if role == "newcomer"]:
        open_ += await task_repo.of_group(turn.session, group_id, task_repo.OPEN_STATES,
                                          newcomer_only=True)
        done += await task_repo.of_group(turn.session, group_id, ("done",),
                                         newcomer_only=True)
    open_.sort(key=lambda t: (t.due_date is None, t.due_date or today, t.id))
    done.sort(key=lambda t: (t.done_at or t.updated_at, t.id), reverse=True)
    return open_ + done


def _section(task: Task, today: date) -> str:
    """This week (overdue too), later (or without a date), or done."""
    if task.status == "done":
        return "done"
    if task.due_date is not None and task.due_date < today + timedelta(days=WEEK):
        return "week"
    return "later"


def _listed(tasks: Sequence[Task], today: date) -> list[str]:
    """The page's tasks in full under their section's heading."""
    lines, current = [], ""
    for task in tasks:
        if _section(task, today) != current:
            current = _section(task, today)
            lines.append(f"\n<b>{_(SECTIONS[current])}</b>")
        when = "" if current == "done" or task.due_date is None else f" · {cards.due(task)}"
        lines.append(f"• {escape(newcomer_text(task), quote=False)}{when}")
    return lines


def newcomer_text(task: Task) -> str:
    """The task as the newcomer reads it (plain text): the plan's words for the newcomer, a
    journey step's task in their language, or what the group typed."""
    item = load_plan().item(task.source)
    if item is not None:
        return _(item.newcomer)
    return _(task.title) if task.template else task.title


async def _sharing(turn: Turn) -> bool:
    """Whether the newcomer lets their group see the questions they hand to a person."""
    return any(share for _group, share in await group_repo.newcomer_groups(turn.session,
                                                                             turn.user.id))


async def _show(turn: Turn, pressed: MyGroup) -> None:
    await show_tasks(turn, pressed.page or 0)


async def toggle_sharing(turn: Turn, _pressed: ToggleSharing) -> None:
    """The newcomer decides what their group may see; the default is no."""
    share = not await _sharing(turn)
    await group_repo.share_questions(turn.session, turn.user.id, share)
    turn.notice(_("Your group will now see the questions you ask a person.") if share else
                _("Your questions now go to a coordinator, not to your group."))
    await show_tasks(turn)


def _label(task: Task) -> str:
    """A task's button: its newcomer text cut after a whole word (✅ once done)."""
    label = shorten(newcomer_text(task), LABEL)
    return f"✅ {label}" if task.status == "done" else label


TaskHandler = Callable[[Turn, Group, Task], Awaitable[None]]


def _on_task(needed: Action, handler: TaskHandler) -> Press[SharedTask]:
    """The task and its group, if the newcomer may do this to it; otherwise refused."""

    async def press(turn: Turn, pressed: SharedTask) -> None:
        found = await access.task_for(turn, pressed.task, needed)
        if found is not None:
            await handler(turn, *found)

    return press


async def _view(turn: Turn, group: Group, task: Task) -> None:
    people = (await task_repo.assignees(turn.session, [task.id]))[task.id]
    helpers = ", ".join(cards.name(p) for p in people) or _("your group")
    text = f"<b>{escape(newcomer_text(task), quote=False)}</b>\n📅 {cards.due(task)}\n" + _(
        "Who helps: {names}").format(names=helpers)
    tasks = await shared_tasks(turn)
    page = next((i for i, t in enumerate(tasks) if t.id == task.id), 0) // TASKS.size
    rows: list[tuple[Button, ...]] = []
    if task.status in task_repo.OPEN_STATES:
        rows.append((Button(_("✅ Done"), TaskDone(task.id).encode()),
                     Button(_("🆘 I need help"), NeedHelp(task.id).encode())))
    rows.append((Button(backward(_("Back")), MyGroup(page or None).encode()),))
    turn.say(text, tuple(rows))


async def _done(turn: Turn, group: Group, task: Task) -> None:
    if await task_repo.complete(turn.session, task.id, turn.user.id, turn.now):
        await feed.task_changed(turn.session, task)
        await group_repo.touch_group(turn.session, group.id, turn.now)
        name = turn.user.first_name or ""
        await feed.tell_group(turn.session, group, lambda: format_html(
            _("✅ {name} finished:"), name=name) + f" #{task.id} {cards.title(task)}")
    turn.say(_("Well done! ✅"))
    await show_tasks(turn)


async def _help(turn: Turn, group: Group, task: Task) -> None:
    name = turn.user.first_name or ""
    await feed.tell_group(turn.session, group, lambda: format_html(
        _("🆘 {name} needs help with:"), name=name) + f" #{task.id} {cards.title(task)}",
        lambda: ((Button(_("✋ Claim"), ClaimTask(task.id).encode()),),)
        if task.status == "open" else ())
    await task_repo.log(turn.session, task.id, turn.user.id, "help", turn.now)
    turn.say(_("I told your group. Someone will contact you."))
    await show_tasks(turn)


async def ask_group(turn: Turn, title: str, category: str, source: str) -> None:
    """A journey step handed to the group as a task the newcomer can follow (once per step)."""
    who = await access.actor(turn)
    group_ids = [g for g, role in who.groups.items() if role == "newcomer"]
    group = await group_repo.group(turn.session, group_ids[0]) if group_ids else None
    if group is None:
        access.refuse(turn)
        return
    existing = await task_repo.of_group(turn.session, group.id, task_repo.OPEN_STATES)
    if any(t.source == source for t in existing):
        turn.notice(_("Your group already has this task."))
        return
    task = await task_repo.add(turn.session, Task(
        group_id=group.id, title=title, template=True, source=source, category=category,
        visible_to_newcomer=True, created_by=turn.user.id, created_at=turn.now,
        updated_at=turn.now), turn.user.id)
    await feed.task_added(turn.session, group, task)
    name = turn.user.first_name or ""
    await feed.tell_group(turn.session, group, lambda: format_html(
        _("🆘 {name} asks the group for help:"), name=name) + f" #{task.id} {cards.title(task)}",
        lambda: ((Button(_("✋ Claim"), ClaimTask(task.id).encode()),),))
    turn.notice(_("I asked your group. You can follow it in 🤝 My group."))


def register(router: Router) -> None:
    """🤝 My group on the newcomer's menu."""
    router.menu_button(N_("🤝 My group"), MyGroup(), is_newcomer_in_group)
    router.on(MyGroup, _show)
    router.on(ToggleSharing, toggle_sharing)
    router.on(SeeTask, _on_task(Action.NEWCOMER_VIEW, _view))
    router.on(TaskDone, _on_task(Action.NEWCOMER_DONE, _done))
    router.on(NeedHelp, _on_task(Action.ASK_HELP, _help))
