"""The group features' door: load who is asking and the group, check the rule, or refuse kindly."""

from __future__ import annotations

from bot.core.permissions import Action, Actor, actor_for, allowed
from bot.core.router import Turn
from bot.i18n import _
from bot.storage import groups as group_repo
from bot.storage import tasks as task_repo
from bot.storage.models import Group, Task


async def actor(turn: Turn) -> Actor:
    """The person behind this turn, with their roles (loaded once per turn)."""
    found = turn.memo.get("actor")
    if not isinstance(found, Actor) or found.user_id != turn.user.id:
        found = turn.memo["actor"] = await actor_for(turn.session, turn.user, turn.admins)
    return found


async def group_for(turn: Turn, group_id: int | None, action: Action) -> tuple[Actor, Group] | None:
    """The group, if this person may do `action` in it; otherwise a refusal was said."""
    who = await actor(turn)
    group = await group_repo.group(turn.session, group_id) if group_id else None
    if group is None or not _here(turn, group) or not allowed(who, action, group):
        refuse(turn)
        return None
    return who, group


async def task_for(turn: Turn, task_id: int | None, action: Action) -> tuple[Group, Task] | None:
    """The task and its group, if this person may do `action` to it; otherwise refused."""
    task = await task_repo.get(turn.session, task_id) if task_id else None
    group = await group_repo.group(turn.session, task.group_id) if task else None
    if task is None or group is None or not _here(turn, group):
        refuse(turn)
        return None
    people = await task_repo.assignees(turn.session, [task.id])
    ids = frozenset(p.id for p in people[task.id])
    if not allowed(await actor(turn), action, group, task, ids):
        refuse(turn)
        return None
    return group, task


def _here(turn: Turn, group: Group) -> bool:
    """A group chat acts on its own group only: a forged button there must not post another
    group's tasks (or their people) for everyone in the chat to read."""
    return turn.event.private or (turn.chat_group is not None and turn.chat_group.id == group.id)


def refuse(turn: Turn) -> None:
    """The same answer for "not yours" and "does not exist", so nothing leaks."""
    text = _("Sorry, you cannot do that here.")
    if turn.pressed:
        turn.notice(text)
    else:
        turn.say(text)


def number(value: str) -> int | None:
    """A positive id from button data or a command, or None (ASCII digits only: "²" is a
    digit to str.isdigit() but not to int(), and "٣" must not name task 3)."""
    return int(value) if value.isascii() and value.isdigit() and 0 < len(value) < 10 else None
