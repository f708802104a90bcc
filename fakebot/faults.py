"""Fault injection: errors and cut connections, flood limits, slow and stalled calls.

Tests set faults up with inject_error, drop_connections, enforce_limits, slow_down and
stall/release; the HTTP layer (fakebot/app.py) asks `fault()` once per call before the
method runs, and applies limits, stalls and latency to the calls that go through.
"""

from __future__ import annotations

import asyncio
import collections
import time
from dataclasses import dataclass

from fakebot.errors import DROP, ApiError, Fault, JsonDict
from fakebot.params import optional_int
from fakebot.state import FakeState


@dataclass
class InjectedError:
    """A fault (an error, or a cut connection) that the next `remaining` matching calls get
    instead of a result."""

    method: str
    error: Fault
    remaining: int
    chat_id: int | None = None

    def matches(self, method: str, chat_id: int | None) -> bool:
        """Method names are case-insensitive in the Bot API; no chat_id means any chat."""
        return (
            self.remaining > 0
            and self.method.lower() == method.lower()
            and (self.chat_id is None or self.chat_id == chat_id)
        )


class Faults(FakeState):
    """The faults a test arranged, and what they did (throttled, stalled)."""

    def __init__(self) -> None:
        super().__init__()
        self._injected: list[InjectedError] = []
        self._stalls: dict[tuple[str, int], asyncio.Event] = {}
        self._latency: dict[int | None, float] = {}
        self._limits: tuple[float, float] | None = None
        self._recent: collections.deque[float] = collections.deque()
        self._last_in_chat: dict[int, float] = {}
        self.throttled = 0
        self.stalled: list[JsonDict] = []

    # ------------------------------------------------------------------ test side: setup

    def inject_error(
        self,
        method: str,
        error_code: int,
        description: str,
        *,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
        from_proxy: bool = False,
    ) -> None:
        """Make the next `times` calls of method (optionally in one chat) fail this way.

        `from_proxy`: answer with an HTML error page instead of Telegram's JSON (a 502 or
        504 from the proxy in front of the Bot API).
        """
        if error_code == 429 and retry_after is None:
            retry_after = 1
        error = ApiError(error_code, description, retry_after if error_code == 429 else None,
                         from_proxy)
        self._injected.append(InjectedError(method, error, times, chat_id))

    def drop_connections(self, method: str, *, times: int = 1, chat_id: int | None = None) -> None:
        """Cut the connection of the next `times` calls of method (optionally in one chat)
        before they run: the bot gets no answer, and nothing happens (see `dropped`)."""
        self._injected.append(InjectedError(method, DROP, times, chat_id))

    def enforce_limits(self, overall_per_second: int = 30, seconds_per_chat: float = 1.0) -> None:
        """Answer 429 like Telegram when the bot sends faster than these limits."""
        self._limits = (float(overall_per_second), seconds_per_chat)

    def slow_down(self, seconds: float, chat_id: int | None = None) -> None:
        """Answer every call for one chat (or, without a chat, every call) `seconds` late."""
        self._latency[chat_id] = seconds

    def stall(self, method: str, chat_id: int) -> None:
        """Hold every `method` call for this chat until release() (to kill a bot mid-send)."""
        self._stalls[(method.lower(), chat_id)] = asyncio.Event()

    def release(self, method: str, chat_id: int) -> None:
        """Let held calls through; they complete as if the network had been slow."""
        gate = self._stalls.pop((method.lower(), chat_id), None)
        if gate is not None:
            gate.set()

    # ------------------------------------------------------------------ during a call

    def fault(self, name: str, params: JsonDict) -> Fault | None:
        """The fault this call meets, if any; here the injected ones, first come first served.

        A subclass may add its own (random faults in a soak test); it is asked once per
        call, before the method runs, so a faulty call never has an effect.
        """
        chat_id = optional_int(params.get("chat_id"))
        for rule in self._injected:
            if rule.matches(name, chat_id):
                rule.remaining -= 1
                self._injected = [r for r in self._injected if r.remaining > 0]
                return rule.error
        return None

    def _enforce_limits(self, name: str, params: JsonDict) -> None:
        """Telegram's flood control: too fast overall or to one chat → 429 with retry_after."""
        if self._limits is None or name not in ("sendMessage", "sendDocument"):
            return
        overall, per_chat = self._limits
        now = time.monotonic()
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        chat = optional_int(params.get("chat_id")) or 0
        if len(self._recent) >= overall or now - self._last_in_chat.get(chat, -1e9) < per_chat:
            self.throttled += 1
            raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        self._recent.append(now)
        self._last_in_chat[chat] = now

    async def _wait_if_stalled(self, name: str, params: JsonDict) -> None:
        """Hold a call (a slow network) until the test releases it; it then succeeds."""
        gate = self._stalls.get((name.lower(), optional_int(params.get("chat_id")) or 0))
        if gate is not None:
            self.stalled.append({"method": name, "params": params})
            self._signal.fire()
            await gate.wait()

    async def _round_trip(self, params: JsonDict) -> None:
        """The delay a real network adds: for this chat if set, else for every call."""
        chat = optional_int(params.get("chat_id"))
        delay = self._latency.get(chat, self._latency.get(None, 0.0))
        if delay:
            await asyncio.sleep(delay)
