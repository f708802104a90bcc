"""Per-user flood control: one person sending very fast must not slow down everyone else."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class FloodLimits:
    """More than `burst` updates within `window` mutes a person for `pause`."""

    burst: int = 20
    window: timedelta = timedelta(seconds=10)
    pause: timedelta = timedelta(seconds=30)


@dataclass
class _Sender:
    seen: deque[datetime] = field(default_factory=deque)
    paused_until: datetime | None = None


class FloodGate:
    """Counts in memory on purpose: it guards the database, so it must not need it.

    Verdicts: "pass" (handle it), "trip" (the first update over the limit: say "slow
    down" once), "drop" (ignore quietly until the pause is over).
    """

    def __init__(self, limits: FloodLimits | None = None) -> None:
        self.limits = limits or FloodLimits()
        self._senders: dict[int, _Sender] = {}

    def check(self, user_id: int, now: datetime) -> str:
        """Record one update from `user_id` and say what to do with it."""
        sender = self._senders.setdefault(user_id, _Sender())
        if sender.paused_until is not None and now < sender.paused_until:
            return "drop"
        sender.paused_until = None
        _forget_before(sender.seen, now - self.limits.window)
        sender.seen.append(now)
        if len(sender.seen) <= self.limits.burst:
            self._prune(now)
            return "pass"
        sender.paused_until = now + self.limits.pause
        sender.seen.clear()
        return "trip"

    def _prune(self, now: datetime) -> None:
        """Forget quiet senders now and then, so memory follows active users only."""
        if len(self._senders) < 10_000:
            return
        horizon = now - self.limits.window - self.limits.pause
        for user_id in [u for u, s in self._senders.items()
                        if (not s.seen or s.seen[-1] < horizon) and s.paused_until is None]:
            del self._senders[user_id]


def _forget_before(seen: deque[datetime], horizon: datetime) -> None:
    while seen and seen[0] <= horizon:
        seen.popleft()
