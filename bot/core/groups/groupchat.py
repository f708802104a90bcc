"""The group's own Telegram chat: linking it with a one-time code, and /tasks there.

In groups the bot only hears commands and its own buttons (Telegram's privacy mode), so
everything here is a command; task buttons are handled by the board feature.
"""

from __future__ import annotations

from bot.core import access
from bot.core.groups import feed, invites
from bot.core.groups.home import hash_code
from bot.core.permissions import Action, allowed
from bot.core.ports import Kind
from bot.core.render import format_html
from bot.core.router import Router, Turn
from bot.i18n import _, switch_locale
from bot.storage import groups as group_repo
from bot.storage import outbox
from bot.storage import tasks as task_repo
from bot.storage.models import Group


async def on_added(turn: Turn) -> None:
    """Someone added the bot to a chat: explain how to link it (once, not for linked chats)."""
    if turn.chat_group is None:
        turn.say(_("Hello! I am Wegwijs. To link this chat to your sponsor group, open "
                   "👥 Groups → 💬 Link group chat in your private chat with me, and send the "
                   "/link command with the code here."))


async def link(turn: Turn) -> None:
    """/link <code>: the code proves the sender may link this chat to their group."""
    if turn.chat_group is not None:
        turn.say(format_html(_("This chat is already linked to <b>{group}</b>."),
                             group=turn.chat_group.name))
        return
    if await invites.throttled(turn, "link"):
        return
    group = await _group_with_code(turn)
    if group is None or not allowed(await access.actor(turn), Action.LINK_CHAT, group):
        await invites.failed(turn, "link")
        turn.say(_("This code does not work. Get a new one in your private chat with me: "
                   "👥 Groups → 💬 Link group chat."))
        return
    await _link(turn, group)


async def _group_with_code(turn: Turn) -> Group | None:
    code = turn.event.text.strip()
    if not code:
        return None
    found = await group_repo.group_by_link_code(turn.session, hash_code(code))
    expires = found.link_code_expires_at if found is not None else None
    return found if expires is not None and expires > turn.now else None


async def _link(turn: Turn, group: Group) -> None:
    """Remember the chat, spend the code, and put the open tasks on the new board."""
    group.chat_id, group.link_code_hash, group.link_code_expires_at = turn.event.chat_id, None, None
    switch_locale(group.locale)  # from now on this chat speaks the group's working language
    turn.say(format_html(_("✅ This chat is now linked to <b>{group}</b>. New tasks and changes "
                           "will appear here."), group=group.name))
    today = turn.now.astimezone(turn.timezone).date()
    for task in await task_repo.of_group(turn.session, group.id, task_repo.OPEN_STATES):
        if task.due_date is None or (task.due_date - today).days <= 14:
            await feed.task_added(turn.session, group, task)


async def show_tasks(turn: Turn) -> None:
    """/tasks in the group chat: the open tasks as one board message."""
    group = turn.chat_group
    if group is None:
        turn.say(_("This chat is not linked to a sponsor group yet."))
        return
    if not allowed(await access.actor(turn), Action.VIEW_TASKS, group):
        access.refuse(turn)
        return
    found = await task_repo.of_group(turn.session, group.id, task_repo.OPEN_STATES)
    if not found:
        turn.say(_("No open tasks. 🎉"))
        return
    for task in found[: outbox.BOARD_SIZE * 3]:
        await outbox.queue_task(turn.session, group.chat_id or turn.event.chat_id, group.id,
                                task.id)


async def on_removed(turn: Turn) -> None:
    """The bot was removed from the chat: stop posting there; the group can link again."""
    if turn.chat_group is not None:
        turn.chat_group.chat_id = None
    await outbox.drop_chat(turn.session, turn.event.chat_id)


def register(router: Router) -> None:
    """Group-chat commands and the bot being added to or removed from a chat."""
    router.group_event(Kind.ADDED, on_added)
    router.group_event(Kind.REMOVED, on_removed)
    router.group_command("link", link)
    router.group_command("tasks", show_tasks)
