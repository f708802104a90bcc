"""The closed lists volunteering speaks in: what an opportunity offers and a newcomer wants
are written with the same words, so the ranking compares like with like."""

from __future__ import annotations

from typing import Literal, get_args

Interest = Literal["cooking", "sports", "children", "animals", "gardening", "technology",
                   "care", "languages", "music", "repair", "administration", "events",
                   "nature"]
INTERESTS: tuple[Interest, ...] = get_args(Interest)
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAYS: tuple[Day, ...] = get_args(Day)
Part = Literal["morning", "afternoon", "evening"]
PARTS: tuple[Part, ...] = get_args(Part)
Level = Literal["none", "A1", "A2", "B1"]
LEVELS: tuple[Level, ...] = get_args(Level)  # in order: a person at A2 can do none…A2
Kind = Literal["place", "buddy"]  # a volunteer place, or a resident practising Dutch
KINDS: tuple[Kind, ...] = get_args(Kind)


def level_rank(level: str | None) -> int:
    """none 0 … B1 3; an unknown level counts as none (never promise more than is known)."""
    return LEVELS.index(level) if level in LEVELS else 0
