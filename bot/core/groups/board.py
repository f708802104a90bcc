"""The shared task board: create a task (title → date → time → who), claim, give back, done,
comment, reassign, cancel — in private chat and in the group's own chat.

Task buttons carry only the task id (bot.core.groups.buttons); the task's group is read
from the database and the presser's rights are checked every time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TypeVar

from babel.dates import format_datetime
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import access, fallback, outbox, states
from bot.core.dialogs import (
    Calendar,
    Dialog,
    Question,
    Row,
    Select,
    Step,
    Tap,
    TextInput,
    ask,
    chars,
    read_time,
)
from bot.core.groups import cards, deadlines, feed
from bot.core.groups.buttons import (
    Assign,
    CancelTask,
    ChooseAssignee,
    ChooseCategory,
    ClaimTask,
    Comment,
    CompleteTask,
    DraftAnyone,
    DraftAssignee,
    DraftCancel,
    DraftDay,
    DraftMe,
    DraftMonth,
    DraftNoDate,
    DraftNoTime,
    DraftTime,
    EditNotes,
    GiveBack,
    History,
    NewTask,
    OpenGroup,
    OpenTask,
    SetCategory,
    TaskButton,
    ToggleNewcomerView,
)
from bot.core.permissions import Action, allowed
from bot.core.ports import Button, Keyboard
from bot.core.render import format_html, shown_length
from bot.core.router import Handler, Press, Router, Turn
from bot.i18n import N_, _, backward, current_locale
from bot.storage import groups as group_repo
from bot.storage import tasks as task_repo
from bot.storage.models import Group, Task, TaskComment, TaskDraft, User

TITLE_LIMIT = 120
COMMENT_LIMIT = 1000
TIMES = tuple(time(hour) for hour in (9, 10, 11, 13, 14, 15, 17, 19))
DRAFT = "task:draft"  # private state while the new-task buttons are on screen
T = TypeVar("T", bound=TaskButton)


# ---------------------------------------------------------------- creating a task


async def start_private(turn: Turn, pressed: NewTask) -> None:
    """The ➕ New task button on a group's page."""
    found = await access.group_for(turn, pressed.group, Action.CREATE_TASK)
    if not found:
        return
    draft = await task_repo.start_draft(turn.session, turn.user.id, turn.event.chat_id,
                                        found[1].id, None)
    await NEW_TASK.go(turn, draft, "title")


async def start_in_group(turn: Turn) -> None:
    """/newtask <title> in a linked group chat."""
    group = turn.chat_group
    who = await access.actor(turn)
    if group is None or not allowed(who, Action.CREATE_TASK, group):
        access.refuse(turn)
        return
    title = turn.event.text.strip()
    if not 3 <= len(title) <= TITLE_LIMIT:
        turn.say(_("Write the task after the command, for example: /newtask Buy a bicycle")
                 if not title else _title_hint())
        return
    draft = await task_repo.start_draft(turn.session, turn.user.id, turn.event.chat_id, group.id,
                                        title)
    await NEW_TASK.go(turn, draft, "date")


def _title_hint() -> str:
    return _("Please use 3 to {limit} characters for the title.").format(limit=TITLE_LIMIT)


class Drafts:
    """A new task is kept per person and chat (task_drafts), with the step it is at, so it
    survives restarts and only its author's presses count in a group chat."""

    async def load(self, turn: Turn, _key: int | None) -> TaskDraft | None:
        draft = await task_repo.load(turn.session, turn.user.id, turn.event.chat_id)
        if draft is None:
            turn.notice(_("This is not your form. Start your own with ➕ New task or /newtask."))
        return draft

    def at(self, _turn: Turn, draft: TaskDraft) -> str:
        return draft.step

    def move(self, turn: Turn, draft: TaskDraft, step: str) -> None:
        draft.step = step
        if turn.event.private:
            turn.user.state = self.state(step)

    def key(self, _draft: TaskDraft) -> int | None:
        return None

    def state(self, step: str) -> str:
        return states.TASK_TITLE if step == "title" else DRAFT


def _about(msgid: str) -> Question[TaskDraft]:
    """A question under the new task's title (an N_() msgid with {title})."""

    async def question(_turn: Turn, draft: TaskDraft) -> str:
        return format_html(_(msgid), title=draft.title or "")

    return question


async def _titled(_turn: Turn, draft: TaskDraft, title: str) -> str:
    draft.title = title
    return "date"


