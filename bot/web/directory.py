"""📒 Directory: the help-directory entries this lead keeps (the bot's own /directory area:
the municipalities of their organisations' groups; admins every entry in the database),
marked when due for a check; an entry's edit form, read by the CSV import's own schema;
"checked today"; a CSV upload that imports every row or none; the CSV export.

Every request works out the area again and loads the entry fresh: an entry outside it
answers 404, the same as one that does not exist. Changes are the bot's own
(`bot.core.directory.store.keep`): who and when on the entry, and in the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response
from starlette.routing import Route

from bot.core.csvimport import CsvError, CsvProblem, read_record, write_rows
from bot.core.directory import cards, manage, store
from bot.core.directory.schema import (
    COLUMNS,
    LANGS,
    NATIONAL,
    OPTIONAL,
    THEMES,
    EntryRow,
    dutch_phone,
    to_cells,
    updated,
)
from bot.i18n import N_, _, language_name
from bot.storage import directory as repo
from bot.web import shown
from bot.web.site import Page, Visit, lead

UPLOAD_LIMIT = 2_000_000  # bytes: thousands of entries
FLAGS = {"appointment_only": N_("By appointment only"),
         "temporarily_closed": N_("Temporarily closed")}
CONTACT = {"phone": N_("Phone"), "website": N_("Website"), "email": N_("E-mail"),
           "address": N_("Street and number"), "postcode": N_("Postcode"), "city": N_("Town"),
           "latitude": N_("Latitude"), "longitude": N_("Longitude"),
           "opening_hours": N_("Opening hours"), "languages": N_("Languages spoken")}
HINTS = {"opening_hours": manage.FIELDS["oh"][2], "languages": manage.FIELDS["lg"][2],
         "latitude": N_("Decimal degrees, for example 52.0907 and 5.1214.")}
# What to write, per column, when the import's schema refuses a value (the dashboard's
# language; the CSV's own `line N: column: problem` stays as the command line prints it, and
# says enough on its own for the kind and the yes/no cells).
FIXES = {
    "name": N_("Write a name of 2 to 120 characters."),
    "themes": N_("Choose at least one theme."),
    "municipalities": manage.AREA_HINT,
    "phone": manage.FIELDS["ph"][2], "website": manage.FIELDS["wb"][2],
    "email": manage.FIELDS["em"][2], "postcode": manage.FIELDS["pc"][2],
    "opening_hours": manage.FIELDS["oh"][2], "languages": manage.FIELDS["lg"][2],
    "latitude": N_("Give both latitude and longitude inside the Netherlands, or neither."),
    "longitude": N_("Give both latitude and longitude inside the Netherlands, or neither."),
    "source": N_("Say where the information comes from (at most 200 characters)."),
    "last_checked": N_("Write the date as year-month-day, for example 2026-12-06."),
    "row": N_("These values do not fit together: give latitude and longitude both or "
              "neither; a gemeente office serves exactly one municipality."),
}
LONG = N_("This is too long.")


@dataclass(frozen=True)
class Line:
    """One entry in the table."""

    row: EntryRow
    themes: str
    places: str
    phone: str
    checked: str
    due: bool


@dataclass(frozen=True)
class Field:
    """One input of the edit form: its column, label, value, and what is wrong with it."""

    column: str
    label: str
    value: str
    error: str = ""
    hint: str = ""
    lang: str = ""  # the language a description or a name is written in
    long: bool = False  # a text area


@dataclass(frozen=True)
class Problem:
    """One bad cell of an uploaded file, with what to write instead."""

    line: int
    column: str
    problem: str
    fix: str


def fix(column: str) -> str:
    """What to write in this column, in the viewer's language."""
    if column.startswith(("description_", "name_", "address", "city")):
        return _(LONG)
    return _(FIXES[column]) if column in FIXES else ""


def _themes(row: EntryRow) -> str:
    return ", ".join(shown.label(cards.THEME_LABELS[t]) for t in row.themes)


def place(code: str) -> str:
    """A municipality by name, or the whole country."""
    return shown.label(N_("🇳🇱 Whole country")) if code == NATIONAL else shown.place(code)


def _line(row: EntryRow, today: date) -> Line:
    return Line(row, _themes(row), ", ".join(place(c) for c in row.municipalities),
                dutch_phone(row.phone) if row.phone else "", row.last_checked.isoformat(),
                manage.due_for_check(row, today))


