"""The test side of users: what they do in Telegram becomes updates for the bot.

Users write, send photos and the like, edit, press buttons, add the bot to groups and
block it; each action is queued as the update Telegram would send (fakebot/updates.py).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Final

from fakebot.errors import JsonDict
from fakebot.html_check import utf16_length
from fakebot.state import BOT_USER, ChatState, now
from fakebot.updates import Updates

_COMMAND_PREFIX = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?")


class UserActions(Updates):
    """Users act; chats appear and the bot joins, is blocked or is let back in."""

    # ------------------------------------------------------------------ setup

    async def add_chat(
        self, chat_id: int, type: str | None = None, title: str | None = None
    ) -> JsonDict:
        """Make a chat known without an update; type defaults to private/group by id sign."""
        return dict(self._ensure_chat(chat_id, chat_type=type, title=title).chat)

    async def block_bot(self, chat_id: int) -> JsonDict:
        """The user blocks the bot: sends now get 403 and the bot hears my_chat_member."""
        self._blocked.add(chat_id)
        state = self._ensure_chat(chat_id)
        return self._member_update(state, chat_id, "member", "kicked")

    async def unblock_bot(self, chat_id: int) -> JsonDict:
        """The user restarts the bot after blocking it."""
        self._blocked.discard(chat_id)
        state = self._ensure_chat(chat_id)
        return self._member_update(state, chat_id, "kicked", "member")

    # ------------------------------------------------------------------ users act

    async def user_sends(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        language_code: str | None = None,
        first_name: str = "Test",
        reply_to: int | None = None,
    ) -> JsonDict:
        """A user writes text; a leading /command gets its bot_command entity like in Telegram.

        With `reply_to`, the message is a Telegram reply to that message of the chat.
        """
        user = self._remember_user(user_id, first_name, language_code)
        state = self._ensure_chat(user_id if chat_id is None else chat_id, first_name=first_name)
        content: JsonDict = {"text": text}
        if reply_to is not None:
            original = state.messages.get(reply_to)
            if original is None:
                raise LookupError(f"no message {reply_to} to reply to")
            content["reply_to_message"] = copy.deepcopy(original)
        command = _COMMAND_PREFIX.match(text)
        if command:
            length = utf16_length(command.group())
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        message = state.add_message(user, content)
        return self._push_update({"message": copy.deepcopy(message)})

    async def user_sends_kind(
        self, user_id: int, kind: str, *, chat_id: int | None = None
    ) -> JsonDict:
        """A user sends a non-text message: photo, voice, sticker, location, document, contact."""
        builder = _KIND_BUILDERS.get(kind)
        if builder is None:
            raise ValueError(f"unknown kind {kind!r}; choose from {sorted(_KIND_BUILDERS)}")
        user = self._remember_user(user_id)
        state = self._ensure_chat(user_id if chat_id is None else chat_id)
        serial = next(self._serials)
        content = builder(f"fake-{kind}-{serial}", f"uniq-{kind}-{serial}", user)
        message = state.add_message(user, content)
        return self._push_update({"message": copy.deepcopy(message)})

    async def user_edits(
        self, user_id: int, message_id: int, new_text: str, *, chat_id: int | None = None
    ) -> JsonDict:
        """A user edits one of their own earlier messages."""
        state = self._known_chat(user_id if chat_id is None else chat_id)
        message = state.messages.get(message_id)
        if message is None or message["from"]["id"] != user_id:
            raise LookupError(f"user {user_id} has no message {message_id} in this chat")
        message["text"] = new_text
        message.pop("entities", None)
        message["edit_date"] = now()
        return self._push_update({"edited_message": copy.deepcopy(message)})

    async def user_presses(
        self,
        user_id: int,
        message: JsonDict | int,
        callback_data: str,
        *,
        chat_id: int | None = None,
    ) -> str:
        """A user presses an inline button; data need not be on the message (forgery tests)."""
        if isinstance(message, dict):
            target_chat, message_id = int(message["chat"]["id"]), int(message["message_id"])
        else:
            target_chat, message_id = (user_id if chat_id is None else chat_id), message
        current = self._known_chat(target_chat).bot_message(message_id)
        if current is None:
            raise LookupError(f"no bot message {message_id} in chat {target_chat}")
        query_id = str(next(self._serials) * 7_919_000_017)
        self._open_queries.add(query_id)
        query = {
            "id": query_id,
            "from": self._remember_user(user_id),
            "message": copy.deepcopy(current),
            "chat_instance": f"{abs(target_chat) * 31 + 7}",
            "data": callback_data,
        }
        self._push_update({"callback_query": query})
        return query_id

    async def bot_added_to_group(self, chat_id: int, title: str, by_user_id: int) -> JsonDict:
        """Someone adds the bot to a group: Telegram sends a my_chat_member update."""
        state = self._ensure_chat(chat_id, title=title)
        self._blocked.discard(chat_id)
        return self._member_update(state, by_user_id, "left", "member")

    def _member_update(
        self, state: ChatState, by_user_id: int, old_status: str, new_status: str
    ) -> JsonDict:
        """The bot's own membership changed in a chat."""
        change = {
            "chat": dict(state.chat),
            "from": self._remember_user(by_user_id),
            "date": now(),
            "old_chat_member": _bot_member(old_status),
            "new_chat_member": _bot_member(new_status),
        }
        return self._push_update({"my_chat_member": change})


