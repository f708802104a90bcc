"""What the bot owes chats other than the one it is answering: task boards and notices.

They go into the one outbound queue (bot.core.outbox) in the recipient's language; boards
are drawn when sent, so a board shows the tasks as they are then, and new tasks that wait
are batched into one board message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import outbox as outbox_core
from bot.core.groups import cards
from bot.core.outbox import Lane
from bot.core.ports import Button, Keyboard, Reply
from bot.core.render import finish
from bot.i18n import FALLBACK_LANGUAGE, use_locale
from bot.storage import groups as group_repo
from bot.storage import outbox
from bot.storage import tasks as task_repo
from bot.storage.models import Group, Post, Task, User

BOARD = "tasks"  # the outbox kind of a task board message


async def task_added(session: AsyncSession, group: Group, task: Task) -> None:
    """A new task appears on the group chat's board (if the group linked a chat)."""
    if group.chat_id is not None:
        await outbox.queue_task(session, group.chat_id, group.id, task.id)


async def task_changed(session: AsyncSession, task: Task) -> None:
    """Redraw the board messages that show this task."""
    await outbox.touch_task(session, task.group_id, task.id)


async def tell_group(session: AsyncSession, group: Group, render: Callable[[], str],
                     keyboard: Callable[[], Keyboard] = lambda: (), *,
                     author: User | None = None, ref: str | None = None,
                     lane: Lane = Lane.NOTICE) -> None:
    """A notice to the whole group: in its chat if linked, else to each helper privately.

    The person who caused the notice does not get it in private: they just saw it happen.
    """
    if group.chat_id is None:
        for member in await group_repo.members(session, group.id, role="member"):
            if author is None or member.id != author.id:
                await outbox_core.tell(session, member, render, keyboard, ref=ref, lane=lane)
        return
    with use_locale(group.locale):
        text, buttons = finish(render()), keyboard()
        rows = [[(finish(b.label), b.data) for b in row] for row in buttons]
    await outbox.queue_text(session, group.chat_id, text, rows, group_id=group.id, ref=ref,
                            lane=lane)


async def board(session: AsyncSession, post: Post, today: date) -> Reply:
    """A board message as its tasks are now, in the group's language."""
    group = await group_repo.group(session, post.group_id or 0)
    found = [t for t in [await task_repo.get(session, tid) for tid in post.task_ids] if t]
    people = await task_repo.assignees(session, [t.id for t in found])
    counts = await task_repo.comment_counts(session, [t.id for t in found])
    with use_locale(group.locale if group else FALLBACK_LANGUAGE):
        return _board_reply(found, people, counts, today)


def _board_reply(found: Sequence[Task], people: dict[int, list[User]], counts: dict[int, int],
                 today: date) -> Reply:
    if not found:
        return Reply(finish(cards.gone()))
    buttons = cards.card_buttons(found[0]) if len(found) == 1 else cards.board_buttons(found)
    labels = tuple(tuple(Button(finish(b.label), b.data) for b in row) for row in buttons)
    return Reply(finish(cards.board(found, people, counts, today)), labels)

