"""Operator-tunable limits and the core's policy, filled in from the environment by bot.config."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

# A row claimed longer ago than this belongs to an instance that died: PTB's timeouts
# (connect, write, read: 5 s each) plus pacing stay far below it.
SEND_LEASE = timedelta(seconds=30)


@dataclass(frozen=True)
class FloodLimits:
    """More than `burst` updates within `window` mutes a person for `pause`."""

    burst: int = 20
    window: timedelta = timedelta(seconds=10)
    pause: timedelta = timedelta(seconds=30)


@dataclass(frozen=True)
class RetentionPolicy:
    """How long personal data is kept when nobody asks us to delete it sooner."""

    inactive: timedelta = timedelta(days=365)  # silent this long: erased
    warning: timedelta = timedelta(days=30)  # told this long before erasure
    answered_questions: timedelta = timedelta(days=90)  # then their text is deleted
    delivered_broadcasts: timedelta = timedelta(days=90)  # then the per-person rows go


@dataclass(frozen=True)
class Policy:
    """What the core needs from the operator: it never reads the environment itself."""

    timezone: ZoneInfo
    admin_ids: frozenset[int] = frozenset()
    flood: FloodLimits = field(default_factory=FloodLimits)
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)
    instance: str = field(default_factory=socket.gethostname)  # unique per running instance
    send_lease: timedelta = SEND_LEASE
