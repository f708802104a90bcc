"""One volunteer opportunity as a CSV row (docs/volunteering.md), checked on the way in.

The columns are the issue's, plus the optional `parts_of_day`, `title_pl` and
`description_pl`. Cells are read as the directory reads them (municipality names or CBS
codes, Dutch phone numbers, ISO language codes, `yes`/`no`, `YYYY-MM-DD`); `to_cells`
writes them back as a coordinator types them, so an export imports again unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from bot.core.csvimport import CsvBool, CsvDate, CsvList, cells
from bot.core.directory.schema import (
    ID,
    NATIONAL,
    dutch_phone,
    read_email,
    read_languages,
    read_municipality,
    read_phone,
)
from bot.core.municipalities import all_municipalities
from bot.core.volunteer.terms import DAYS, INTERESTS, KINDS, LEVELS, PARTS, Kind, Level

LANGS = ("nl", "en", "ar", "ti", "pl")  # an opportunity's texts; a reader without one sees nl
COLUMNS = ("id", "kind", "organisation", "title_nl", "title_en", "title_ar", "title_ti",
           "description_nl", "description_en", "description_ar", "description_ti", "interests",
           "days", "hours_per_week", "municipality", "address", "online", "languages",
           "dutch_level", "open_to_asylum_seekers", "contact_name", "contact_phone",
           "contact_email", "contact_telegram_id", "places", "last_checked")
OPTIONAL = ("parts_of_day", "title_pl", "description_pl")
MAX_PLACES = 999

Title = Annotated[str | None, Field(default=None, max_length=120)]
Description = Annotated[str | None, Field(default=None, max_length=600)]


def _words(allowed: Sequence[str], what: str) -> AfterValidator:
    """A `;` list of words from a closed list (any case), each once, in the given order."""

    def check(values: list[str]) -> list[str]:
        found = [v.lower() for v in values]
        wrong = [v for v in found if v not in allowed]
        if wrong:
            raise ValueError(f"unknown {what} {', '.join(wrong)}; use: {', '.join(allowed)}")
        return list(dict.fromkeys(found))

    return AfterValidator(check)


def _level(value: object) -> object:
    """`none`, `A1`, `A2` or `B1` in any case; an empty cell is none."""
    if value is None:
        return "none"
    if isinstance(value, str):
        word = value.strip()
        word = word.lower() if word.lower() == "none" else word.upper()
        if word not in LEVELS:
            raise ValueError(f"unknown Dutch level {value!r}; use: {', '.join(LEVELS)}")
        return word
    return value


def _kind(value: object) -> object:
    """`place` or `buddy`, in any case."""
    if isinstance(value, str):
        word = value.strip().lower()
        if word not in KINDS:
            raise ValueError(f"unknown kind {value!r}; use: {', '.join(KINDS)}")
        return word
    return value


class OpportunityRow(BaseModel):
    """A volunteer place or a language buddy, with what it asks and who to contact."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: Annotated[str, Field(pattern=ID.pattern)]
    kind: Annotated[Kind, BeforeValidator(_kind)]
    organisation: Annotated[str, Field(min_length=2, max_length=120)]
    title_nl: Annotated[str, Field(min_length=2, max_length=120)]
    title_en: Title = None
    title_ar: Title = None
    title_ti: Title = None
    title_pl: Title = None
    description_nl: Description = None
    description_en: Description = None
    description_ar: Description = None
    description_ti: Description = None
    description_pl: Description = None
    interests: Annotated[CsvList, Field(min_length=1), _words(INTERESTS, "interest(s)")]
    days: Annotated[CsvList, _words(DAYS, "day(s)")] = []
    parts_of_day: Annotated[CsvList, _words(PARTS, "part(s) of day")] = []
    hours_per_week: Annotated[int | None, Field(default=None, ge=1, le=60)] = None
    municipality: str | None = None
    address: Title = None
    online: CsvBool = False
    languages: CsvList = []
    dutch_level: Annotated[Level, BeforeValidator(_level)] = "none"
    open_to_asylum_seekers: CsvBool = False
    contact_name: Annotated[str | None, Field(default=None, max_length=80)] = None
    contact_phone: str | None = None
    contact_email: Annotated[str | None, Field(default=None, max_length=120)] = None
    contact_telegram_id: Annotated[int | None, Field(default=None, gt=0)] = None
    places: Annotated[int, Field(ge=0, le=MAX_PLACES)]
    last_checked: CsvDate

    @field_validator("municipality")
    @classmethod
    def _municipality(cls, name: str | None) -> str | None:
        if name is None:
            return None
        code = read_municipality(name)
        if code == NATIONAL:
            raise ValueError("name one municipality; for a place anyone can join, leave it "
                             "empty and write online: yes")
        return code

    @field_validator("languages")
    @classmethod
    def _languages(cls, codes: list[str]) -> list[str]:
        return read_languages(codes)

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return read_phone(value) if value else None

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return read_email(value) if value else None

    def title(self, lang: str) -> str:
        """The title in `lang`, else the Dutch one (every row has it)."""
        own: str | None = getattr(self, f"title_{lang}", None)
        return own or self.title_nl

    def description(self, lang: str) -> str | None:
        """The description in `lang`, else the Dutch one, if any."""
        own: str | None = getattr(self, f"description_{lang}", None)
        return own or self.description_nl


def problems(row: OpportunityRow, today: date) -> list[tuple[str, str]]:
    """The rules across columns, as (column, problem): a place to go or online, a way to
    reach someone, and a check date that has happened."""
    found = []
    if row.municipality is None and not row.online:
        found.append(("municipality", "required unless online is yes"))
    if not (row.contact_telegram_id or row.contact_phone or row.contact_email):
        found.append(("contact", "give contact_telegram_id, contact_phone or contact_email "
                                 "(at least one)"))
    if row.last_checked > today:
        found.append(("last_checked", f"{row.last_checked.isoformat()} is in the future"))
    return found


def to_cells(row: OpportunityRow) -> dict[str, str]:
    """The row as a coordinator writes it: the municipality's name, the Dutch phone format."""
    names = all_municipalities()
    return cells(row, (*COLUMNS, *OPTIONAL), {
        "municipality": lambda code: names[code].name if code else "",
        "contact_phone": lambda phone: dutch_phone(phone) if phone else "",
    })
