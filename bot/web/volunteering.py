"""🤲 Volunteering: the opportunities this lead keeps (the bot's own /volunteering area: the
municipalities of their organisations' groups; admins every one, also online ones), with
free places by the bot's own rule, who waits for an answer, and this month's numbers; a
"Close" per row that tells those waiting; a CSV upload that imports every row or none;
the CSV export.

Every request works out the area again and loads the opportunity fresh: one outside it
answers 404, the same as one that does not exist. Closing is the bot's own
(`bot.core.volunteer.closing.close_by`): those waiting are told, and it is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile
from starlette.responses import Response
from starlette.routing import Route

from bot.core.csvimport import CsvError, CsvProblem, write_rows
from bot.core.directory.manage import area_of
from bot.core.volunteer import cards, closing, manage, report, store
from bot.core.volunteer.schema import COLUMNS, OPTIONAL, to_cells
from bot.core.volunteer.suggest import offer_of
from bot.i18n import N_, _
from bot.storage import audit
from bot.storage import volunteer as repo
from bot.storage import volunteer_admin as admin_repo
from bot.storage.volunteer import Stored
from bot.web import directory, shown
from bot.web.site import Page, Visit, lead

UPLOAD_LIMIT = 2_000_000  # bytes: thousands of opportunities
# What to write, per column, when the import refuses a value (the CSV's own
# `line N: column: problem` stays as the command line prints it).
FIXES = {
    "municipality": N_("Name a municipality of your area. Online opportunities without a "
                       "municipality are kept by an admin."),
    "contact_phone": directory.FIXES["phone"], "contact_email": directory.FIXES["email"],
    "last_checked": directory.FIXES["last_checked"],
}


@dataclass(frozen=True)
class Line:
    """One opportunity in the table."""

    id: str
    title: str  # the Dutch one, as coordinators write it
    organisation: str
    kind: str
    where: str
    free: int
    places: int
    waiting: int
    checked: str
    stale: bool
    closed: bool


def fix(column: str) -> str:
    """What to write in this column, in the viewer's language."""
    return _(FIXES[column]) if column in FIXES else ""


def _where(stored: Stored) -> str:
    """The municipality, online, or both."""
    o = stored.opportunity
    online = shown.label(N_("🌐 Online")) if o.online else ""
    return " · ".join(p for p in (shown.place(o.municipality) if o.municipality else "",
                                  online) if p)


def _line(stored: Stored, taken: int, waiting: int, today: date) -> Line:
    o = stored.opportunity
    return Line(o.id, cards.plain_title(stored), o.organisation,
                shown.label(manage.KIND_LABELS.get(o.kind, manage.KIND_LABELS["place"])),
                _where(stored), max(0, offer_of(stored, taken).free_places), o.places, waiting,
                o.last_checked.isoformat(), o.last_checked < today - manage.STALE_AFTER,
                o.closed)


async def _area(session: AsyncSession, visit: Visit) -> frozenset[str] | None:
    return await area_of(session, visit.viewer.actor)


async def _lines(session: AsyncSession, where: frozenset[str] | None,
                 today: date) -> list[Line]:
    """The area's opportunities with their free places and waiting answers, by title."""
    found = await admin_repo.in_area(session, where)
    ids = [s.opportunity.id for s in found]
    taken, waiting = await repo.taken(session, ids), await admin_repo.waiting(session, ids)
    lines = [_line(s, taken.get(s.opportunity.id, 0), waiting.get(s.opportunity.id, 0), today)
             for s in found]
    return sorted(lines, key=lambda x: x.title.casefold())


def _numbers(lines: list[report.Line], month: date) -> list[list[str]]:
    """The bot's monthly text for the area, as blocks of plain lines (heading first)."""
    return [shown.plain(block).splitlines()
            for block in manage.numbers_text(lines, month).split("\n\n")]


async def volunteering(visit: Visit, problems: Iterable[CsvProblem] = (), error: str = "",
                       status: int = 200) -> Response:
    """GET /volunteering: this month's numbers and the opportunities of this lead's area;
    the upload form and the export."""
    query = visit.request.query_params
    today = visit.today()
    month = today.replace(day=1)
    async with visit.dashboard.core.db.session() as session:
        where = await _area(session, visit)
        lines = await _lines(session, where, today)
        counted = await report.report(session, month, visit.dashboard.core.policy.timezone,
                                      where)
    numbers = {k: int(query[k]) for k in ("added", "updated") if query.get(k, "").isdigit()}
    told = query.get("told", "")
    return visit.render(
        "volunteering.html", status, lines=lines, numbers=_numbers(counted, month),
        close_label=shown.label(N_("⛔ Close")), imported=numbers,
        told=int(told) if told.isdigit() else None, error=error,
        problems=[directory.Problem(p.line, p.column, p.problem, fix(p.column))
                  for p in problems])


async def close(visit: Visit) -> Response:
    """POST /volunteering/<id>/close: the bot's ⛔ Close; those waiting are told."""
    core = visit.dashboard.core
    async with core.db.session() as session:
        stored = await repo.get(session, visit.request.path_params["opportunity"])
        if stored is None or not manage.may_keep(await _area(session, visit), stored):
            return visit.not_found()
        told = await closing.close_by(session, stored.opportunity.id, core.clock(),
                                      visit.viewer.user.id)
    return visit.go(f"/volunteering?told={told}")


async def upload(visit: Visit) -> Response:
    """POST /volunteering/import (multipart): every row of the file or none, in the area."""
    form = await visit.request.form()
    file = form.get("file")
    data = await file.read(UPLOAD_LIMIT + 1) if isinstance(file, UploadFile) else b""
    if not data:
        return await volunteering(visit, error=_("Choose a CSV file to upload."), status=400)
    if len(data) > UPLOAD_LIMIT:
        return await volunteering(visit, error=_("The file is larger than {size} MB.").format(
            size=UPLOAD_LIMIT // 1_000_000), status=400)
    core = visit.dashboard.core
    now, by = core.clock(), visit.viewer.user.id
    try:
        async with core.db.session() as session:
            known = {s.opportunity.id: s for s in await repo.every(session)}
            rows = store.read_file(data, visit.today(),
                                   manage.in_area(await _area(session, visit), known))
            done = await store.import_rows(session, rows, now, by=by)
            audit.record(session, by, "volunteer.import", now, added=done.added,
                         updated=done.updated)
    except CsvError as error:  # raised before anything was written: nothing changed
        return await volunteering(visit, error.problems, status=400)
    return visit.go(f"/volunteering?added={done.added}&updated={done.updated}")


async def export(visit: Visit) -> Response:
    """GET /volunteering/export.csv: this lead's opportunities as the import reads them."""
    async with visit.dashboard.core.db.session() as session:
        found = await admin_repo.in_area(session, await _area(session, visit))
    rows = [to_cells(store.to_row(s)) for s in found]
    return Response(write_rows(rows, (*COLUMNS, *OPTIONAL)),
                    media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="volunteering.csv"'})


PAGE = Page("volunteering", N_("Volunteering"), "/volunteering", [
    Route("/volunteering", lead(volunteering), methods=["GET"]),
    Route("/volunteering/export.csv", lead(export), methods=["GET"]),
    Route("/volunteering/import", lead(upload), methods=["POST"]),
    Route("/volunteering/{opportunity}/close", lead(close), methods=["POST"]),
])