async def _dated(_turn: Turn, draft: TaskDraft, day: date) -> str:
    draft.due_date = day
    return "time"


async def _no_date(_turn: Turn, draft: TaskDraft) -> str:
    draft.due_date, draft.due_time = None, None
    return "who"


async def _times(_turn: Turn, _draft: TaskDraft, _view: object) -> list[tuple[str, time]]:
    return [(f"{t:%H:%M}", t) for t in TIMES]


async def _timed(_turn: Turn, draft: TaskDraft, clock: time | None) -> str:
    draft.due_time = clock
    return "who"


async def _no_time(turn: Turn, draft: TaskDraft) -> str:
    return await _timed(turn, draft, None)


async def _members(turn: Turn, draft: TaskDraft, _view: object) -> list[tuple[str, int]]:
    """The group's members besides the person making the task (🙋 Me is for them)."""
    people = await group_repo.members(turn.session, draft.group_id, role="member")
    return [(p.first_name or "?", p.id) for p in people if p.id != turn.user.id]


async def _assigned(turn: Turn, draft: TaskDraft, person: int) -> None:
    await _create(turn, draft, [person])


async def _me(turn: Turn, draft: TaskDraft) -> None:
    await _create(turn, draft, [turn.user.id])


async def _anyone(turn: Turn, draft: TaskDraft) -> None:
    await _create(turn, draft, [])


async def _cancel(turn: Turn, _draft: TaskDraft) -> None:
    await task_repo.drop_draft(turn.session, turn.user.id, turn.event.chat_id)
    turn.say(_("OK, no new task."))
    if turn.event.private:
        turn.user.state = states.MENU
        await turn.resume()


CANCEL = Tap(N_("Cancel"), DraftCancel, _cancel)
NEW_TASK = Dialog(
    Drafts(),
    Step("title", ask(N_("What needs to be done? Type a short title, for example: Call the "
                         "housing corporation about the leak.")),
         TextInput(chars(3, TITLE_LIMIT), _title_hint, _titled), CANCEL),
    Step("date", _about(N_("<b>{title}</b>\nBy when? Pick a date.")),
         Calendar(DraftMonth, DraftDay, _dated, start=lambda _turn, draft: draft.due_date),
         Row(Tap(N_("No date"), DraftNoDate, _no_date), CANCEL)),
    Step("time", _about(N_("<b>{title}</b>\nAt what time? You can also type it, for example "
                           "14:45.")),
         Select(DraftTime, _times, _timed, columns=4),
         TextInput(read_time, lambda: _("Please type the time like this: 14:45."), _timed,
                   hint_buttons=True),
         Tap(N_("No time"), DraftNoTime, _no_time)),
    Step("who", _about(N_("<b>{title}</b>\nWho does it?")),
         Row(Tap(N_("🙋 Me"), DraftMe, _me), Tap(N_("👥 Anyone"), DraftAnyone, _anyone)),
         Select(DraftAssignee, _members, _assigned)),
)


async def _create(turn: Turn, draft: TaskDraft, assignee_ids: list[int]) -> None:
    """Store the task, put it on the group chat's board, tell a person it was given to."""
    group = await group_repo.group(turn.session, draft.group_id)
    if group is None or draft.title is None:
        await fallback.stale(turn)
        return
    task = await task_repo.add(turn.session, Task(
        group_id=group.id, title=draft.title, due_date=draft.due_date, due_time=draft.due_time,
        status="claimed" if assignee_ids else "open", created_by=turn.user.id,
        created_at=turn.now, updated_at=turn.now), turn.user.id, assignee_ids)
    await task_repo.drop_draft(turn.session, turn.user.id, turn.event.chat_id)
    await deadlines.schedule(turn.session, task, turn.now, turn.timezone)
    await _after_change(turn, group, task)
    await feed.task_added(turn.session, group, task)
    await _tell_assignees(turn, task, assignee_ids)
    if turn.event.private:
        turn.user.state = states.MENU
        await show_card(turn, task)
    else:
        turn.say(format_html(_("✅ Saved as #{number}: {title}"), number=task.id,
                             title=draft.title))


async def _tell_assignees(turn: Turn, task: Task, assignee_ids: list[int]) -> None:
    """Someone who was given a task by another person hears it in private."""
    name = turn.user.first_name or ""
    for person in await group_repo.members(turn.session, task.group_id):
        if person.id in assignee_ids and person.id != turn.user.id:
            await outbox.tell(turn.session, person, lambda: format_html(
                _("📌 {name} gave you a task:"), name=name) + f" #{task.id} {cards.title(task)}",
                lambda: ((Button(_("Open"), OpenTask(task.id).encode()),),))


