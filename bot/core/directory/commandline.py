"""`python main.py directory import|export|search`: the directory for coordinators and
admins who keep it in a spreadsheet, and for checking what a person would be shown."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import phonenumbers

from bot.core.csvimport import CsvError, write_rows
from bot.core.directory import hsds, search, store
from bot.core.directory.schema import (
    COLUMNS,
    LANGS,
    OPTIONAL,
    EntryRow,
    dutch_phone,
    read_municipality,
    to_cells,
)
from bot.core.municipalities import all_municipalities
from bot.storage.db import Database


@dataclass(frozen=True)
class Options:
    """What the command line asked for."""

    action: str  # import, export or search
    file: Path | None = None
    replace: bool = False
    format: str = "csv"
    municipality: str | None = None
    theme: str | None = None
    lang: str | None = None
    json: bool = False


async def run(db: Database, options: Options, out: TextIO, err: TextIO) -> int:
    """Run one action on a migrated database; 0 done, 1 a bad file, 2 a bad argument."""
    await db.migrate()
    if options.action == "import":
        return await _import(db, options, out, err)
    if options.action == "export":
        return await _export(db, options, out, err)
    return await _search(db, options, out, err)


async def _import(db: Database, options: Options, out: TextIO, err: TextIO) -> int:
    """All rows or nothing; every problem as `line N: column: problem`."""
    assert options.file is not None
    try:
        data = options.file.read_bytes()
    except OSError as error:
        err.write(f"cannot read {options.file}: {error.strerror}\n")
        return 2
    try:
        rows = store.read_file(data, taken=store.national_ids())
    except CsvError as error:
        err.write(f"{options.file}: nothing imported\n{error}\n")
        return 1
    async with db.session() as session:
        done = await store.import_rows(session, rows, datetime.now(UTC), replace=options.replace)
    out.write(f"{options.file}: {done.added} added, {done.updated} updated, "
              f"{done.removed} removed\n")
    return 0


async def _export(db: Database, options: Options, out: TextIO, err: TextIO) -> int:
    """csv: the database's entries (what import keeps); hsds: the whole directory."""
    async with db.session() as session:
        rows = await (store.local(session) if options.format == "csv"
                      else store.everything(session))
    if options.format == "csv":
        out.write(write_rows([to_cells(row) for row in rows], (*COLUMNS, *OPTIONAL)))
        return 0
    exported = hsds.export(rows)
    wrong = hsds.problems(exported)
    if wrong:
        err.write("the HSDS export does not match the schemas:\n" + "\n".join(wrong) + "\n")
        return 1
    out.write(json.dumps(exported, ensure_ascii=False, indent=2) + "\n")
    return 0


async def _search(db: Database, options: Options, out: TextIO, err: TextIO) -> int:
    """Best first, as the bot would show them to a person there."""
    code = None
    if options.municipality:
        try:
            code = read_municipality(options.municipality)
        except ValueError as error:
            err.write(f"{error}\n")
            return 2
    async with db.session() as session:
        found = search.rank(await store.near(session, code), code, options.theme, options.lang)
    if options.json:
        out.write(json.dumps([described(f) for f in found], ensure_ascii=False, indent=2) + "\n")
    else:
        out.writelines(f"{f.row.id}\t{f.reach}\t{'*' if f.speaks else ' '}\t{f.row.name}\n"
                       for f in found)
    return 0


async def load_examples(db: Database) -> None:
    """The made-up local entries for Utrecht and Amersfoort (tests and the console demo)."""
    rows = store.read_file(store.EXAMPLE_FILE.read_bytes(), taken=store.national_ids())
    async with db.session() as session:
        await store.import_rows(session, rows, datetime.now(UTC))


def described(found: search.Found) -> dict[str, Any]:
    """One result for other programs: the row's values, its reach, a tel: link."""
    row: EntryRow = found.row
    names = all_municipalities()
    phone = phonenumbers.parse(row.phone, "NL") if row.phone else None
    return {
        "id": row.id, "kind": row.kind, "name": row.name, "reach": found.reach,
        "speaks_language": found.speaks, "themes": row.themes,
        "municipalities": [names[c].name if c in names else c for c in row.municipalities],
        "languages": row.languages, "phone": row.phone,
        "phone_display": dutch_phone(row.phone) if row.phone else None,
        "tel": phonenumbers.format_number(phone, phonenumbers.PhoneNumberFormat.RFC3966)
        if phone else None,
        "website": row.website, "email": row.email, "address": row.address,
        "postcode": row.postcode, "city": row.city, "latitude": row.latitude,
        "longitude": row.longitude, "opening_hours": row.opening_hours,
        "appointment_only": row.appointment_only, "temporarily_closed": row.temporarily_closed,
        "descriptions": {lang: row.description(lang) for lang in LANGS},
        "source": row.source, "last_checked": row.last_checked.isoformat(),
    }
