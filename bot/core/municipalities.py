"""The shipped list of Dutch municipalities and a forgiving matcher for typed names."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from rapidfuzz import fuzz, process

SUGGEST_SCORE = 72.0
MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class Municipality:
    """A gemeente as CBS lists it."""

    code: str
    name: str
    province: str


@dataclass(frozen=True)
class Match:
    """Either one certain municipality, or suggestions to choose from (possibly none)."""

    exact: Municipality | None
    suggestions: tuple[Municipality, ...]


def normalize(text: str) -> str:
    """Fold case, accents, punctuation and the word 'gemeente' that people often add."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = re.sub(r"[^\w]+", " ", plain).split()
    return " ".join(w for w in words if w not in {"gemeente", "gem", "municipality"})


@cache
def all_municipalities() -> dict[str, Municipality]:
    """Every municipality by CBS code."""
    return {row[0].code: row[0] for row in _rows()}


@cache
def _rows() -> tuple[tuple[Municipality, tuple[str, ...]], ...]:
    """Rows of the shipped CSV with their normalised names and aliases."""
    source = resources.files("bot.data").joinpath("municipalities.csv")
    with source.open(encoding="utf-8") as handle:
        return tuple(_parse(row) for row in csv.DictReader(handle))


def _parse(row: dict[str, str]) -> tuple[Municipality, tuple[str, ...]]:
    municipality = Municipality(row["code"], row["name"], row["province"])
    aliases = [a for a in (row.get("aliases") or "").split(";") if a.strip()]
    return municipality, tuple(normalize(n) for n in [row["name"], *aliases])


@cache
def _index() -> dict[str, str]:
    """Normalised name or alias → CBS code."""
    return {key: m.code for m, keys in _rows() for key in keys}


def match(typed: str) -> Match:
    """Find what the person meant; typos and missing accents are fine."""
    query = normalize(typed)
    index = _index()
    if not query:
        return Match(None, ())
    if query in index:
        return Match(all_municipalities()[index[query]], ())
    return Match(None, _suggestions(query, index))


def _suggestions(query: str, index: dict[str, str]) -> tuple[Municipality, ...]:
    """Best few distinct municipalities above the score where suggestions stop being noise."""
    found = process.extract(query, index.keys(), scorer=fuzz.WRatio, limit=10)
    qualified = [(key, 100.0, 0) for key in index if key.startswith(f"{query} ")]
    codes: list[str] = []
    for key, score, _ in qualified + found:
        code = index[key]
        if score >= SUGGEST_SCORE and code not in codes:
            codes.append(code)
    return tuple(all_municipalities()[c] for c in codes[:MAX_SUGGESTIONS])
