"""A fake Bot API polled by several bot instances at once, as a load balancer hands out
webhooks: each update goes to one of them; when each sendMessage arrived is noted, so a
test or benchmark can check the bot's budget across all instances."""

from __future__ import annotations

import bisect
import time
from collections import Counter
from typing import Any

from fakebot.server import FakeTelegram


class SplitFake(FakeTelegram):
    """Each update to one poller; every message's arrival time kept."""

    def __init__(self) -> None:
        super().__init__()
        self.handed: set[int] = set()
        self.arrivals: list[tuple[int, float]] = []

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        updates: list[dict[str, Any]] = await super()._get_updates(params)
        fresh = [u for u in updates if u["update_id"] not in self.handed]
        self.handed.update(u["update_id"] for u in fresh)
        return fresh

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await super()._send_message(params)
        self.arrived(int(params["chat_id"]), time.monotonic())
        return result

    def arrived(self, chat: int, at: float) -> None:
        """A message reached the fake Telegram."""
        self.arrivals.append((chat, at))

    def busiest_second(self) -> int:
        """The most messages that reached Telegram within any one second."""
        return self.busiest(None, 1.0)

    def busiest(self, chat: int | None, seconds: float) -> int:
        """The most messages (to one chat, or to all) that arrived within `seconds`."""
        times = sorted(at for to, at in self.arrivals if chat in (None, to))
        return max((bisect.bisect_left(times, at + seconds) - i for i, at in enumerate(times)),
                   default=0)

    def received(self, chats: list[int]) -> Counter[int]:
        """Messages per chat, of these chats."""
        wanted = set(chats)
        return Counter(chat for chat, _at in self.arrivals if chat in wanted)