def _bot_member(status: str) -> JsonDict:
    """A ChatMember for the bot itself; "kicked" needs until_date (0 = forever)."""
    member: JsonDict = {"user": dict(BOT_USER), "status": status}
    if status == "kicked":
        member["until_date"] = 0
    return member


# ---------------------------------------------------------------------- non-text messages


def _photo(file_id: str, unique_id: str, user: JsonDict) -> JsonDict:
    """Telegram sends every photo in several sizes, smallest first."""
    sizes = [(90, 67), (320, 240), (1280, 960)]
    return {
        "photo": [
            {
                "file_id": f"{file_id}-{width}",
                "file_unique_id": f"{unique_id}-{width}",
                "width": width,
                "height": height,
                "file_size": width * height // 8,
            }
            for width, height in sizes
        ]
    }


def _voice(file_id: str, unique_id: str, user: JsonDict) -> JsonDict:
    """A three-second voice note."""
    voice = {"file_id": file_id, "file_unique_id": unique_id, "duration": 3}
    return {"voice": {**voice, "mime_type": "audio/ogg", "file_size": 12_345}}


def _sticker(file_id: str, unique_id: str, user: JsonDict) -> JsonDict:
    """A plain static sticker."""
    sticker = {"file_id": file_id, "file_unique_id": unique_id, "type": "regular"}
    shape = {"width": 512, "height": 512, "is_animated": False, "is_video": False}
    return {"sticker": {**sticker, **shape, "emoji": "👍", "set_name": "FakeStickers"}}


def _location(file_id: str, unique_id: str, user: JsonDict) -> JsonDict:
    """Amsterdam Centraal, give or take."""
    return {"location": {"latitude": 52.3791, "longitude": 4.9003}}


def _document(file_id: str, unique_id: str, user: JsonDict) -> JsonDict:
    """A PDF a user forwards, e.g. a letter from the municipality."""
    document = {"file_id": file_id, "file_unique_id": unique_id, "file_name": "brief.pdf"}
    return {"document": {**document, "mime_type": "application/pdf", "file_size": 34_567}}


def _contact(file_id: str, unique_id: str, user: JsonDict) -> JsonDict:
    """The user shares their own contact card."""
    contact = {"phone_number": "+31612345678", "first_name": user["first_name"]}
    return {"contact": {**contact, "user_id": user["id"]}}


_KIND_BUILDERS: Final[dict[str, Callable[[str, str, JsonDict], JsonDict]]] = {
    "photo": _photo,
    "voice": _voice,
    "sticker": _sticker,
    "location": _location,
    "document": _document,
    "contact": _contact,
}
