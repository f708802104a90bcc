"""What the bot owes chats other than the one it is answering: task boards and notices.

Everything goes through the outbox table first (durable), and a sender in the adapter
delivers it. Group chats get at most 20 messages a minute: the sender asks `deliveries`
what may go now, and new tasks that wait are batched into one board message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.groups import cards
from bot.core.ports import Button, Keyboard, Reply
from bot.core.render import finish
from bot.i18n import use_locale
from bot.storage import groups as group_repo
from bot.storage import outbox
from bot.storage import tasks as task_repo
from bot.storage.models import Group, Post, Task, User


@dataclass(frozen=True)
class OutboxMessage:
    """One message to send (message_id None) or to redraw (an edit)."""

    post_id: int
    revision: int
    chat_id: int
    message_id: int | None
    reply: Reply


async def task_added(session: AsyncSession, group: Group, task: Task) -> None:
    """A new task appears on the group chat's board (if the group linked a chat)."""
    if group.chat_id is not None:
        await outbox.queue_task(session, group.chat_id, group.id, task.id)


async def task_changed(session: AsyncSession, task: Task) -> None:
    """Redraw the board messages that show this task."""
    await outbox.touch_task(session, task.group_id, task.id)


async def tell(session: AsyncSession, user: User, render: Callable[[], str],
               keyboard: Callable[[], Keyboard] = lambda: (), *, ref: str | None = None) -> None:
    """A private message to someone else, written in their language."""
    with use_locale(user.locale or "nl"):
        text, buttons = finish(render()), keyboard()
        rows = [[(finish(b.label), b.data) for b in row] for row in buttons]
    await outbox.queue_text(session, user.telegram_id, text, rows, ref=ref)


async def tell_group(session: AsyncSession, group: Group, render: Callable[[], str],
                     keyboard: Callable[[], Keyboard] = lambda: (), *,
                     author: User | None = None, ref: str | None = None) -> None:
    """A notice to the whole group: in its chat if linked, else to each helper privately.

    The person who caused the notice does not get it in private: they just saw it happen.
    """
    if group.chat_id is None:
        for member in await group_repo.members(session, group.id, role="member"):
            if author is None or member.id != author.id:
                await tell(session, member, render, keyboard, ref=ref)
        return
    with use_locale(group.locale):
        text, buttons = finish(render()), keyboard()
        rows = [[(finish(b.label), b.data) for b in row] for row in buttons]
    await outbox.queue_text(session, group.chat_id, text, rows, group_id=group.id, ref=ref)


async def deliveries(session: AsyncSession, now: datetime, zone: ZoneInfo) -> list[OutboxMessage]:
    """Posts that may be sent now without breaking any group chat's 20-a-minute limit."""
    await outbox.forget_sends(session, now - outbox.WINDOW)
    budgets: dict[int, int] = {}
    ready = []
    for post in await outbox.due(session):
        if post.chat_id not in budgets:
            budgets[post.chat_id] = await _budget(session, post.chat_id, now)
        if budgets[post.chat_id] > 0:
            budgets[post.chat_id] -= 1
            ready.append(await _render(session, post, now.astimezone(zone).date()))
    return ready


async def sent(session: AsyncSession, delivery: OutboxMessage, message_id: int,
               now: datetime) -> None:
    """Record a delivered post (and count it against its group chat's budget)."""
    await outbox.mark_sent(session, delivery.post_id, delivery.revision, message_id, now)
    if delivery.chat_id < 0:
        await outbox.record_send(session, delivery.chat_id, now)


async def _budget(session: AsyncSession, chat_id: int, now: datetime) -> int:
    """Private chats take about one message a second, which we never approach; groups 20/min."""
    if chat_id > 0:
        return 1_000
    used = len(await outbox.sends_since(session, chat_id, now - outbox.WINDOW))
    return max(0, outbox.GROUP_CHAT_LIMIT - used)


async def _render(session: AsyncSession, post: Post, today: date) -> OutboxMessage:
    """Text posts were rendered when queued; boards are drawn now, in the group's language."""
    if post.kind == "text":
        rows = tuple(tuple(Button(label, data) for label, data in row) for row in post.keyboard)
        return OutboxMessage(post.id, post.revision, post.chat_id, post.message_id,
                        Reply(post.text or "", rows))
    group = await group_repo.group(session, post.group_id or 0)
    found = [t for t in [await task_repo.get(session, tid) for tid in post.task_ids] if t]
    people = await task_repo.assignees(session, [t.id for t in found])
    counts = await task_repo.comment_counts(session, [t.id for t in found])
    with use_locale(group.locale if group else "nl"):
        reply = _board_reply(found, people, counts, today)
    return OutboxMessage(post.id, post.revision, post.chat_id, post.message_id, reply)


def _board_reply(found: Sequence[Task], people: dict[int, list[User]], counts: dict[int, int],
                 today: date) -> Reply:
    if not found:
        return Reply(finish(cards.gone()))
    buttons = cards.card_buttons(found[0]) if len(found) == 1 else cards.board_buttons(found)
    labels = tuple(tuple(Button(finish(b.label), b.data) for b in row) for row in buttons)
    return Reply(finish(cards.board(found, people, counts, today)), labels)