# ---------------------------------------------------------------- acting on a task


async def show_card(turn: Turn, task: Task) -> None:
    """A task in full, with every action the reader may take."""
    people = (await task_repo.assignees(turn.session, [task.id]))[task.id]
    notes = await task_repo.comments(turn.session, task.id)
    today = turn.now.astimezone(turn.timezone).date()
    text = cards.card(task, people, 0, today)
    room = CARD_ROOM - shown_length(text, markup=True)
    turn.say("\n".join([text, *_comment_lines(notes[-5:], room)]), _card_keyboard(task))


CARD_ROOM = 4000  # Telegram takes 4096 characters (render.shown_length counts like it)
SHOWN_COMMENT = 400  # characters of one comment on the card; the rest is cut off


def _comment_lines(notes: list[tuple[TaskComment, User | None]], room: int) -> list[str]:
    """The newest comments that fit on the card (names are already escaped by cards)."""
    lines: list[str] = []
    for comment, author in reversed(notes):
        shown = comment.text if len(comment.text) <= SHOWN_COMMENT else \
            comment.text[:SHOWN_COMMENT - 1] + "…"
        line = f"💬 <i>{cards.name(author)}</i>: " + format_html("{text}", text=shown)
        room -= shown_length(line, markup=True) + 1
        if room < 0:
            break
        lines.insert(0, line)
    return lines


def _card_keyboard(task: Task) -> Keyboard:
    rows = list(cards.card_buttons(task))
    if task.status in task_repo.OPEN_STATES:
        eye = _("👁 Newcomer sees it: yes") if task.visible_to_newcomer else _(
            "👁 Newcomer sees it: no")
        rows += [(Button(_("👥 Give to…"), ChooseAssignee(task.id).encode()),
                  Button(_("🗂 Category"), ChooseCategory(task.id).encode())),
                 (Button(_("📝 Notes"), EditNotes(task.id).encode()),
                  Button(_("🕘 History"), History(task.id).encode())),
                 (Button(eye, ToggleNewcomerView(task.id).encode()),),
                 (Button(_("✖️ Cancel task"), CancelTask(task.id).encode()),)]
    rows.append((Button(backward(_("Back")), OpenGroup(task.group_id).encode()),))
    return tuple(rows)


TaskHandler = Callable[[Turn, Group, Task, T], Awaitable[None]]


def _on_task(needed: Action, handler: TaskHandler[T]) -> Press[T]:
    """The task and its group, if the presser may do `needed` to it; otherwise refused."""

    async def press(turn: Turn, pressed: T) -> None:
        found = await access.task_for(turn, pressed.task, needed)
        if found is not None:
            await handler(turn, found[0], found[1], pressed)

    return press


async def _view(turn: Turn, group: Group, task: Task, _pressed: OpenTask) -> None:
    if not turn.event.private:
        turn.notice(cards.title(task))
        return
    await show_card(turn, task)


Change = Callable[[AsyncSession, int, int, datetime], Awaitable[bool]]


def _transition(change: Change, notice: str) -> TaskHandler[TaskButton]:
    """Claim, give back, done, cancel: the database decides who was first (one conditional
    UPDATE); everyone else is told how the task stands now."""

    async def handler(turn: Turn, group: Group, task: Task, _pressed: TaskButton) -> None:
        if not await change(turn.session, task.id, turn.user.id, turn.now):
            await _already(turn, task)
            return
        turn.notice(_(notice).format(number=task.id))
        await _changed(turn, group, task)

    return handler


async def _already(turn: Turn, task: Task) -> None:
    fresh = await task_repo.get(turn.session, task.id) or task
    people = (await task_repo.assignees(turn.session, [task.id]))[task.id]
    if fresh.status == "claimed" and people:
        turn.notice(_("{name} already took this task.").format(name=cards.name(people[0])))
    else:
        turn.notice(_("This task is already {status}.").format(
            status=_(cards.STATUS.get(fresh.status, "open"))))
    if turn.event.private:
        await show_card(turn, fresh)


async def _reassign_menu(turn: Turn, group: Group, task: Task,
                         _pressed: ChooseAssignee) -> None:
    people = await group_repo.members(turn.session, group.id, role="member")
    rows = [(Button(p.first_name or "?", Assign(task.id, p.id).encode()),) for p in people]
    rows.append((Button(_("👥 Nobody: open for anyone"), Assign(task.id, 0).encode()),))
    turn.say(format_html(_("Who should do <b>{title}</b>?"), title=cards.title(task)),
             tuple(rows))


