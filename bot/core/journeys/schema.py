"""The journey format (flows/README.md) as typed models; pydantic checks the shape."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.core.municipalities import all_municipalities

NodeId = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,24}$")]
JourneyId = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,16}$")]
Situation = Literal["refugee", "family", "eu", "other"]
Text = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    """Unknown keys are mistakes (a typo like `nxt:` would silently end a journey)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Link(Strict):
    """An official page the step points to."""

    label: Text
    url: Annotated[str, Field(pattern=r"^https?://\S+$")]


class Choice(Strict):
    """An extra button that branches."""

    label: Text
    next: NodeId


class Case(Strict):
    """Users whose profile value is in `when` go to `next`."""

    when: list[str] = Field(min_length=1)
    next: NodeId


class Router(Strict):
    """Picks the next node from the user's profile; has no text of its own.

    situation: refugee | family | eu | other; children: yes | no;
    municipality: CBS codes such as GM0363. Unknown or skipped answers take `default`.
    """

    field: Literal["situation", "children", "municipality"]
    cases: list[Case]
    default: NodeId

    @model_validator(mode="after")
    def _known_values(self) -> Router:
        allowed = _allowed_values(self.field)
        wrong = sorted({v for case in self.cases for v in case.when} - allowed)
        if wrong:
            raise ValueError(f"unknown {self.field} value(s): {', '.join(wrong)}")
        return self


def _allowed_values(field: str) -> set[str]:
    if field == "situation":
        return set(get_args(Situation))
    if field == "children":
        return {"yes", "no"}
    return set(all_municipalities())


TaskCategory = Literal["housing", "registration", "inburgering", "health", "work", "school",
                       "social", "other"]


class GroupTask(Strict):
    """A step the newcomer can hand to their sponsor group as a task ("Ask my group")."""

    category: TaskCategory
    title: Annotated[str, Field(min_length=3, max_length=120)]


class FollowUp(Strict):
    """"Not yet" on this step schedules a question N days later ("Has your letter come?")."""

    days: Annotated[int, Field(ge=1, le=60)]
    question: Text


class Node(Strict):
    """A router, or a step: one phone screen with its sources."""

    id: NodeId
    router: Router | None = None
    text: Text | None = None
    check: Text | None = None
    links: list[Link] = []
    sources: list[str] = []
    last_checked: date | None = None
    review_by: date | None = None  # a ⚠️ fact (changes yearly, pending, old source): recheck by
    next: NodeId | None = None
    choices: list[Choice] = []
    group_task: GroupTask | None = None
    follow_up: FollowUp | None = None
    question: bool = False  # the choices are the answers: no "Done", an answer ticks the step

    @model_validator(mode="after")
    def _router_or_step(self) -> Node:
        if self.router is not None:
            if (self.text or self.check or self.links or self.choices or self.next
                    or self.group_task or self.follow_up or self.question or self.review_by):
                raise ValueError("a router node has only `router`")
        elif not self.text or not self.sources or self.last_checked is None:
            raise ValueError("a step needs `text`, `sources` and `last_checked`")
        if self.question and len(self.choices) < 2:
            raise ValueError("a question needs at least two `choices` to answer with")
        return self

    def fields(self) -> list[tuple[str, str]]:
        """(field, text) of every translatable string of this node, in reading order."""
        found = [(f, t) for f, t in (("text", self.text), ("check", self.check)) if t]
        found += [(f"link{i}", link.label) for i, link in enumerate(self.links)]
        found += [(f"choice{i}", choice.label) for i, choice in enumerate(self.choices)]
        found += [("task", self.group_task.title)] if self.group_task else []
        found += [("follow_up", self.follow_up.question)] if self.follow_up else []
        return found

    @property
    def is_step(self) -> bool:
        """Steps are shown; routers are passed through."""
        return self.router is None

    def targets(self) -> list[str]:
        """Every node this one can lead to."""
        if self.router is not None:
            return [case.next for case in self.router.cases] + [self.router.default]
        return ([self.next] if self.next else []) + [c.next for c in self.choices]


class Audience(Strict):
    """Who a journey is for (`for:` in the file); a field left out means everyone."""

    situation: list[Situation] | None = Field(default=None, min_length=1)
    children: bool | None = None  # true: only people with children under 18

    def fits(self, profile: Mapping[str, str | None]) -> bool:
        """Whether it applies; an answer the person skipped never hides a journey."""
        situation, children = profile.get("situation"), profile.get("children")
        if self.situation is not None and situation is not None \
                and situation not in self.situation:
            return False
        return not (self.children is True and children == "no")


class Journey(Strict):
    """One journey file."""

    spec_version: Literal[1]
    journey: JourneyId
    version: int
    title: Text
    audience: Audience = Field(default=Audience(), alias="for")
    start: NodeId
    nodes: list[Node]

    def node(self, node_id: str) -> Node:
        """A node by id (the loader has checked that ids exist)."""
        return next(n for n in self.nodes if n.id == node_id)

    def has(self, node_id: str) -> bool:
        """Whether a node exists (stored progress may predate a content update)."""
        return any(n.id == node_id for n in self.nodes)

    def keyed_texts(self) -> list[tuple[str, str, str]]:
        """(msgctxt, node id, text) for every translatable string: the msgctxt names the
        text's place, so a translation survives an edit of its English (locales/README.md)."""
        found = [(self.context("title"), "title", self.title)]
        for node in self.nodes:
            found += [(self.context(node.id, field), node.id, text)
                      for field, text in node.fields()]
        return found

    def context(self, node_id: str, field: str | None = None) -> str:
        """The msgctxt of one text: journey:<journey>:<node>:<field> (or :title)."""
        return f"journey:{self.journey}:{node_id}" + (f":{field}" if field else "")
