"""flows/directory/links.yaml: which FAQ answers and journey steps offer "📍 Help near me"
for a theme, and which name the person's gemeente.

The links live beside the directory rather than in the FAQ and journey files, so the
content of those files can change without touching them; startup checks that every
link names an existing answer or step and a known theme, and that the national set
(flows/directory/national.csv) reads without a problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from bot.core import yamlfile
from bot.core.content import JourneyError, Problem
from bot.core.csvimport import CsvError
from bot.core.directory.schema import Theme
from bot.core.directory.store import FOLDER, NATIONAL_FILE, national
from bot.core.faq.schema import Entry
from bot.core.journeys.schema import Journey

LINKS = FOLDER / "links.yaml"
# Text that sends people to their gemeente names it beneath, whatever the links say.
ASKS_GEMEENTE = re.compile(r"\b(?:ask|contact|call) (?:your|the) gemeente\b", re.IGNORECASE)


class DirectoryError(JourneyError):
    """The directory's content files are broken (one problem per line)."""


class Link(BaseModel):
    """What an answer or step shows beneath it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    theme: Theme | None = None
    ask_gemeente: bool = False


class LinksFile(BaseModel):
    """The whole file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    spec_version: Literal[1]
    faq: dict[str, Link] = {}
    steps: dict[str, Link] = {}


@cache
def links(path: Path = LINKS) -> LinksFile:
    """The links, read once (check_content has checked them at startup)."""
    return LinksFile.model_validate(yamlfile.parse(path.read_text(encoding="utf-8")))


def for_answer(entry_id: str) -> Link:
    """The link of an FAQ answer (none: no theme, gemeente only if its text asks)."""
    return links().faq.get(entry_id, Link())


def for_step(journey: str, node: str) -> Link:
    """The link of a journey step."""
    return links().steps.get(f"{journey}:{node}", Link())


def check_content(journeys: Mapping[str, Journey], answers: Mapping[str, Entry],
                  path: Path = LINKS) -> None:
    """Every link names a real answer or step; the national set reads cleanly."""
    problems: list[Problem] = []
    name = f"flows/directory/{path.name}"
    try:
        parsed = links(path)
    except (yaml.YAMLError, ValidationError) as error:
        raise DirectoryError([Problem(name, "-", f"not a links file: {error}")]) from None
    problems += [Problem(name, key, "no FAQ answer has this id")
                 for key in parsed.faq if key not in answers]
    for key in parsed.steps:
        journey, _sep, node = key.partition(":")
        if journey not in journeys or not journeys[journey].has(node):
            problems.append(Problem(name, key, "no journey step has this id"))
    try:
        national(NATIONAL_FILE)
    except CsvError as error:
        problems += [Problem(f"flows/directory/{NATIONAL_FILE.name}", f"line {p.line}",
                             f"{p.column}: {p.problem}") for p in error.problems]
    if problems:
        raise DirectoryError(problems)
