"""Loads the FAQ files and checks them like journeys: shape, sources, links, translations."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.core import yamlfile
from bot.core.content import (
    FLOWS,
    Problem,
    known_sources,
    shape_problem,
    translation_problems,
)
from bot.core.faq.schema import Entry, FaqFile, Phrasings
from bot.core.journeys.schema import Journey

FAQ = FLOWS / "faq"


class FaqError(Exception):
    """FAQ files are broken; one problem per line, with file and entry."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def load_faq(journeys: dict[str, Journey], directory: Path = FAQ,
             translations: bool = True) -> dict[str, Entry]:
    """Every entry by id, or FaqError naming every problem."""
    entries: dict[str, Entry] = {}
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.yaml")):
        name = f"flows/faq/{path.name}"
        try:
            raw = yamlfile.parse(path.read_text(encoding="utf-8"))
            parsed = FaqFile.model_validate(raw)
        except yaml.YAMLError as exc:
            problems.append(Problem(name, "-", f"not valid YAML: {exc}"))
            continue
        except ValidationError as exc:
            problems += [shape_problem(name, raw, e, "entries") for e in exc.errors()]
            continue
        for entry in parsed.entries:
            if entry.id in entries:
                problems.append(Problem(name, entry.id, "id used twice"))
            entries[entry.id] = entry
            problems += _entry_problems(name, entry, journeys, translations)
    entries = _with_phrasings(entries, directory / "phrasings", problems)
    if problems:
        raise FaqError(problems)
    return entries


def _with_phrasings(entries: dict[str, Entry], folder: Path,
                    problems: list[Problem]) -> dict[str, Entry]:
    """Add the extra phrasings per language (matching data, not shown) to their entries."""
    extra: dict[str, dict[str, list[str]]] = {}
    for path in sorted(folder.glob("*.yaml")):
        name = f"flows/faq/phrasings/{path.name}"
        try:
            parsed = Phrasings.model_validate(yamlfile.parse(path.read_text(encoding="utf-8")))
        except (yaml.YAMLError, ValidationError) as exc:
            problems.append(Problem(name, "-", f"not a phrasing file: {exc}"))
            continue
        for entry_id, texts in parsed.phrasings.items():
            if entry_id not in entries:
                problems.append(Problem(name, entry_id, "no FAQ entry has this id"))
            extra.setdefault(entry_id, {}).setdefault(parsed.lang, []).extend(texts)
    merged = {}
    for key, entry in entries.items():
        more = extra.get(key, {})
        match = {lang: [*entry.match.get(lang, []), *more.get(lang, [])]
                 for lang in {**entry.match, **more}}  # a language may come only from phrasings
        merged[key] = entry.model_copy(update={"match": match})
    return merged


def _entry_problems(file: str, entry: Entry, journeys: dict[str, Journey],
                    translations: bool) -> list[Problem]:
    problems = [Problem(file, entry.id, f"unknown source '{s}'")
                for s in entry.sources if s not in known_sources()]
    if entry.journey is not None:
        journey_id, _, node = entry.journey.partition(":")
        if journey_id not in journeys or not journeys[journey_id].has(node):
            problems.append(Problem(file, entry.id, f"journey step '{entry.journey}' not found"))
    if translations:
        problems += [problem for context, text in entry.keyed_texts()
                     for problem in translation_problems(file, entry.id, context, text)]
    return problems


def everyday_questions(folder: Path = FAQ) -> list[str]:
    """Every way people ask an ordinary question (the match lists and the phrasings, not the
    crisis entries): the calm examples the safety net and small talk learn from."""
    return list(_everyday(folder))


@cache
def _everyday(folder: Path) -> tuple[str, ...]:
    """Read once per process: two models learn from the same thousands of lines."""
    texts: list[str] = []
    for path in sorted(folder.glob("*.yaml")):
        for entry in yamlfile.parse(path.read_text(encoding="utf-8"))["entries"]:
            if not str(entry["id"]).startswith("crisis."):
                texts += [str(t) for phrases in entry["match"].values() for t in phrases]
    for path in sorted((folder / "phrasings").glob("*.yaml")):
        phrasings = yamlfile.parse(path.read_text(encoding="utf-8"))["phrasings"]
        texts += [str(t) for entry, phrases in phrasings.items()
                  if not entry.startswith("crisis.") for t in phrases]
    return tuple(texts)
