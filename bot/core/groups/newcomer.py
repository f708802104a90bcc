"""The newcomer's view of their group: the tasks shared with them, "done" and "I need help".

Tasks from the support plan or a journey step are shown in the newcomer's language;
tasks the group typed are shown as written.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.core import access
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
from bot.core.menu import OpenMenu
from bot.core.permissions import Action
from bot.core.ports import Button
from bot.core.render import format_html
from bot.core.router import Press, Router, Turn
from bot.i18n import N_, _, backward
from bot.storage import groups as group_repo
from bot.storage import tasks as task_repo
from bot.storage.models import Group, Task


async def is_newcomer_in_group(turn: Turn) -> bool:
    """Shows 🤝 My group to newcomers who joined a group."""
    return "newcomer" in (await access.actor(turn)).groups.values()


async def show_tasks(turn: Turn) -> None:
    """🤝 My group: the shared tasks, soonest first, each a button."""
    who = await access.actor(turn)
    rows: list[tuple[Button, ...]] = []
    for group_id in [g for g, role in who.groups.items() if role == "newcomer"]:
        for task in await task_repo.of_group(turn.session, group_id, task_repo.OPEN_STATES,
                                             newcomer_only=True):
            rows.append((Button(f"{_label(task)} · {cards.due(task)}", SeeTask(task.id).encode()),))
    shown = len(rows)
    share = await _sharing(turn)
    rows.append((Button(_("💬 My group sees my questions: yes") if share else
                        _("💬 My group sees my questions: no"), ToggleSharing().encode()),))
    rows.append((Button(backward(_("Back")), OpenMenu().encode()),))
    text = _("<b>My group</b>\nWhat you and your group are doing together:")
    turn.say(text if shown else _("<b>My group</b>\nNothing to do right now."), tuple(rows))


async def _sharing(turn: Turn) -> bool:
    """Whether the newcomer lets their group see the questions they hand to a person."""
    return any(share for _group, share in await group_repo.newcomer_groups(turn.session,
                                                                             turn.user.id))


async def _show(turn: Turn, _pressed: MyGroup) -> None:
    await show_tasks(turn)


async def toggle_sharing(turn: Turn, _pressed: ToggleSharing) -> None:
    """The newcomer decides what their group may see; the default is no."""
    share = not await _sharing(turn)
    await group_repo.share_questions(turn.session, turn.user.id, share)
    turn.notice(_("Your group will now see the questions you ask a person.") if share else
                _("Your questions now go to a coordinator, not to your group."))
    await show_tasks(turn)


def _label(task: Task) -> str:
    text = _(task.title) if task.template else task.title
    return text if len(text) <= 40 else text[:39] + "…"


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
    text = f"<b>{cards.title(task)}</b>\n📅 {cards.due(task)}\n" + _(
        "Who helps: {names}").format(names=helpers)
    turn.say(text, ((Button(_("✅ Done"), TaskDone(task.id).encode()),
                     Button(_("🆘 I need help"), NeedHelp(task.id).encode())),
                    (Button(backward(_("Back")), MyGroup().encode()),)))


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
