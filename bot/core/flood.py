"""Per-user flood control: one person sending very fast must not slow down everyone else."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.core.policies import FloodLimits


@dataclass
class _Sender:
    seen: deque[float] = field(default_factory=deque)
    paused_until: float | None = None


class FloodGate:
    """Counts in memory on purpose: it guards the database, so it must not need it.

    Verdicts: "pass" (handle it), "trip" (the first update over the limit: say "slow
    down" once), "drop" (ignore quietly until the pause is over).
    """

    def __init__(self, limits: FloodLimits | None = None,
                 seconds: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or FloodLimits()
        self.window = self.limits.window.total_seconds()
        self.pause = self.limits.pause.total_seconds()
        self.seconds = seconds  # real elapsed time, not the (test-movable) domain clock
        self._senders: dict[int, _Sender] = {}
        self._checks = 0

    def check(self, user_id: int) -> str:
        """Record one update from `user_id` and say what to do with it."""
        now = self.seconds()
        sender = self._senders.setdefault(user_id, _Sender())
        if sender.paused_until is not None and now < sender.paused_until:
            return "drop"
        sender.paused_until = None
        _forget_before(sender.seen, now - self.window)
        sender.seen.append(now)
        if len(sender.seen) <= self.limits.burst:
            self._prune(now)
            return "pass"
        sender.paused_until = now + self.pause
        sender.seen.clear()
        return "trip"

    def _prune(self, now: float) -> None:
        """Forget quiet senders now and then, so memory follows active users only."""
        self._checks += 1
        if self._checks % 1000 or len(self._senders) < 10_000:
            return
        horizon = now - self.window - self.pause
        for user_id in [u for u, s in self._senders.items()
                        if (not s.seen or s.seen[-1] < horizon) and s.paused_until is None]:
            del self._senders[user_id]


def _forget_before(seen: deque[float], horizon: float) -> None:
    while seen and seen[0] <= horizon:
        seen.popleft()
