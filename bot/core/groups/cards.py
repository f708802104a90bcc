"""How a task looks: its card, a board of several tasks, its buttons, in the reader's language.

Tasks made from the support plan or a journey step hold an English msgid and are shown
translated; tasks people typed are shown as written (escaped).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from babel.dates import format_date, format_time

from bot.core.groups.buttons import ClaimTask, Comment, CompleteTask, GiveBack
from bot.core.ports import Button, Keyboard
from bot.i18n import N_, _, current_locale
from bot.storage.models import Task, User

CATEGORIES = {
    "housing": N_("🏠 Housing"),
    "registration": N_("🪪 Registration"),
    "inburgering": N_("📚 Inburgering"),
    "health": N_("🩺 Health"),
    "work": N_("💼 Work"),
    "school": N_("🎒 School"),
    "social": N_("🤝 Social"),
    "other": N_("📌 Other"),
}

STATUS = {
    "open": N_("open"),
    "claimed": N_("taken"),
    "done": N_("done"),
    "cancelled": N_("cancelled"),
}


def title(task: Task) -> str:
    """The task's title for the current reader, escaped for HTML."""
    return escape(_(task.title) if task.template else task.title, quote=False)


def name(user: User | None) -> str:
    """A person as others in the group see them: their first name, never a username."""
    if user is None:
        return _("a former member")
    return escape(user.first_name or _("member {number}").format(number=user.id), quote=False)


def due(task: Task) -> str:
    """The due date (and time) in the reader's language, or "no date"."""
    if task.due_date is None:
        return _("no date")
    shown = format_date(task.due_date, "EEE d MMM", locale=current_locale())
    if task.due_time is not None:
        shown += " " + format_time(task.due_time, "HH:mm", locale=current_locale())
    return shown


def who(task: Task, people: Sequence[User]) -> str:
    """Who carries the task, or an invitation to take it."""
    if task.status == "done":
        return _("✅ Done")
    if task.status == "cancelled":
        return _("✖️ Cancelled")
    if not people:
        return _("🙋 Open: who takes it?")
    return _("👤 {names}").format(names=", ".join(name(p) for p in people))


def card(task: Task, people: Sequence[User], comments: int, today: date) -> str:
    """One task in full."""
    late = " ⏰" if task.due_date and task.due_date < today and task.status in ("open",
                                                                                "claimed") else ""
    lines = [f"<b>#{task.id} {title(task)}</b>",
             f"{_(CATEGORIES.get(task.category, CATEGORIES['other']))} · 📅 {due(task)}{late}",
             who(task, people)]
    if task.notes:
        lines.append(escape(task.notes, quote=False))
    if comments:
        lines.append(_("💬 {count} comments").format(count=comments))
    return "\n".join(lines)


def line(task: Task, people: Sequence[User]) -> str:
    """One task on a board or in a list: number, title, date, who."""
    return f"<b>#{task.id}</b> {title(task)} · 📅 {due(task)} · {who(task, people)}"


def card_buttons(task: Task) -> Keyboard:
    """Claim / Done / Comment on a single card, as far as the task's state allows."""
    if task.status not in ("open", "claimed"):
        return ()
    take = (Button(_("✋ Claim"), ClaimTask(task.id).encode()) if task.status == "open"
            else Button(_("↩️ Give back"), GiveBack(task.id).encode()))
    return ((take, Button(_("✅ Done"), CompleteTask(task.id).encode())),
            (Button(_("💬 Comment"), Comment(task.id).encode()),))


def board_buttons(tasks: Sequence[Task]) -> Keyboard:
    """On a board of several tasks: one short row per unfinished task."""
    rows = []
    for task in tasks:
        if task.status not in ("open", "claimed"):
            continue
        take = (Button(f"✋ #{task.id}", ClaimTask(task.id).encode()) if task.status == "open"
                else Button(f"↩️ #{task.id}", GiveBack(task.id).encode()))
        rows.append((take, Button(f"✅ #{task.id}", CompleteTask(task.id).encode()),
                     Button(f"💬 #{task.id}", Comment(task.id).encode())))
    return tuple(rows)


def board(tasks: Sequence[Task], people: dict[int, list[User]], comments: dict[int, int],
          today: date) -> str:
    """A message that shows one task as a card, or several as a list."""
    if len(tasks) == 1:
        return card(tasks[0], people.get(tasks[0].id, []), comments.get(tasks[0].id, 0), today)
    heading = _("<b>New tasks</b>")
    return "\n".join([heading, *(line(t, people.get(t.id, [])) for t in tasks)])


def gone() -> str:
    """A board whose tasks were all removed (their group was deleted)."""
    return _("This task list is no longer available.")
