"""The fake Bot API of the benchmark: it notes when each message arrives and wakes whoever
waits for a reply, and shows a person the bot's newest messages."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

from fakebot import BOT_USER, ApiError, FakeTelegram, Handler, JsonDict

NEW_OR_EDIT = frozenset({"sendMessage", "editMessageText"})
SCREENS = 5  # a person looks at the bot's newest messages this far back for a button
Screen = tuple[int, list[str]]  # a bot message and the callback data of its buttons


class TimedFake(FakeTelegram):
    """The fake Bot API, noting when each message arrived and waking whoever waits."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[tuple[int, float, str]] = []  # sendMessage: chat, when, text
        self.firsts: dict[int, float] = {}  # chat → its first sendMessage
        self._waiting: dict[int, asyncio.Future[float]] = {}

    async def _execute(self, name: str, handler: Handler | None, params: JsonDict,
                       fault: ApiError | None) -> Any:
        """As the fake's; then note a new message or an edit."""
        result = await super()._execute(name, handler, params, fault)
        if name in NEW_OR_EDIT:
            self._arrived(name, int(params["chat_id"]), result)
        return result

    def _arrived(self, name: str, chat: int, result: JsonDict) -> None:
        """Note a new message; the first message or edit after an update is its reply."""
        at = time.time()
        if name == "sendMessage":
            self.arrivals.append((chat, at, str(result.get("text", ""))))
            self.firsts.setdefault(chat, at)
        waiter = self._waiting.pop(chat, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(at)

    def expect(self, chat: int) -> asyncio.Future[float]:
        """A future for the time of the next message or edit in the chat."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting[chat] = future
        return future

    def shown(self, chat: int) -> list[Screen]:
        """The bot's newest messages in the chat (newest first) with their buttons' data."""
        state = self._chats.get(chat)
        messages = list(state.messages.values()) if state else []
        screens: list[Screen] = []
        for message in reversed(messages):
            if message["from"]["is_bot"] and len(screens) < SCREENS:
                rows = message.get("reply_markup", {}).get("inline_keyboard", [])
                data = [str(b.get("callback_data", "")) for row in rows for b in row]
                screens.append((int(message["message_id"]), data))
        return screens

    def left_open(self, chat: int, data: Sequence[str]) -> None:
        """A bot message from an earlier visit (the main menu someone left open)."""
        rows = [[{"text": d, "callback_data": d}] for d in data]
        state = self._ensure_chat(chat)
        state.add_message(BOT_USER, {"text": "Main menu", "reply_markup": {
            "inline_keyboard": rows}})

    def reached(self, chats: range) -> int:
        """How many of these chats got a message."""
        return sum(1 for chat in self.firsts if chat in chats)