async def _area(session: AsyncSession, visit: Visit) -> frozenset[str] | None:
    return await manage.area_of(session, visit.viewer.actor)


async def directory(visit: Visit, problems: Iterable[CsvProblem] = (), error: str = "",
                    status: int = 200) -> Response:
    """GET /directory?due=1: the entries of this lead's area, those due for a check
    marked (or only those); the upload form and the export."""
    query = visit.request.query_params
    only_due = query.get("due") == "1"
    today = visit.today()
    async with visit.dashboard.core.db.session() as session:
        rows = await manage.kept(session, await _area(session, visit))
    lines = sorted((_line(r, today) for r in rows), key=lambda x: x.row.name.casefold())
    due = sum(1 for line in lines if line.due)
    numbers = {k: int(query[k]) for k in ("added", "updated") if query.get(k, "").isdigit()}
    return visit.render(
        "directory.html", status, lines=[x for x in lines if x.due or not only_due],
        total=len(lines), due=due, only_due=only_due, imported=numbers, error=error,
        problems=[Problem(p.line, p.column, p.problem, fix(p.column)) for p in problems])


async def _kept(session: AsyncSession, visit: Visit) -> tuple[EntryRow, frozenset[str] | None]:
    """The entry of the URL and the area, if this lead keeps it; LookupError otherwise."""
    stored = await repo.get(session, visit.request.path_params["entry"])
    where = await _area(session, visit)
    row = store.to_row(stored) if stored else None
    if row is None or not manage.may_keep(where, row):
        raise LookupError
    return row, where


async def _offered(session: AsyncSession, row: EntryRow,
                   where: frozenset[str] | None) -> list[str]:
    """The municipalities the form lets this lead switch (the bot's own choices; an admin
    also the entry's own)."""
    codes = await manage.choices(session, where)
    if where is None:
        codes = [*codes, *(c for c in row.municipalities if c not in codes)]
    return sorted(codes, key=lambda c: (c == NATIONAL, place(c)))


async def entry(visit: Visit) -> Response:
    """GET /directory/entries/<id>: the entry's form, and "checked today"."""
    async with visit.dashboard.core.db.session() as session:
        try:
            row, where = await _kept(session, visit)
        except LookupError:
            return visit.not_found()
        offered = await _offered(session, row, where)
    done = visit.request.query_params.get("done", "")
    return _form(visit, row, offered, _row_cells(row), errors={}, done=done)


def _row_cells(row: EntryRow) -> dict[str, str]:
    """The entry as a CSV row, its municipalities as CBS codes (the form's values)."""
    return to_cells(row) | {"municipalities": "; ".join(row.municipalities)}


def _form(visit: Visit, row: EntryRow, offered: list[str], cells: dict[str, str], *,
          errors: dict[str, str], status: int = 200, done: str = "") -> Response:
    """The edit form with these values (as typed, after a refusal) and their problems."""
    chosen = set(cells["municipalities"].split("; "))
    return visit.render(
        "directory_entry.html", status, row=row, done=done, errors=errors,
        due=manage.due_for_check(row, visit.today()),
        kinds=[(k, shown.label(name)) for k, name in manage.KIND_LABELS.items()],
        kind=cells["kind"],
        themes=[(t, shown.label(cards.THEME_LABELS[t]), t in cells["themes"].split("; "))
                for t in THEMES],
        places=[(c, place(c), c in chosen) for c in offered],
        others=", ".join(place(c) for c in row.municipalities if c not in offered),
        name=Field("name", _("Name"), cells["name"], errors.get("name", "")),
        texts=_texts(cells, errors), contact=_contact(cells, errors),
        flags=[(k, _(label), cells[k] == "yes") for k, label in FLAGS.items()],
        source=Field("source", _("Source"), cells["source"], errors.get("source", "")))


def _texts(cells: dict[str, str], errors: dict[str, str]) -> list[Field]:
    """Descriptions, then names in a reader's own script, one per language."""
    return [Field(f"{part}_{lang}", label.format(language=language_name(lang)),
                  cells[f"{part}_{lang}"], errors.get(f"{part}_{lang}", ""), lang=lang,
                  long=part == "description")
            for part, label in (("description", _("Description ({language})")),
                                ("name", _("Name in {language} (if it is written "
                                           "differently)")))
            for lang in LANGS]


