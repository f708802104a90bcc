"""The fake Bot API of the soak: random faults, and cheap per-chat waiting for 500 people."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from fakebot import BOT_USER, DROP, ApiError, FakeTelegram, Fault, JsonDict

SENDS = frozenset({"sendMessage", "editMessageText", "answerCallbackQuery", "sendDocument"})


@dataclass
class FaultRates:
    """How often each kind of fault hits a call (a fraction of the calls it applies to)."""

    flood: float = 0.004  # 429, retry after 1 s: sends, edits, button answers
    server: float = 0.01  # 500 (JSON) or 502 (a proxy's HTML page): those and getUpdates
    blocked: float = 0.002  # 403 "bot was blocked by the user": new messages only
    dropped: float = 0.01  # the connection is cut before the call runs: any call


class SoakFake(FakeTelegram):
    """The fake Bot API, with random faults and cheap per-chat waiting for 500 people."""

    def __init__(self, rates: FaultRates, rng: random.Random) -> None:
        super().__init__()
        self.rates, self.rng, self.faulty = rates, rng, False
        self.injected: Counter[str] = Counter()
        self.activity: defaultdict[int, int] = defaultdict(int)
        self.updates = 0
        self._waiters: dict[int, asyncio.Event] = {}
        self._query_chat: dict[str, int] = {}

    def fault(self, name: str, params: JsonDict) -> Fault | None:
        """A random fault while the soak runs; none before or after (nor during the calm)."""
        chosen = super().fault(name, params)
        if chosen is not None or not self.faulty:
            return chosen
        kind = self._pick(name)
        if kind is None:
            return None
        self.injected[kind] += 1
        return self.rng.choice(_FAULTS[kind])

    def _pick(self, name: str) -> str | None:
        """Which fault (if any) this call meets."""
        draw, rates = self.rng.random(), self.rates
        chances = [("dropped connection", rates.dropped)]
        if name in ("sendMessage", "editMessageText", "answerCallbackQuery"):
            chances += [("429", rates.flood), ("5xx", rates.server)]
        if name == "getUpdates":
            chances.append(("5xx", rates.server))
        if name == "sendMessage":
            chances.append(("403", rates.blocked))
        for kind, chance in chances:
            if draw < chance:
                return kind
            draw -= chance
        return None

    async def user_presses(self, user_id: int, message: JsonDict | int, callback_data: str,
                           *, chat_id: int | None = None) -> str:
        """As the fake's, remembering the chat so the button's answer counts as activity."""
        query = await super().user_presses(user_id, message, callback_data, chat_id=chat_id)
        self._query_chat[query] = user_id if chat_id is None else chat_id
        return query

    async def _execute(self, name: str, handler: Any, params: JsonDict,
                       fault: ApiError | None) -> Any:
        result = await super()._execute(name, handler, params, fault)
        chat = _int(params.get("chat_id")) or self._query_chat.pop(
            str(params.get("callback_query_id")), None)
        if chat is not None and name in SENDS:
            self._touch(chat)
        return result

    def _push_update(self, payload: JsonDict) -> JsonDict:
        self.updates += 1
        return super()._push_update(payload)

    def _touch(self, chat: int) -> None:
        self.activity[chat] += 1
        waiter = self._waiters.pop(chat, None)
        if waiter is not None:
            waiter.set()

    async def active_within(self, chat: int, seconds: float) -> bool:
        """True if the bot did something in the chat within `seconds`."""
        if seconds <= 0:
            return False
        waiter = self._waiters.setdefault(chat, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiter.wait(), seconds)
            return True
        return False

    def newest(self, chat: int, depth: int = 3) -> list[JsonDict]:
        """The chat's newest bot messages (not copies: read them, do not change them)."""
        state = self._chats.get(chat)
        if state is None:
            return []
        found = []
        for message_id in sorted(state.messages, reverse=True):
            message = state.messages[message_id]
            if message["from"]["id"] == BOT_USER["id"]:
                found.append(message)
                if len(found) == depth:
                    break
        return found

    def said_since(self, chat: int, count: int) -> list[str]:
        """Texts of the new messages the bot sent to the chat after the first `count`."""
        state = self._chats.get(chat)
        return [] if state is None else [str(m.get("text", "")) for m in state.outbox[count:]]

    def said_count(self, chat: int) -> int:
        """How many new messages the bot has sent to the chat."""
        state = self._chats.get(chat)
        return 0 if state is None else len(state.outbox)


_FAULTS: dict[str, list[Fault]] = {
    "dropped connection": [DROP],
    "429": [ApiError(429, "Too Many Requests: retry after 1", retry_after=1)],
    "5xx": [ApiError(500, "Internal Server Error"), ApiError(502, "Bad Gateway", from_proxy=True)],
    "403": [ApiError(403, "Forbidden: bot was blocked by the user")],
}


def _int(value: object) -> int | None:
    """A chat id from a parameter, if it is one."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None
