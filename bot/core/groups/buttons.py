"""What the group features' buttons carry, in one place because their screens link to each
other: a task card's Back opens the group, a group's page opens its tasks.

Buttons name a task, group or organisation by id only; every handler loads it and checks
the presser's rights (bot.core.access) at every press.
"""

from __future__ import annotations

from datetime import time
from typing import Literal

from bot.core.dialogs import Chosen, DayPick, MonthPage, Pressed
from bot.core.payloads import Count, Payload

ListKind = Literal["o", "m", "v", "d"]  # open, mine, overdue, done
InviteRole = Literal["m", "n"]  # member, newcomer


# ---------------------------------------------------------------- a task (board.py)


class TaskButton(Payload):
    """A button on a task card or board."""

    task: int


class OpenTask(TaskButton, prefix="t", shape="{task}:v"):
    """The task's card (in a group chat: its title as a toast)."""


class ClaimTask(TaskButton, prefix="t", shape="{task}:c"):
    """✋ Claim."""


class GiveBack(TaskButton, prefix="t", shape="{task}:u"):
    """↩️ Give back."""


class CompleteTask(TaskButton, prefix="t", shape="{task}:d"):
    """✅ Done."""


class CancelTask(TaskButton, prefix="t", shape="{task}:x"):
    """✖️ Cancel task."""


class ChooseAssignee(TaskButton, prefix="t", shape="{task}:r"):
    """👥 Give to…: the group's members."""


class Assign(TaskButton, prefix="t", shape="{task}:a:{person}"):
    """One member (users.id), or 0: open for anyone."""

    person: Count


class ToggleNewcomerView(TaskButton, prefix="t", shape="{task}:w"):
    """👁 Newcomer sees it: yes/no."""


class Comment(TaskButton, prefix="t", shape="{task}:m"):
    """💬 Comment."""


class ChooseCategory(TaskButton, prefix="t", shape="{task}:k"):
    """🗂 Category: the categories."""


class SetCategory(TaskButton, prefix="t", shape="{task}:k:{category}"):
    """One category (a key of cards.CATEGORIES)."""

    category: str


class EditNotes(TaskButton, prefix="t", shape="{task}:n"):
    """📝 Notes."""


class History(TaskButton, prefix="t", shape="{task}:h"):
    """🕘 History."""


# ---------------------------------------------------------------- a new task (board.py)


class NewTask(Payload, prefix="tn", shape="{group}"):
    """➕ New task on a group's page."""

    group: int


class DraftMonth(MonthPage, prefix="tn", action="m"):
    """The new task's calendar at a month."""


class DraftDay(DayPick, prefix="tn", action="d"):
    """The new task's due date."""


class DraftNoDate(Pressed, prefix="tn", shape="n"):
    """No date."""


class DraftTime(Chosen[time], prefix="tn", action="t"):
    """The new task's time, one of board.TIMES."""


class DraftNoTime(Pressed, prefix="tn", shape="t:n"):
    """No time."""


class DraftMe(Pressed, prefix="tn", shape="a:me"):
    """🙋 Me."""


class DraftAnyone(Pressed, prefix="tn", shape="a:any"):
    """👥 Anyone."""


class DraftAssignee(Chosen[int], prefix="tn", action="a"):
    """One member of the group (users.id)."""


class DraftCancel(Pressed, prefix="tn", shape="x"):
    """Cancel the new task."""


# ---------------------------------------------------------------- groups (home.py)


class GroupsHome(Payload, prefix="g", shape="h:{page}"):
    """👥 Groups: the list, at a page."""

    page: Count | None = None


class OpenGroup(Payload, prefix="g", action="o"):
    """A group's page."""

    group: int


class TaskList(Payload, prefix="g", action="l"):
    """A page of a group's open, own, overdue or done tasks."""

    group: int
    kind: ListKind
    page: Count


class Invite(Payload, prefix="g", action="i"):
    """👋 An invite link for a member or the newcomer."""

    group: int
    role: InviteRole


class RevokeInvites(Payload, prefix="g", action="r"):
    """🚫 Stop these links."""

    group: int
    role: InviteRole


class LinkChat(Payload, prefix="g", action="c"):
    """💬 Link group chat: a code to send there."""

    group: int


class SupportPlan(Payload, prefix="g", action="p"):
    """📅 The 12-month support plan: what it adds."""

    group: int


class ApplyPlan(Payload, prefix="g", shape="p:{group}:y"):
    """✅ Add the plan."""

    group: int


class NewGroup(Payload, prefix="g", shape="n:{organisation}"):
    """➕ New group, and then its organisation, when there is a choice."""

    organisation: int | None = None


class SkipMunicipality(Pressed, prefix="g", shape="m:skip"):
    """Skip the new group's municipality."""


class CoordinatorInvite(Payload, prefix="g", action="ci"):
    """🔑 An invite link for a coordinator of an organisation (admins)."""

    organisation: int


class Overview(Payload, prefix="g", action="v"):
    """📊 Overview of the groups."""


class ArrivalMonth(MonthPage, prefix="ga", action="m"):
    """The new group's arrival calendar at a month."""


class ArrivalDay(DayPick, prefix="ga", action="d"):
    """The newcomer's arrival date."""


class ArrivalUnknown(Pressed, prefix="ga", shape="n"):
    """Not known yet."""


# ---------------------------------------------------------------- the newcomer (newcomer.py)


class MyGroup(Payload, prefix="nt", shape="l:{page}"):
    """🤝 My group: the tasks shared with the newcomer (a page of them)."""

    page: Count | None = None


class ToggleSharing(Payload, prefix="nt", action="s"):
    """💬 My group sees my questions: yes/no."""


class SharedTask(Payload):
    """A task shared with the newcomer."""

    task: int


class SeeTask(SharedTask, prefix="nt", action="v"):
    """One shared task."""


class TaskDone(SharedTask, prefix="nt", action="k"):
    """✅ Done, by the newcomer."""


class NeedHelp(SharedTask, prefix="nt", action="h"):
    """🆘 I need help."""