def _contact(cells: dict[str, str], errors: dict[str, str]) -> list[Field]:
    return [Field(column, _(label), cells[column], errors.get(column, ""),
                  _(HINTS[column]) if column in HINTS else "")
            for column, label in CONTACT.items()]


def _cells(form: FormData, row: EntryRow, offered: list[str]) -> dict[str, str]:
    """The form as one CSV row (the id, the date and what the form does not offer stay as
    they were), so the import's own schema reads it."""
    cells = _row_cells(row)
    for column in ("kind", "name", "source", *CONTACT,
                   *(f"{part}_{lang}" for part in ("description", "name") for lang in LANGS)):
        cells[column] = str(form.get(column, ""))
    picked = set(map(str, form.getlist("municipalities")))
    codes = [c for c in row.municipalities if c not in offered] + \
        [c for c in offered if c in picked]
    cells["municipalities"] = "; ".join(codes)
    cells["themes"] = "; ".join(t for t in THEMES if t in set(map(str, form.getlist("themes"))))
    for flag in FLAGS:
        cells[flag] = "yes" if form.get(flag) else "no"
    return cells


async def save(visit: Visit) -> Response:
    """POST /directory/entries/<id>: checked as an imported row is, saved, audited."""
    form = await visit.request.form()
    core = visit.dashboard.core
    async with core.db.session() as session:
        try:
            row, where = await _kept(session, visit)
        except LookupError:
            return visit.not_found()
        offered = await _offered(session, row, where)
        cells = _cells(form, row, offered)
        read = read_record(EntryRow, cells)
        if not isinstance(read, list) and not manage.may_keep(where, read):
            read = [("municipalities", "")]  # it would leave the area: not theirs to do
        if isinstance(read, list):
            errors = {column: fix(column) for column, _problem in reversed(read)}
            return _form(visit, row, offered, cells, errors=errors, status=400)
        await store.keep(session, read, core.clock(), visit.viewer.user.id)
    return visit.go(f"/directory/entries/{row.id}?done=saved")


async def checked(visit: Visit) -> Response:
    """POST /directory/entries/<id>/checked: the bot's ✅ Still correct."""
    core = visit.dashboard.core
    async with core.db.session() as session:
        try:
            row, _where = await _kept(session, visit)
        except LookupError:
            return visit.not_found()
        await store.keep(session, updated(row, last_checked=visit.today()), core.clock(),
                         visit.viewer.user.id, "check")
    return visit.go(f"/directory/entries/{row.id}?done=checked")


async def upload(visit: Visit) -> Response:
    """POST /directory/import (multipart): every row of the file or none, in the area."""
    form = await visit.request.form()
    file = form.get("file")
    data = await file.read(UPLOAD_LIMIT + 1) if isinstance(file, UploadFile) else b""
    if not data:
        return await directory(visit, error=_("Choose a CSV file to upload."), status=400)
    if len(data) > UPLOAD_LIMIT:
        return await directory(visit, error=_("The file is larger than {size} MB.").format(
            size=UPLOAD_LIMIT // 1_000_000), status=400)
    core = visit.dashboard.core
    try:
        async with core.db.session() as session:
            where = await _area(session, visit)
            known = {r.id: r for r in await store.local(session)}
            rows = store.read_file(data, store.national_ids(), manage.in_area(where, known))
            done = await store.upload(session, rows, core.clock(), visit.viewer.user.id)
    except CsvError as error:  # raised before anything was written: nothing changed
        return await directory(visit, error.problems, status=400)
    return visit.go(f"/directory?added={done.added}&updated={done.updated}")


async def export(visit: Visit) -> Response:
    """GET /directory/export.csv: this lead's entries as the import reads them."""
    async with visit.dashboard.core.db.session() as session:
        rows = await manage.kept(session, await _area(session, visit))
    columns = (*COLUMNS, *OPTIONAL)
    return Response(write_rows([to_cells(r) for r in rows], columns),
                    media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="directory.csv"'})


PAGE = Page("directory", N_("Directory"), "/directory", [
    Route("/directory", lead(directory), methods=["GET"]),
    Route("/directory/export.csv", lead(export), methods=["GET"]),
    Route("/directory/import", lead(upload), methods=["POST"]),
    Route("/directory/entries/{entry}", lead(entry), methods=["GET"]),
    Route("/directory/entries/{entry}", lead(save), methods=["POST"]),
    Route("/directory/entries/{entry}/checked", lead(checked), methods=["POST"]),
])
