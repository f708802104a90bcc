"""`python main.py volunteer import|export|match|report`: opportunities for coordinators who
keep them in a spreadsheet, what a person would be offered, and the monthly numbers."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.core.csvimport import CsvError, write_rows
from bot.core.directory.schema import NATIONAL, read_languages, read_municipality
from bot.core.municipalities import all_municipalities
from bot.core.volunteer import report, store
from bot.core.volunteer.ranking import Wish
from bot.core.volunteer.schema import COLUMNS, OPTIONAL, to_cells
from bot.core.volunteer.terms import DAYS, INTERESTS, LEVELS
from bot.storage.db import Database

_MONTH = re.compile(r"(\d{4})-(\d{2})")


class BadArgument(ValueError):
    """An argument the command cannot use; its message is the one line printed."""


@dataclass(frozen=True)
class Options:
    """What the command line asked for (lists as typed: `cooking;sports`)."""

    action: str  # import, export, match or report
    file: Path | None = None
    replace: bool = False
    interests: str | None = None
    days: str | None = None
    languages: str | None = None
    municipality: str | None = None
    dutch: str | None = None
    json: bool = False
    month: str | None = None


async def run(db: Database, options: Options, zone: ZoneInfo, out: TextIO,
              err: TextIO) -> int:
    """Run one action on a migrated database; 0 done, 1 a bad file, 2 a bad argument."""
    await db.migrate()
    try:
        if options.action == "import":
            return await _import(db, options, zone, out, err)
        if options.action == "export":
            return await _export(db, options, out)
        if options.action == "match":
            return await _match(db, options, out)
        return await _report(db, options, zone, out)
    except BadArgument as error:
        err.write(f"{error}\n")
        return 2


async def _import(db: Database, options: Options, zone: ZoneInfo, out: TextIO,
                  err: TextIO) -> int:
    """All rows or nothing; every problem as `line N: column: problem`."""
    assert options.file is not None
    try:
        data = options.file.read_bytes()
    except OSError as error:
        raise BadArgument(f"cannot read {options.file}: {error.strerror}") from None
    now = datetime.now(UTC)
    try:
        rows = store.read_file(data, now.astimezone(zone).date())
    except CsvError as error:
        err.write(f"{options.file}: nothing imported\n{error}\n")
        return 1
    async with db.session() as session:
        done = await store.import_rows(session, rows, now, replace=options.replace)
    kept = f", {done.kept} closed (they have matches)" if done.kept else ""
    out.write(f"{options.file}: {done.added} added, {done.updated} updated, "
              f"{done.removed} removed{kept}\n")
    return 0


async def _export(db: Database, options: Options, out: TextIO) -> int:
    """Every opportunity as CSV, to the file or to standard output."""
    async with db.session() as session:
        rows = await store.every(session)
    text = write_rows([to_cells(row) for row in rows], (*COLUMNS, *OPTIONAL))
    if options.file is None:
        out.write(text)
        return 0
    try:
        options.file.write_text(text, encoding="utf-8")
    except OSError as error:
        raise BadArgument(f"cannot write {options.file}: {error.strerror}") from None
    out.write(f"{options.file}: {len(rows)} opportunities\n")
    return 0


async def _match(db: Database, options: Options, out: TextIO) -> int:
    """Best first, as the bot ranks them for such a person."""
    async with db.session() as session:
        found = await store.ranked(session, wish(options))
    if options.json:
        out.write(json.dumps([{"id": r.id, "score": r.score, "parts": r.parts} for r in found],
                             ensure_ascii=False, indent=2) + "\n")
    else:
        out.writelines(f"{r.id}\t{r.score}\t"
                       f"{' '.join(f'{k}={v}' for k, v in r.parts.items() if v)}\n"
                       for r in found)
    return 0


def wish(options: Options) -> Wish:
    """The person the options describe; BadArgument names the first word it cannot use."""
    level = None
    if options.dutch:
        level = next((lv for lv in LEVELS if lv.lower() == options.dutch.strip().lower()), None)
        if level is None:
            raise BadArgument(f"unknown Dutch level {options.dutch!r}; use: {', '.join(LEVELS)}")
    try:
        languages = read_languages(_items(options.languages))
    except ValueError as error:
        raise BadArgument(str(error)) from None
    return Wish(frozenset(_closed(options.interests, INTERESTS, "interest")),
                frozenset(_closed(options.days, DAYS, "day")), frozenset(languages),
                _municipality(options.municipality), level)


def _items(text: str | None) -> list[str]:
    """`cooking;sports`, `cooking, sports` → the words."""
    return [w.strip() for w in re.split(r"[;,]", text or "") if w.strip()]


def _closed(text: str | None, allowed: Sequence[str], what: str) -> list[str]:
    """Words from a closed list, any case."""
    words = [w.lower() for w in _items(text)]
    wrong = [w for w in words if w not in allowed]
    if wrong:
        raise BadArgument(f"unknown {what} {', '.join(wrong)}; use: {', '.join(allowed)}")
    return words


def _municipality(name: str | None) -> str | None:
    """A CBS name or code, forgivingly; BadArgument with suggestions otherwise."""
    if not name:
        return None
    try:
        code = read_municipality(name)
    except ValueError as error:
        raise BadArgument(str(error)) from None
    if code == NATIONAL:
        raise BadArgument("name one municipality (or leave --municipality out)")
    return code


def month_of(text: str | None, today: date) -> date:
    """`YYYY-MM` as the month's first day; none given: this month."""
    if text is None:
        return today.replace(day=1)
    found = _MONTH.fullmatch(text.strip())
    if found is None or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 2000:
        raise BadArgument(f"--month {text!r}: write the month as YYYY-MM, for example 2026-11")
    return date(int(found.group(1)), int(found.group(2)), 1)


async def _report(db: Database, options: Options, zone: ZoneInfo, out: TextIO) -> int:
    """A tab-separated table (or JSON), a line per municipality."""
    month = month_of(options.month, datetime.now(zone).date())
    async with db.session() as session:
        lines = await report.report(session, month, zone)
    names = all_municipalities()
    rows = [{"municipality": names[line.municipality].name if line.municipality else "online",
             "open_places": line.open_places, "interested": line.interested,
             "matched": line.matched, "matched_3_months_before": line.matched_before,
             "still_active_after_3_months": line.still_active} for line in lines]
    if options.json:
        out.write(json.dumps({"month": month.strftime("%Y-%m"), "municipalities": rows},
                             ensure_ascii=False, indent=2) + "\n")
        return 0
    out.write(f"# {month:%Y-%m}\nmunicipality\topen places\tinterested\tmatched\t"
              "still active after 3 months\n")
    out.writelines(f"{r['municipality']}\t{r['open_places']}\t{r['interested']}\t"
                   f"{r['matched']}\t{r['still_active_after_3_months']} of "
                   f"{r['matched_3_months_before']}\n" for r in rows)
    return 0


async def load_examples(db: Database) -> None:
    """The made-up opportunities in Utrecht and Amersfoort (tests and the console demo)."""
    now = datetime.now(UTC)
    rows = store.read_file(store.EXAMPLE_FILE.read_bytes(), now.date())
    async with db.session() as session:
        await store.import_rows(session, rows, now)
