"""The 12-month support plan template (flows/support_plan.yaml): schema, checks, extraction.

A group can start from it: every item becomes a task due `due_days` after the arrival
date. Titles (for the group) and newcomer texts (for the newcomer, in 🤝 My group) are
English msgids, translated for each reader like journey texts.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import IO, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core import yamlfile
from bot.core.content import FLOWS, known_sources, translation_problems

PLAN = FLOWS / "support_plan.yaml"
Category = Literal["housing", "registration", "inburgering", "health", "work", "school",
                   "social", "other"]
Id = Field(pattern=r"^[a-z0-9_]{1,20}$")


class Item(BaseModel):
    """One task of the plan."""

    model_config = ConfigDict(extra="forbid")
    id: str = Id
    title: str = Field(min_length=3, max_length=120)
    newcomer: str = Field(min_length=3, max_length=90)  # the task as the newcomer reads it
    category: Category
    due_days: int = Field(ge=0, le=365)
    visible: bool
    sources: list[str] = Field(min_length=1)
    review_by: date | None = None  # a ⚠️ fact (changes yearly, pending, old source): recheck by


class Phase(BaseModel):
    """A stretch of the year: arrival week, first month, …"""

    model_config = ConfigDict(extra="forbid")
    id: str = Id
    title: str
    items: list[Item] = Field(min_length=1)


class Plan(BaseModel):
    """The whole template."""

    model_config = ConfigDict(extra="forbid")
    spec_version: Literal[1]
    last_checked: date
    phases: list[Phase] = Field(min_length=1)

    def items(self) -> Iterator[Item]:
        """Every item, in plan order."""
        for phase in self.phases:
            yield from phase.items

    def keyed_texts(self) -> Iterator[tuple[str, str, str]]:
        """(msgctxt, id, text): plan:phase:<id> for a phase, plan:<id> for an item's title,
        plan:<id>:newcomer for its newcomer text (a phase and an item may share an id)."""
        for phase in self.phases:
            yield f"plan:phase:{phase.id}", phase.id, phase.title
            for item in phase.items:
                yield context(item.id), item.id, item.title
                yield context(f"{item.id}:newcomer"), f"{item.id}:newcomer", item.newcomer

    def item(self, task_source: str | None) -> Item | None:
        """The item a task was made from (its source is `plan:<id>`), if it still exists."""
        if not task_source or not task_source.startswith("plan:"):
            return None
        wanted = task_source.removeprefix("plan:")
        return next((i for i in self.items() if i.id == wanted), None)


def context(item: str) -> str:
    """The msgctxt of an item's title: plan:<id>."""
    return f"plan:{item}"


class PlanError(Exception):
    """The plan file is broken; the message names every problem."""


@cache
def load_plan(path: Path = PLAN) -> Plan:
    """Read and check the plan once; problems stop startup with a clear message."""
    plan = read_plan(path)
    problems = check(plan)
    if problems:
        raise PlanError("\n".join(f"{path.name}: {p}" for p in problems))
    return plan


def read_plan(path: Path = PLAN) -> Plan:
    """The plan's shape only (the content report reads it also while translations lag)."""
    try:
        return Plan.model_validate(yamlfile.parse(path.read_text(encoding="utf-8")))
    except ValidationError as error:
        raise PlanError(f"{path.name}: {error}") from error


def check(plan: Plan) -> list[str]:
    """Unique ids, known sources, every text translated in every catalog."""
    problems = []
    ids = [item.id for item in plan.items()]
    problems += [f"item '{i}' appears twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    problems += [f"item '{item.id}': unknown source {s}" for item in plan.items()
                 for s in item.sources if s not in known_sources()]
    problems += [f"'{p.node}': {p.problem}" for key, node, text in plan.keyed_texts()
                 for p in translation_problems("support_plan.yaml", node, key, text)]
    return problems


def due(item: Item, start: date) -> date:
    """An item's due date for a group whose newcomer arrived on `start`."""
    return start + timedelta(days=item.due_days)


def extract_plan(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Babel extractor: the plan's texts go into the same catalogs as the interface."""
    plan = Plan.model_validate(yamlfile.parse(fileobj.read().decode("utf-8")))
    for key, node, text in plan.keyed_texts():
        yield 0, "pgettext", (key, text), [f"flows/support_plan.yaml:{node}"]
