"""All-or-nothing CSV import: every row read into a pydantic model, every problem named as
`line N: column: problem`, and nothing returned unless every row is good.

Coordinators keep lists in spreadsheets (the help directory now, volunteers next); a file
with one bad row must change nothing and say exactly where to look. A model declares its
columns as fields; `CsvList`, `CsvBool` and `CsvDate` read the cell formats the files
share (`;` between list items, `yes`/`no`, `YYYY-MM-DD`), and `cells` writes a model back
in the same formats, so an export imports again unchanged.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ValidationError

LIST_SEPARATOR = ";"
M = TypeVar("M", bound=BaseModel)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class CsvProblem:
    """One thing wrong in a file, where a person finds it in a spreadsheet."""

    line: int
    column: str
    problem: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.problem}"


class CsvError(Exception):
    """The file imports nothing; one problem per line of the message."""

    def __init__(self, problems: list[CsvProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _split(value: object) -> object:
    """`a; b;c` → ["a", "b", "c"]; an empty cell is an empty list."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(LIST_SEPARATOR) if item.strip()]
    return value


def _yes_no(value: object) -> object:
    """Only `yes` and `no` (any case); an empty cell is no."""
    if not isinstance(value, str):
        return value
    word = value.strip().lower()
    if word in ("yes", "no", ""):
        return word == "yes"
    raise ValueError("write yes or no")


def _iso_date(value: object) -> object:
    """Only `YYYY-MM-DD`: 03-04-2026 means different days to different people."""
    if isinstance(value, str) and not _DATE.fullmatch(value.strip()):
        raise ValueError("write the date as YYYY-MM-DD, for example 2026-12-06")
    return value


CsvList = Annotated[list[str], BeforeValidator(_split)]
CsvBool = Annotated[bool, BeforeValidator(_yes_no)]
CsvDate = Annotated[date, BeforeValidator(_iso_date)]


Check = Callable[[M], list[tuple[str, str]]]  # rules beyond one cell: (column, problem)


def read_rows(data: bytes, model: type[M], columns: Collection[str], *,
              optional: Collection[str] = (), key: str | None = "id",
              check: Check[M] | None = None) -> list[M]:
    """Every row of a UTF-8 CSV file (header row first) as `model`, or CsvError naming every
    problem. `columns` must all be in the header, `optional` ones may be; `key` must not
    repeat; `check` adds what the caller knows (an id taken elsewhere). An empty cell is a
    missing value."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvError([CsvProblem(1, "file", f"not UTF-8 text (byte {error.start})")]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    problems = _header_problems(list(reader.fieldnames or []), columns, optional)
    if problems:
        raise CsvError(problems)
    rows: list[M] = []
    seen: dict[str, int] = {}
    line = reader.line_num + 1
    for record in reader:
        found = _row(record, model, line, problems)
        if found is not None and key is not None:
            value = str(getattr(found, key))
            if value in seen:
                problems.append(CsvProblem(line, key, f"{value!r} is also on line {seen[value]}"))
            seen.setdefault(value, line)
        if found is not None and check is not None:
            problems += [CsvProblem(line, column, problem) for column, problem in check(found)]
        if found is not None:
            rows.append(found)
        line = reader.line_num + 1
    if problems:
        raise CsvError(problems)
    return rows


def _header_problems(header: list[str], columns: Collection[str],
                     optional: Collection[str]) -> list[CsvProblem]:
    """Missing and unknown columns, reported on line 1 before any row is read."""
    if not header:
        return [CsvProblem(1, "file", "empty: the first line must name the columns")]
    names = [name.strip() for name in header]
    problems = [CsvProblem(1, name, "missing column") for name in columns if name not in names]
    problems += [CsvProblem(1, name or "(empty)", "unknown column") for name in names
                 if name not in columns and name not in optional]
    problems += [CsvProblem(1, name, "column appears twice") for name in sorted(set(names))
                 if names.count(name) > 1]
    return problems


def _row(record: Mapping[str | Any, Any], model: type[M], line: int,
         problems: list[CsvProblem]) -> M | None:
    """One row as the model, or its problems added to the list."""
    if None in record:  # csv puts cells beyond the header under the key None
        problems.append(CsvProblem(line, "row", "more cells than columns"))
        return None
    found = read_record(model, {str(name): value for name, value in record.items()
                                if isinstance(value, str)})
    if isinstance(found, list):
        problems += [CsvProblem(line, column, problem) for column, problem in found]
        return None
    return found


def read_record(model: type[M], record: Mapping[str, str]) -> M | list[tuple[str, str]]:
    """One row's cells as the model, or its (column, problem) pairs: a file's row and a
    web form's fields are read alike. An empty cell is a missing value."""
    cells = {name.strip(): value.strip() for name, value in record.items() if value.strip()}
    try:
        return model.model_validate(cells)
    except ValidationError as error:
        return [(str(detail["loc"][0]) if detail["loc"] else "row",
                 _plain(detail["msg"], detail["type"])) for detail in error.errors()]


def _plain(message: str, kind: str) -> str:
    """Pydantic's wording, without its prefixes, for someone who knows spreadsheets."""
    if kind == "missing":
        return "required, but empty"
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def cells(model: BaseModel, columns: Collection[str],
          write: Mapping[str, Callable[[Any], str]] | None = None) -> dict[str, str]:
    """A model as one CSV row in the formats `read_rows` reads (`write` for columns that
    need their own wording, such as codes written back as names)."""
    row = {}
    for column in columns:
        value = getattr(model, column)
        if write and column in write:
            row[column] = write[column](value)
        elif value is None:
            row[column] = ""
        elif isinstance(value, bool):
            row[column] = "yes" if value else "no"
        elif isinstance(value, list | tuple):
            row[column] = f"{LIST_SEPARATOR} ".join(str(item) for item in value)
        elif isinstance(value, date):
            row[column] = value.isoformat()
        else:
            row[column] = str(value)
    return row


def write_rows(rows: list[dict[str, str]], columns: Collection[str]) -> str:
    """A CSV file (header row first, `\\n` line ends) of rows made by `cells`."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
