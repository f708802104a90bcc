"""Who can help here: the person's municipality first, then regional help that serves it,
then national; within each, those who speak the person's language first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bot.core.directory.schema import EntryRow

Reach = Literal["local", "regional", "national"]
REACH_ORDER: tuple[Reach, ...] = ("local", "regional", "national")


@dataclass(frozen=True)
class Found:
    """An entry for this person: how near it is and whether it speaks their language."""

    row: EntryRow
    reach: Reach
    speaks: bool


def reach_of(row: EntryRow, municipality: str | None) -> Reach | None:
    """Local (only this municipality), regional (this one among others), national, or None
    (it serves other places only)."""
    if row.national:
        return "national"
    if municipality is None or municipality not in row.municipalities:
        return None
    return "local" if len(row.municipalities) == 1 else "regional"


def rank(rows: Iterable[EntryRow], municipality: str | None, theme: str | None,
         lang: str | None) -> list[Found]:
    """Entries for a theme (None: every theme), best first: nearest, speaking the language,
    open (not temporarily closed), the gemeente's own office before others, by name."""
    found = []
    for row in rows:
        reach = reach_of(row, municipality)
        if reach is not None and (theme is None or theme in row.themes):
            found.append(Found(row, reach, lang is not None and lang in row.languages))
    return sorted(found, key=lambda f: (REACH_ORDER.index(f.reach), not f.speaks,
                                        f.row.temporarily_closed, f.row.kind != "gemeente",
                                        f.row.name.casefold(), f.row.id))


def gemeente_of(rows: Iterable[EntryRow], municipality: str | None) -> EntryRow | None:
    """The person's own gemeente office, if the directory has it."""
    return next((row for row in rows if row.kind == "gemeente"
                 and municipality is not None and row.municipalities == [municipality]), None)
