"""Button data as a forger or an old chat would send it: a value of every kind of payload
the bot reads, then the same data cut short, garbled part by part, or one part too long."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.payloads import Codec, Number, Payload, Stamp, Word
from bot.core.router import Router

JUNK = ("", "0", "-1", "²", "٣", "9" * 20, "zz", "w" * 41, "d", "m")
MOMENT = datetime(2026, 12, 10, 10, 30)  # in the tests' future, a Thursday


def kinds(router: Router) -> list[type[Payload]]:
    """Every kind of button data the router reads."""
    return [kind for found in router.buttons.values() for kind in found]


def sample(kind: type[Payload], number: int) -> Payload:
    """A value of `kind` whose ids are all `number` (1: likely someone else's; a large one:
    nothing), words the first allowed one, dates and times MOMENT."""
    return kind(**{part.field: _value(part.codec, number) for part in kind.parts()
                   if part.field is not None and part.codec is not None})


def _value(codec: Codec, number: int) -> Any:
    if isinstance(codec, Number):
        return max(codec.lowest, min(number, 10 ** codec.longest - 1))
    if isinstance(codec, Word):
        return min(codec.allowed) if codec.allowed else "zz"
    assert isinstance(codec, Stamp)
    return codec.read(codec.write(MOMENT))


def garbled(data: str, junk: tuple[str, ...] = JUNK) -> list[str]:
    """The data cut short at every part, each part replaced by junk, and one part too many."""
    parts = data.split(":")
    found = [":".join(parts[:end]) for end in range(1, len(parts))] + [data + ":1"]
    found += [":".join([*parts[:i], bad, *parts[i + 1:]]) for i in range(1, len(parts))
              for bad in junk]
    return found
