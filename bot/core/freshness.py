"""Every text the bot says as fact, with its sources and dates: what is due for a check.

Journeys, FAQ answers and the support plan carry `sources`, `last_checked` and, for ⚠️
facts, `review_by` in their files; the crisis and help texts carry them beside their code
(bot/core/crisis.py, bot/core/menu.py). The content report lists them all, and startup
warns about the overdue ones (it never refuses to start over a date).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.core import crisis, menu
from bot.core.faq.schema import Entry
from bot.core.groups.plan import Plan
from bot.core.groups.plan import context as plan_context
from bot.core.journeys.schema import Journey
from bot.core.sources import Sourced
from bot.core.volunteer import labels as volunteer
from bot.i18n import SOURCE_LANGUAGE, use_locale

log = logging.getLogger("wegwijs.content")
MAX_AGE = timedelta(days=365)  # a fact nobody looked at for a year is due, ⚠️ or not


@dataclass(frozen=True)
class TextNode:
    """One place the bot states facts: its texts (msgctxt or None, English) and sources."""

    kind: str  # journey | faq | plan | crisis | help
    id: str
    texts: tuple[tuple[str | None, str], ...]
    sourced: Sourced


def text_nodes(journeys: Iterable[Journey], answers: Iterable[Entry],
               plan: Plan) -> list[TextNode]:
    """Every node, in the order a reader meets them: journeys, FAQ, plan, crisis, help."""
    nodes = [node for journey in journeys for node in _journey_nodes(journey)]
    nodes += [TextNode("faq", e.id, tuple(e.keyed_texts()),
                       Sourced(tuple(e.sources), e.last_checked, e.review_by)) for e in answers]
    nodes += [TextNode("plan", item.id, ((plan_context(item.id), item.title),),
                       Sourced(tuple(item.sources), plan.last_checked, item.review_by))
              for item in plan.items()]
    return nodes + code_nodes()


def _journey_nodes(journey: Journey) -> list[TextNode]:
    nodes = []
    for node in journey.nodes:
        if node.is_step and node.last_checked is not None:
            texts = tuple((journey.context(node.id, f), t) for f, t in node.fields())
            nodes.append(TextNode("journey", f"{journey.journey}:{node.id}", texts,
                                  Sourced(tuple(node.sources), node.last_checked,
                                          node.review_by)))
    return nodes


def code_nodes() -> list[TextNode]:
    """The crisis and help texts, which live in code (their English is the msgid)."""
    with use_locale(SOURCE_LANGUAGE):
        nodes = [TextNode("crisis", kind, ((None, crisis.crisis_text(kind)),), sourced)
                 for kind, sourced in crisis.SOURCED.items()]
        nodes += [TextNode("crisis", name, ((None, text),), crisis.LINES_SOURCED)
                  for name, text in crisis.lines().items()]
        nodes.append(TextNode("help", "emergency", ((None, menu.emergency_text()),),
                              menu.EMERGENCY_SOURCED))
        nodes.append(TextNode("help", "volunteer-asylum", ((None, volunteer.asylum_note()),),
                              volunteer.ASYLUM_SOURCED))
    return nodes


def due(node: TextNode, today: date) -> str | None:
    """Why a node needs a person to check it now, or None."""
    review_by, checked = node.sourced.review_by, node.sourced.last_checked
    if review_by is not None and review_by <= today:
        return f"review by {review_by}"
    if today - checked > MAX_AGE:
        return f"last checked {checked}, over a year ago"
    return None


def warn_overdue(nodes: Iterable[TextNode], today: date) -> int:
    """Log one warning per overdue node (startup goes on); the number of them."""
    count = 0
    for node in nodes:
        reason = due(node, today)
        if reason is not None:
            count += 1
            log.warning("content due for a check: %s %s (%s)", node.kind, node.id, reason,
                        extra={"node": f"{node.kind}:{node.id}"})
    return count