async def _reassign(turn: Turn, group: Group, task: Task, pressed: Assign) -> None:
    members = {p.id for p in await group_repo.members(turn.session, group.id, role="member")}
    if pressed.person and pressed.person not in members:
        await fallback.stale(turn)
        return
    ids = [pressed.person] if pressed.person else []
    if not await task_repo.reassign(turn.session, task.id, turn.user.id, ids, turn.now):
        await _already(turn, task)
        return
    await _tell_assignees(turn, task, ids)
    await _changed(turn, group, task)


async def _visibility(turn: Turn, group: Group, task: Task,
                      _pressed: ToggleNewcomerView) -> None:
    task.visible_to_newcomer = not task.visible_to_newcomer
    task.updated_at = turn.now
    await task_repo.log(turn.session, task.id, turn.user.id, "visibility", turn.now,
                        visible=task.visible_to_newcomer)
    await _changed(turn, group, task)


async def _set_category(turn: Turn, group: Group, task: Task, pressed: SetCategory) -> None:
    """One category set; an unknown one shows the categories again."""
    if pressed.category not in cards.CATEGORIES:
        await _categories(turn, group, task, pressed)
        return
    task.category, task.updated_at = pressed.category, turn.now
    await task_repo.log(turn.session, task.id, turn.user.id, "category", turn.now,
                        category=pressed.category)
    await _changed(turn, group, task)


async def _categories(turn: Turn, group: Group, task: Task, _pressed: TaskButton) -> None:
    keys = list(cards.CATEGORIES)
    rows = [tuple(Button(_(cards.CATEGORIES[k]), SetCategory(task.id, k).encode())
                  for k in keys[i:i + 2]) for i in range(0, len(keys), 2)]
    turn.say(format_html(_("Which kind of task is <b>{title}</b>?"), title=cards.title(task)),
             (*rows, (Button(backward(_("Back")), OpenTask(task.id).encode()),)))


HISTORY = {
    "created": N_("created"), "claimed": N_("took it"), "unclaimed": N_("gave it back"),
    "done": N_("marked it done"), "cancelled": N_("cancelled it"),
    "assigned": N_("gave it to someone"),
    "comment": N_("commented"), "visibility": N_("changed who sees it"),
    "category": N_("changed the category"), "notes": N_("changed the notes"),
    "help": N_("asked for help"),
}


async def _history(turn: Turn, group: Group, task: Task, _pressed: History) -> None:
    """The last changes of a task: when, who, what."""
    events = (await task_repo.history(turn.session, task.id))[-10:]
    people = {p.id: p for p in await group_repo.members(turn.session, group.id)}
    lines = [format_html(_("<b>History of #{number}</b>"), number=task.id)]
    for event in events:
        when = format_datetime(event.at.astimezone(turn.timezone), "d MMM HH:mm",
                               locale=current_locale())
        lines.append(f"{when} · {cards.name(people.get(event.actor_id or 0))}: "
                     f"{_(HISTORY.get(event.kind, HISTORY['created']))}")
    turn.say("\n".join(lines), ((Button(backward(_("Back")), OpenTask(task.id).encode()),),))


@dataclass(frozen=True)
class Typed:
    """Text someone types about a task (a comment, the notes): how it is asked and kept."""

    state: str
    action: Action
    question: str  # msgid with {number} and {title}
    elsewhere: str  # msgid: the notice when asked from the group chat
    too_long: str  # msgid with {limit}
    keep: Callable[[Turn, Task, str], Awaitable[None]]

    def ask(self, task: Task) -> str:
        """The question, naming the task."""
        return format_html(_(self.question), number=task.id,
                           title=_(task.title) if task.template else task.title)


async def _keep_comment(turn: Turn, task: Task, text: str) -> None:
    await task_repo.comment(turn.session, task.id, turn.user.id, text, turn.now)


async def _keep_notes(turn: Turn, task: Task, text: str) -> None:
    task.notes, task.updated_at = text, turn.now
    await task_repo.log(turn.session, task.id, turn.user.id, "notes", turn.now)


