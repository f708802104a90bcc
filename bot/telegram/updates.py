"""Telegram updates → core Incoming; the only place that knows Telegram's update shapes."""

from __future__ import annotations

from telegram import Chat, ChatMember, ChatMemberUpdated, Message, Update

from bot.core.ports import Incoming, Kind

MEDIA_ATTRIBUTES = ("photo", "voice", "sticker", "location", "document", "video", "audio",
                    "video_note", "contact", "animation", "poll", "venue", "dice")


def to_incoming(update: Update) -> Incoming | None:
    """The core's view of an update, or None for updates that ask for no answer."""
    if update.callback_query is not None:
        return _from_button(update)
    if update.edited_message is not None:
        return _from_message(update.edited_message, Kind.EDITED)
    if update.message is not None:
        return _from_message(update.message, _kind_of(update.message))
    if update.my_chat_member is not None:
        return _from_membership(update.my_chat_member)
    return None


PRESENT = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR}


def _from_membership(change: ChatMemberUpdated) -> Incoming | None:
    """The bot added to or removed from a group chat (private blocks are not our business)."""
    if change.chat.type == Chat.PRIVATE:
        return None
    was = change.old_chat_member.status in PRESENT
    now = change.new_chat_member.status in PRESENT
    if was == now:
        return None
    return Incoming(change.from_user.id, change.chat.id, Kind.ADDED if now else Kind.REMOVED,
                    private=False, language_hint=change.from_user.language_code,
                    first_name=change.from_user.first_name)


def _from_button(update: Update) -> Incoming | None:
    query = update.callback_query
    if query is None or query.message is None:
        return None  # inline-mode buttons have no chat; we never send those
    chat = query.message.chat
    return Incoming(query.from_user.id, chat.id, Kind.BUTTON, data=query.data or "",
                    private=chat.type == Chat.PRIVATE, language_hint=query.from_user.language_code,
                    first_name=query.from_user.first_name)


def _from_message(message: Message, kind: Kind | None) -> Incoming | None:
    if kind is None or message.from_user is None:
        return None
    text = message.text or ""
    command, _, args = text[1:].partition(" ") if kind is Kind.COMMAND else ("", "", text)
    return Incoming(
        message.from_user.id, message.chat.id, kind,
        text=args.strip() if kind is Kind.COMMAND else text,
        command=command.split("@")[0].lower(),
        private=message.chat.type == Chat.PRIVATE,
        language_hint=message.from_user.language_code,
        first_name=message.from_user.first_name,
        reply_to=message.reply_to_message.message_id if message.reply_to_message else None,
    )


def _kind_of(message: Message) -> Kind | None:
    """Text, a /command, or media we cannot read; None for service messages."""
    if message.text:
        return Kind.COMMAND if message.text.startswith("/") else Kind.TEXT
    if any(getattr(message, name) for name in MEDIA_ATTRIBUTES):
        return Kind.MEDIA
    return None
