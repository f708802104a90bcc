"""Loads every journey and checks it: shape, graph, sources, button size, translations.

A problem stops startup with the file, the node and what is wrong, because a journey
that dead-ends or shows English to an Arabic reader fails the person who relies on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.core import yamlfile
from bot.core.journeys.schema import Journey
from bot.core.ports import CALLBACK_DATA_LIMIT
from bot.i18n import LOCALES_DIR, content_translation, language_codes

FLOWS = LOCALES_DIR.parent / "flows"
JOURNEYS = FLOWS / "journeys"
SOURCES = FLOWS / "sources.yaml"
LONGEST_ACTION = "c9"  # the longest action suffix in journey button data
_TAG = re.compile(r"</?[a-z-]+")


@dataclass(frozen=True)
class Problem:
    """One thing wrong, precise enough to fix without searching."""

    file: str
    node: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: node '{self.node}': {self.problem}"


class JourneyError(Exception):
    """Journey files are broken; the message lists every problem, one per line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def load_journeys(directory: Path = JOURNEYS, translations: bool = True) -> dict[str, Journey]:
    """All journeys by id, or JourneyError naming every problem."""
    journeys, problems = {}, []
    for path in sorted(directory.glob("*.yaml")):
        journey, found = _load_file(path)
        problems += found
        if journey is not None and not found:
            problems += check_journey(journey, _name(path), translations)
            journeys[journey.journey] = journey
    if problems:
        raise JourneyError(problems)
    return journeys


def _name(path: Path) -> str:
    return f"flows/journeys/{path.name}"


def _load_file(path: Path) -> tuple[Journey | None, list[Problem]]:
    """Parse and validate the shape of one file."""
    try:
        raw = yamlfile.parse(path.read_text(encoding="utf-8"))
        return Journey.model_validate(raw), []
    except yaml.YAMLError as exc:
        return None, [Problem(_name(path), "-", f"not valid YAML: {exc}")]
    except ValidationError as exc:
        return None, [shape_problem(_name(path), raw, error, "nodes") for error in exc.errors()]


def shape_problem(file: str, raw: Any, error: Any, items: str) -> Problem:
    """Name the node (or FAQ entry) by its id, not by its position in the list."""
    loc = list(error["loc"])
    node = "-"
    if len(loc) >= 2 and loc[0] == items and isinstance(loc[1], int):
        entry = raw[items][loc[1]]
        node = str(entry.get("id", f"#{loc[1]}")) if isinstance(entry, dict) else f"#{loc[1]}"
        loc = loc[2:]
    where = ".".join(str(part) for part in loc)
    return Problem(file, node, f"{where + ': ' if where else ''}{error['msg']}")


def check_journey(journey: Journey, file: str, translations: bool = True) -> list[Problem]:
    """Graph, sources, button size and (optionally) translations of a well-shaped journey."""
    problems = _graph_problems(journey, file) + _content_problems(journey, file)
    if translations:
        problems += _translation_problems(journey, file)
    return problems


def _graph_problems(journey: Journey, file: str) -> list[Problem]:
    ids = [node.id for node in journey.nodes]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    problems = [Problem(file, i, "duplicate node id") for i in twice]
    known = set(ids)
    if journey.start not in known:
        return [*problems, Problem(file, journey.start, "`start` names no node")]
    for node in journey.nodes:
        problems += [Problem(file, node.id, f"exit to '{t}', which does not exist")
                     for t in node.targets() if t not in known]
    unreachable = known - _reachable(journey, known)
    problems += [Problem(file, n, "not reachable from start") for n in sorted(unreachable)]
    return problems + _router_loops(journey, file, known)


def _router_loops(journey: Journey, file: str, known: set[str]) -> list[Problem]:
    """Routers that only lead to routers, in a circle, would never show a step."""
    problems = []
    for node in journey.nodes:
        seen, frontier = set(), [node.id]
        while frontier:
            current = journey.node(frontier.pop())
            if current.router is None or current.id in seen:
                continue
            seen.add(current.id)
            frontier += [t for t in current.targets() if t in known]
        if node.router is not None and node.id in _router_successors(journey, seen, known):
            problems.append(Problem(file, node.id, "routers lead in a circle back to this one"))
    return problems


def _router_successors(journey: Journey, routers: set[str], known: set[str]) -> set[str]:
    return {t for r in routers for t in journey.node(r).targets() if t in known}


def _reachable(journey: Journey, known: set[str]) -> set[str]:
    seen, todo = set(), [journey.start]
    while todo:
        current = todo.pop()
        if current in seen or current not in known:
            continue
        seen.add(current)
        todo += journey.node(current).targets()
    return seen


def _content_problems(journey: Journey, file: str) -> list[Problem]:
    problems = []
    for node in journey.nodes:
        problems += [Problem(file, node.id, f"unknown source '{s}' (see flows/sources.yaml)")
                     for s in node.sources if s not in known_sources()]
        data = f"j:{journey.journey}:{node.id}:{LONGEST_ACTION}"
        if len(data.encode()) > CALLBACK_DATA_LIMIT:
            problems.append(Problem(file, node.id, "button data would exceed 64 bytes"))
    return problems


@cache
def known_sources() -> dict[str, dict[str, str]]:
    """flows/sources.yaml: the fact sheet's sources by tag."""
    data: dict[str, dict[str, str]] = yamlfile.parse(SOURCES.read_text(encoding="utf-8"))
    return data


def _translation_problems(journey: Journey, file: str) -> list[Problem]:
    return [problem for context, node_id, text in journey.keyed_texts()
            for problem in translation_problems(file, node_id, context, text)]


def translation_problems(file: str, node: str, context: str, text: str) -> list[Problem]:
    """A text with no translation at all in a shipped language, or one whose HTML differs
    from the English it was made for; a translation that needs review is served, not a problem."""
    problems = []
    for code in language_codes():
        found = content_translation(code, context, text)
        if found is None:
            problems.append(Problem(file, node, f"no {code} translation of {text[:40]!r}"))
        elif sorted(_TAG.findall(found.text)) != sorted(_TAG.findall(found.english)):
            problems.append(Problem(file, node, f"{code} translation has other HTML tags"))
    return problems
