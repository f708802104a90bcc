"""What the fake knows: chats and their messages, users, and the record of the bot's calls.

`FakeState` is the base of every part of `FakeTelegram` (see fakebot/server.py); it holds
what several parts share and finds or creates the chats that calls and tests refer to.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from fakebot.errors import ApiError, JsonDict, bad_request
from fakebot.params import optional_int

BOT_USER: Final[JsonDict] = {
    "id": 999000,
    "is_bot": True,
    "first_name": "Wegwijs",
    "username": "wegwijs_test_bot",
}
SUPERGROUP_ID_LIMIT: Final = -1_000_000_000_000


def now() -> int:
    """Telegram dates are integer Unix timestamps."""
    return int(time.time())


@dataclass
class ChatState:
    """One chat: its Chat JSON, every message in it, and which bot messages a test consumed."""

    chat: JsonDict
    next_message_id: int = 1
    messages: dict[int, JsonDict] = field(default_factory=dict)
    outbox: list[JsonDict] = field(default_factory=list)
    consumed: int = 0
    reply_keyboard: JsonDict | None = None

    def add_message(self, sender: JsonDict, content: JsonDict) -> JsonDict:
        """Message ids are per chat and shared by user and bot, as in Telegram."""
        message = {
            "message_id": self.next_message_id,
            "from": dict(sender),
            "chat": dict(self.chat),
            "date": now(),
            **content,
        }
        self.next_message_id += 1
        self.messages[message["message_id"]] = message
        return message

    def bot_message(self, message_id: int) -> JsonDict | None:
        """Only the bot's own messages can be edited or carry its buttons."""
        message = self.messages.get(message_id)
        if message is None or message["from"]["id"] != BOT_USER["id"]:
            return None
        return message


class Signal:
    """Wakes every waiter whenever the fake's state changes, without lock ceremony."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        """Release current waiters; later waiters get a fresh event."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Return True once predicate holds, False if it still fails after `timeout` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            event = self._event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return predicate()
        return True


class FakeState:
    """Chats, users and the record of calls, shared by the fake's parts."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[JsonDict] = []
        self.requests: list[tuple[str, JsonDict]] = []
        self.failures: list[JsonDict] = []
        self.dropped: list[JsonDict] = []
        self.callback_answers: list[JsonDict] = []
        self._chats: dict[int, ChatState] = {}
        self._users: dict[int, JsonDict] = {}
        self._serials = itertools.count(1)
        self._open_queries: set[str] = set()
        self._blocked: set[int] = set()
        self._signal = Signal()
        self._closing = False

    def _chat_state(self, params: JsonDict) -> ChatState:
        """Telegram only knows chats that a user opened (or a group the bot is in)."""
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        chat_id = optional_int(raw)
        if chat_id is None or chat_id not in self._chats:
            raise bad_request("chat not found")
        return self._chats[chat_id]

    def _target_chat(self, params: JsonDict) -> ChatState:
        """A chat that can receive new content: known and not blocking the bot."""
        state = self._chat_state(params)
        if state.chat["id"] in self._blocked:
            raise ApiError(403, _blocked_description(state.chat))
        return state

    def _bot_message(self, params: JsonDict, verb: str) -> tuple[ChatState, JsonDict]:
        """Find the bot message an edit refers to; user messages cannot be edited by the bot."""
        if params.get("inline_message_id") is not None:
            raise bad_request("inline messages are not supported by the fake server")
        state = self._chat_state(params)
        message_id = optional_int(params.get("message_id"))
        if message_id is None:
            raise bad_request("message identifier is not specified")
        if message_id not in state.messages:
            raise bad_request(f"message to {verb} not found")
        message = state.bot_message(message_id)
        if message is None:
            raise bad_request(f"message can't be {verb}ed")
        return state, message

    def _ensure_chat(
        self,
        chat_id: int,
        *,
        chat_type: str | None = None,
        title: str | None = None,
        first_name: str = "Test",
    ) -> ChatState:
        """Create the chat on first contact; later calls may refine its type or title."""
        state = self._chats.get(chat_id)
        if state is None:
            state = self._chats[chat_id] = ChatState(chat={})
        kind = chat_type or state.chat.get("type") or _default_chat_type(chat_id)
        if kind == "private":
            state.chat = {"id": chat_id, "type": kind, "first_name": first_name}
        else:
            name = title or state.chat.get("title") or f"Test group {chat_id}"
            state.chat = {"id": chat_id, "type": kind, "title": name}
        return state

    def _known_chat(self, chat_id: int) -> ChatState:
        """Test-side lookups fail loudly instead of inventing chats."""
        state = self._chats.get(chat_id)
        if state is None:
            raise LookupError(f"chat {chat_id} is unknown to the fake server")
        return state

    def _remember_user(
        self, user_id: int, first_name: str | None = None, language_code: str | None = None
    ) -> JsonDict:
        """Users keep their name and language across updates, as real accounts do."""
        user = self._users.setdefault(
            user_id, {"id": user_id, "is_bot": False, "first_name": first_name or "Test"}
        )
        if first_name is not None:
            user["first_name"] = first_name
        if language_code is not None:
            user["language_code"] = language_code
        return dict(user)

    def _deliver(self, state: ChatState, message: JsonDict) -> JsonDict:
        """Queue a new bot message for next_message() and return Telegram's copy of it."""
        state.outbox.append(copy.deepcopy(message))
        return copy.deepcopy(message)


def _default_chat_type(chat_id: int) -> str:
    """Positive ids are users; very negative ids are supergroups/channels."""
    if chat_id > 0:
        return "private"
    return "supergroup" if chat_id < SUPERGROUP_ID_LIMIT else "group"


def _blocked_description(chat: JsonDict) -> str:
    """Users block bots; groups kick them."""
    if chat.get("type") == "private":
        return "Forbidden: bot was blocked by the user"
    return "Forbidden: bot was kicked from the group chat"
