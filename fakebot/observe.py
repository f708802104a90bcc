"""The test side of the bot: what it sent, edited and answered, and waiting for it."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from typing import Final

from fakebot.errors import JsonDict
from fakebot.params import optional_int
from fakebot.state import FakeState

_EDIT_METHODS: Final = frozenset({"editMessageText", "editMessageReplyMarkup"})


def buttons(message: JsonDict) -> list[tuple[str, str]]:
    """Flatten an inline keyboard to (label, callback_data) pairs; URL buttons give ""."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [(button["text"], button.get("callback_data", "")) for row in rows for button in row]


class Observations(FakeState):
    """Reading the bot's messages as they are, and waiting for new ones."""

    def messages(self, chat_id: int) -> list[JsonDict]:
        """The bot's messages in a chat as they are now (after edits and deletions)."""
        state = self._chats.get(chat_id)
        if state is None:
            return []
        ids = sorted(state.messages)
        found = (state.bot_message(message_id) for message_id in ids)
        return [copy.deepcopy(message) for message in found if message is not None]

    def edits(self, chat_id: int) -> list[JsonDict]:
        """Successful editMessageText/editMessageReplyMarkup calls in a chat, in order."""
        return [
            record
            for record in self.sent
            if record["method"] in _EDIT_METHODS
            and optional_int(record["params"].get("chat_id")) == chat_id
        ]

    def reply_keyboard(self, chat_id: int) -> JsonDict | None:
        """The reply keyboard the user currently sees (Telegram does not echo it in Message)."""
        state = self._chats.get(chat_id)
        return None if state is None else copy.deepcopy(state.reply_keyboard)

    buttons = staticmethod(buttons)

    async def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 5.0, what: str = "condition"
    ) -> None:
        """Wait until predicate() holds; re-checked whenever the fake's state changes."""
        if not await self._signal.wait_until(predicate, timeout):
            raise AssertionError(f"{what} not met within {timeout:.1f}s. {self._activity()}")

    async def next_message(self, chat_id: int, timeout: float = 5.0) -> JsonDict:
        """The oldest bot message in the chat that the test has not consumed yet."""
        if not await self._signal.wait_until(lambda: self._unread(chat_id) > 0, timeout):
            raise AssertionError(
                f"no new bot message in chat {chat_id} within {timeout:.1f}s. "
                + self._activity(chat_id)
            )
        state = self._chats[chat_id]
        state.consumed += 1
        return copy.deepcopy(state.outbox[state.consumed - 1])

    async def drain(self, chat_id: int, quiet: float = 0.3, limit: float = 10.0) -> list[JsonDict]:
        """All unconsumed bot messages once none arrived for `quiet` seconds (max `limit`)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        collected: list[JsonDict] = []
        while loop.time() < deadline:
            while self._unread(chat_id):
                collected.append(await self.next_message(chat_id))
            if not await self._signal.wait_until(lambda: self._unread(chat_id) > 0, quiet):
                break
        return collected

    async def next_callback_answer(self, query_id: str, timeout: float = 5.0) -> JsonDict:
        """The bot's answerCallbackQuery for this query id."""

        def answered() -> list[JsonDict]:
            return [a for a in self.callback_answers if a["callback_query_id"] == query_id]

        await self.wait_for(lambda: bool(answered()), timeout, f"answer to callback {query_id}")
        return copy.deepcopy(answered()[0])

    def _unread(self, chat_id: int) -> int:
        """How many bot messages in the chat next_message() has not returned yet."""
        state = self._chats.get(chat_id)
        return 0 if state is None else len(state.outbox) - state.consumed

    def _activity(self, chat_id: int | None = None) -> str:
        """Summarise recent traffic so a failing assertion explains itself."""
        state = self._chats.get(chat_id) if chat_id is not None else None
        seen = [_summary(m) for m in state.outbox] if state else []
        calls = [name for name, _ in self.requests if name != "getUpdates"][-10:]
        failures = [f"{f['method']}: {f['error_code']} {f['description']}" for f in self.failures]
        dropped = [d["method"] for d in self.dropped][-5:]
        return (
            f"Bot messages so far in this chat: {'; '.join(seen) or 'none'}. "
            f"Last bot calls: {', '.join(calls) or 'none'}. "
            f"Failed calls: {'; '.join(failures[-5:]) or 'none'}. "
            f"Cut connections: {', '.join(dropped) or 'none'}."
        )


def _summary(message: JsonDict) -> str:
    """One line per message for assertion texts."""
    if "document" in message:
        return f"#{message['message_id']} document {message['document']['file_name']!r}"
    return f"#{message['message_id']} {message.get('text', '')!r}"