TYPED = {
    states.TASK_COMMENT: Typed(
        states.TASK_COMMENT, Action.COMMENT, N_("Type your comment on <b>#{number} {title}</b>."),
        N_("I sent you a private message: type your comment there."),
        N_("Please keep a comment under {limit} characters."), _keep_comment),
    states.TASK_NOTES: Typed(
        states.TASK_NOTES, Action.EDIT,
        N_("Type the notes for <b>#{number} {title}</b> (they replace the old notes)."),
        N_("I sent you a private message: type the notes there."),
        N_("Please keep notes under {limit} characters."), _keep_notes),
}


def _typed_action(typed: Typed) -> TaskHandler[TaskButton]:
    """💬 Comment / 📝 Notes: in private, type it now; from the group chat, asked in private."""

    async def handler(turn: Turn, group: Group, task: Task, _pressed: TaskButton) -> None:
        turn.user.state = f"{typed.state}:{task.id}"
        if turn.event.private:
            await turn.resume()
            return
        await outbox.tell(turn.session, turn.user, lambda: typed.ask(task))
        turn.notice(_(typed.elsewhere))

    return handler


def _typed_prompt(typed: Typed) -> Handler:
    """The question again (after /menu, a restart, …)."""

    async def prompt(turn: Turn) -> None:
        task = await task_repo.get(turn.session, states.task_in(turn.user.state) or 0)
        if task is None:
            turn.user.state = states.MENU
            await turn.resume()
            return
        turn.say(typed.ask(task), ((Button(_("Cancel"), OpenTask(task.id).encode()),),))

    return prompt


def _typed_input(typed: Typed) -> Handler:
    """The typed text: length checked, rights checked again, then kept."""

    async def on_text(turn: Turn) -> None:
        text = turn.event.text.strip()
        if not 1 <= len(text) <= COMMENT_LIMIT:
            turn.say(_(typed.too_long).format(limit=COMMENT_LIMIT))
            return
        task_id = states.task_in(turn.user.state)
        turn.user.state = states.MENU
        found = await access.task_for(turn, task_id, typed.action)
        if found is not None:
            await typed.keep(turn, found[1], text)
            await _changed(turn, *found)

    return on_text


async def _after_change(turn: Turn, group: Group, task: Task) -> None:
    await group_repo.touch_group(turn.session, group.id, turn.now)


async def _changed(turn: Turn, group: Group, task: Task) -> None:
    """Redraw the group chat's board, note activity, and refresh the private card."""
    await _after_change(turn, group, task)
    await feed.task_changed(turn.session, task)
    if turn.event.private:
        fresh = await task_repo.get(turn.session, task.id)
        await show_card(turn, fresh or task)


def register(router: Router) -> None:
    """Task buttons (also in group chats), the new-task dialog, comments, /newtask."""
    router.post_kind(feed.BOARD, feed.board)
    _register_tasks(router)
    router.on(NewTask, start_private)
    NEW_TASK.register(router)
    router.group_button("t")
    router.group_button("tn")
    router.group_command("newtask", start_in_group)
    for state, typed in TYPED.items():
        router.prompt(state, _typed_prompt(typed))
        router.text_input(state, _typed_input(typed))


def _register_tasks(router: Router) -> None:
    """Each task button with the right it needs (bot.core.permissions)."""
    router.on(OpenTask, _on_task(Action.VIEW_TASKS, _view))
    router.on(ClaimTask, _on_task(Action.CLAIM, _transition(
        task_repo.claim, N_("✋ It is yours: #{number}"))))
    router.on(GiveBack, _on_task(Action.UNCLAIM, _transition(
        task_repo.unclaim, N_("↩️ Given back to the group: #{number}"))))
    router.on(CompleteTask, _on_task(Action.COMPLETE, _transition(
        task_repo.complete, N_("✅ Done: #{number}. Thank you!"))))
    router.on(CancelTask, _on_task(Action.CANCEL, _transition(
        task_repo.cancel, N_("✖️ Cancelled: #{number}"))))
    router.on(ChooseAssignee, _on_task(Action.REASSIGN, _reassign_menu))
    router.on(Assign, _on_task(Action.REASSIGN, _reassign))
    router.on(ToggleNewcomerView, _on_task(Action.REASSIGN, _visibility))
    router.on(Comment, _on_task(Action.COMMENT, _typed_action(TYPED[states.TASK_COMMENT])))
    router.on(ChooseCategory, _on_task(Action.EDIT, _categories))
    router.on(SetCategory, _on_task(Action.EDIT, _set_category))
    router.on(EditNotes, _on_task(Action.EDIT, _typed_action(TYPED[states.TASK_NOTES])))
    router.on(History, _on_task(Action.VIEW_TASKS, _history))


