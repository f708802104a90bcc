"""📊 Insights: how the newcomers within reach are doing, as charts. Every number under
five is left out (no one can be singled out), and no totals are shown (a total minus the
shown bars would give a hidden one away).

- people by language and by municipality;
- a funnel per journey: how many ticked each step, in the journey's order;
- typed questions answered / suggested / unknown per language (the whole bot, last 30
  days), and the unknown questions that five or more newcomers typed in the same words;
- reminders that reached newcomers, per kind; how long questions waited for a person.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from starlette.responses import Response
from starlette.routing import Route

from bot.core.journeys.schema import Journey
from bot.i18n import N_, _
from bot.storage import insights as repo
from bot.web import charts, shown
from bot.web.site import Page, Visit, lead

LEAST = 5  # smaller counts are never shown
PERIOD = timedelta(days=30)
GAPS = 10
DECISIONS = {"answered": N_("answered"), "suggested": N_("suggested"),
             "unknown": N_("unknown")}
WAITS = [(timedelta(hours=1), N_("within an hour")), (timedelta(hours=4), N_("1 to 4 hours")),
         (timedelta(hours=24), N_("4 to 24 hours")), (timedelta.max, N_("more than a day"))]
REMINDERS = {"appointment": N_("appointments"), "followup": N_("journey follow-ups"),
             "checkin": N_("monthly check-ins")}


@dataclass(frozen=True)
class Figures:
    """Everything the page shows, counted in one database session."""

    languages: dict[str, int]
    places: dict[str, int]
    steps: dict[str, dict[str, int]]
    outcomes: dict[tuple[str, str], int]
    gaps: list[tuple[str, str, int]]
    reminders: dict[str, int]
    waits: list[timedelta]


def shown_only(rows: list[tuple[str, int]]) -> tuple[list[tuple[str, int]], int]:
    """The rows of five or more, and how many smaller ones were left out."""
    kept = [(label, n) for label, n in rows if n >= LEAST]
    return kept, len(rows) - len(kept)


async def insights(visit: Visit) -> Response:
    """GET /insights: counted in the database, drawn outside its session (in a thread:
    drawing takes a few milliseconds per chart, and the bot shares this event loop)."""
    actor = visit.viewer.actor
    organisation = None if actor.admin else min(actor.organisations)
    now = visit.dashboard.now()
    async with visit.dashboard.core.db.session() as session:
        figures = Figures(
            await repo.by_language(session, organisation),
            await repo.by_municipality(session, organisation),
            await repo.steps_done(session, organisation),
            await repo.outcomes(session, (now - PERIOD).date()),
            await repo.content_gaps(session, organisation, LEAST, GAPS),
            await repo.reminders_sent(session, organisation),
            await repo.answer_waits(session, organisation, now - PERIOD))
    drawn = await asyncio.to_thread(_draw, figures, visit.dashboard.journeys)
    return visit.render("insights.html", sections=drawn,
                        gaps=[(shown.language(code), text, n) for code, text, n in figures.gaps],
                        least=LEAST)


def _draw(figures: Figures, journeys: dict[str, Journey]) -> list[tuple[charts.Chart, int]]:
    """Each chart with how many bars were left out (under five)."""
    drawn = [
        _bars(_("People by language"), sorted(
            ((shown.language(code), n) for code, n in figures.languages.items()),
            key=lambda row: -row[1])),
        _bars(_("People by municipality"), sorted(
            ((shown.place(code), n) for code, n in figures.places.items()),
            key=lambda row: -row[1])),
    ]
    for journey in journeys.values():
        done = figures.steps.get(journey.journey, {})
        steps = [(_step_label(node.check or node.text or node.id), done.get(node.id, 0))
                 for node in journey.nodes if node.text is not None]
        drawn.append(_bars(_("Steps done: {journey}").format(journey=_(journey.title)), steps))
    drawn.append(_outcomes(figures.outcomes))
    drawn.append(_bars(_("Reminders that reached newcomers"), [
        (_(REMINDERS.get(kind, kind)), n) for kind, n in sorted(figures.reminders.items())]))
    drawn.append(_bars(_("Time until a person answered (last 30 days)"), _waits(figures.waits)))
    return drawn


def _bars(title: str, rows: list[tuple[str, int]]) -> tuple[charts.Chart, int]:
    kept, hidden = shown_only(rows)
    return charts.bars(title, kept), hidden


def _step_label(text: str) -> str:
    """A step by its checklist line or the first line of its text, in the viewer's language."""
    line = shown.plain(_(text)).strip().splitlines()[0] if text.strip() else text
    return line if len(line) <= 48 else line[:47] + "…"


def _outcomes(counts: dict[tuple[str, str], int]) -> tuple[charts.Chart, int]:
    """Answered / suggested / unknown, side by side per language."""
    codes = sorted({code for code, _decision in counts})
    hidden = sum(1 for n in counts.values() if n < LEAST)
    series = [(_(label), [n if (n := counts.get((code, decision), 0)) >= LEAST else None
                          for code in codes]) for decision, label in DECISIONS.items()]
    title = _("Typed questions per language, whole bot (last 30 days)")
    return charts.grouped(title, [shown.language(code) for code in codes], series), hidden


def _waits(waits: list[timedelta]) -> list[tuple[str, int]]:
    counts = [0] * len(WAITS)
    for wait in waits:
        counts[next(i for i, (limit, _label) in enumerate(WAITS) if wait < limit)] += 1
    return [(_(label), n) for (_limit, label), n in zip(WAITS, counts, strict=True)]


PAGE = Page("insights", N_("Insights"), "/insights", [
    Route("/insights", lead(insights), methods=["GET"]),
])
