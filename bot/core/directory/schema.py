"""One entry of the help directory as a CSV row (docs/directory.md), checked on the way in.

The row is also the entry the bot works with: names of municipalities become CBS codes,
phone numbers E.164, postcodes `1234 AB`; `to_cells` writes them back as a coordinator
would type them, so an export imports again unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Annotated, Literal, get_args

import opening_hours
import phonenumbers
from babel import Locale
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.core.csvimport import CsvBool, CsvDate, CsvList, cells
from bot.core.municipalities import all_municipalities, match, normalize

Theme = Literal["housing", "money", "debt", "inburgering", "language", "work", "volunteering",
                "health", "mental_health", "legal", "children_school", "family",
                "social_contact", "crisis", "eu_workers"]
THEMES: tuple[Theme, ...] = get_args(Theme)
Kind = Literal["organisation", "initiative", "gemeente"]
KINDS: tuple[str, ...] = get_args(Kind)
NATIONAL = "national"
LANGS = ("nl", "en", "ar", "ti", "pl")  # the bot's languages: a description per language
COLUMNS = ("id", "kind", "name", "description_nl", "description_en", "description_ar",
           "description_ti", "themes", "municipalities", "languages", "phone", "website",
           "email", "address", "postcode", "city", "latitude", "longitude", "opening_hours",
           "appointment_only", "temporarily_closed", "source", "last_checked")
# A name in a reader's own script ("بلدية أوترخت"): optional columns, written after the rest.
NAME_COLUMNS = tuple(f"name_{lang}" for lang in LANGS)
# Columns a file may leave out, written after the rest (as volunteering does): Polish came
# after the first files were written, and those still import unchanged.
OPTIONAL = ("description_pl", *NAME_COLUMNS)
ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,29}")  # fits a conversation state and a button
_POSTCODE = re.compile(r"(\d{4}) ?([A-Za-z]{2})")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_URL = re.compile(r"https?://[^\s<>\"']+\.[^\s<>\"']+")
# The Netherlands, with a margin: a coordinate outside is a swapped or mistyped number.
LATITUDES, LONGITUDES = (50.5, 53.8), (3.0, 7.4)
HOURS_EXAMPLE = "Mo-Fr 09:00-17:00; Sa 10:00-12:00"

Short = Annotated[str | None, Field(default=None, max_length=120)]
Description = Annotated[str | None, Field(default=None, max_length=600)]


@cache
def iso_languages() -> frozenset[str]:
    """ISO 639-1 codes, from CLDR through Babel."""
    return frozenset(code for code in map(str, Locale("en").languages) if len(code) == 2)


def read_phone(text: str) -> str:
    """A Dutch phone number in any usual spelling, as E.164 (+319008020); ValueError else."""
    try:
        number = phonenumbers.parse(text, "NL")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValueError(f"{text!r} is not a valid phone number (example: 030 123 4567)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def dutch_phone(e164: str) -> str:
    """How people in the Netherlands write it: 0900 8020, 030 888 3888."""
    number = phonenumbers.parse(e164, "NL")
    if number.country_code != 31:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def international_phone(e164: str) -> str:
    """+31 900 8020: the form Telegram turns into a tap-to-call link."""
    number = phonenumbers.parse(e164, "NL")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def read_municipality(text: str) -> str:
    """A CBS name (forgiving: case, accents, small typos are fine), a CBS code, or
    `national`; ValueError naming the unknown name."""
    if normalize(text) == NATIONAL:
        return NATIONAL
    if text.upper() in all_municipalities():
        return text.upper()
    found = match(text)
    if found.exact is None:
        near = ", ".join(m.name for m in found.suggestions)
        hint = f" (did you mean {near}?)" if near else ""
        raise ValueError(f"{text!r} is not a municipality in the CBS list{hint}")
    return found.exact.code


def read_hours(text: str) -> str:
    """OpenStreetMap opening_hours, checked by the parser that evaluates it later."""
    if not opening_hours.validate(text):
        raise ValueError(f"not OpenStreetMap opening_hours (example: {HOURS_EXAMPLE})")
    return text


def read_postcode(text: str) -> str:
    """`1234ab` → `1234 AB`."""
    found = _POSTCODE.fullmatch(text.strip())
    if found is None:
        raise ValueError("a Dutch postcode looks like 1234 AB")
    return f"{found.group(1)} {found.group(2).upper()}"


def read_website(text: str) -> str:
    """A whole web address, with http:// or https://."""
    if not _URL.fullmatch(text):
        raise ValueError("a web address starts with https:// (example: https://www.example.nl)")
    return text


def read_email(text: str) -> str:
    """Something that can be an e-mail address."""
    if not _EMAIL.fullmatch(text):
        raise ValueError(f"{text!r} is not an e-mail address")
    return text


def read_languages(codes: list[str]) -> list[str]:
    """ISO 639-1 codes, lower case, each once, in the order given."""
    found = [code.lower() for code in codes]
    wrong = [code for code in found if code not in iso_languages()]
    if wrong:
        raise ValueError(f"not ISO 639-1 language codes: {', '.join(wrong)} (examples: nl, ar)")
    return list(dict.fromkeys(found))


# The cells with a reader of their own (the bot's edit screens use them one by one too).
READERS: dict[str, Callable[[str], str]] = {
    "phone": read_phone, "website": read_website, "email": read_email,
    "postcode": read_postcode, "opening_hours": read_hours,
}


class EntryRow(BaseModel):
    """One organisation, initiative or gemeente office, with the help it gives (HSDS: an
    organisation with one service at one location)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: Annotated[str, Field(pattern=ID.pattern)]
    kind: Kind
    name: Annotated[str, Field(min_length=2, max_length=120)]
    description_nl: Description = None
    description_en: Description = None
    description_ar: Description = None
    description_ti: Description = None
    description_pl: Description = None
    name_nl: Short = None
    name_en: Short = None
    name_ar: Short = None
    name_ti: Short = None
    name_pl: Short = None
    themes: Annotated[CsvList, Field(min_length=1)]
    municipalities: Annotated[CsvList, Field(min_length=1)]
    languages: CsvList = []
    phone: str | None = None
    website: Annotated[str | None, Field(max_length=300)] = None
    email: Annotated[str | None, Field(max_length=120)] = None
    address: Short = None
    postcode: str | None = None
    city: Annotated[str | None, Field(default=None, max_length=80)] = None
    latitude: float | None = None
    longitude: float | None = None
    opening_hours: Annotated[str | None, Field(max_length=300)] = None
    appointment_only: CsvBool = False
    temporarily_closed: CsvBool = False
    source: Annotated[str, Field(min_length=1, max_length=200)]
    last_checked: CsvDate

    @field_validator("themes")
    @classmethod
    def _themes(cls, themes: list[str]) -> list[str]:
        wrong = [t for t in themes if t not in THEMES]
        if wrong:
            raise ValueError(f"unknown theme(s) {', '.join(wrong)}; use: {', '.join(THEMES)}")
        return list(dict.fromkeys(themes))

    @field_validator("municipalities")
    @classmethod
    def _municipalities(cls, names: list[str]) -> list[str]:
        codes = list(dict.fromkeys(read_municipality(name) for name in names))
        if NATIONAL in codes and len(codes) > 1:
            raise ValueError("national cannot be combined with municipalities")
        return codes

    @field_validator("languages")
    @classmethod
    def _languages(cls, codes: list[str]) -> list[str]:
        return read_languages(codes)

    @field_validator("phone", "website", "email", "postcode", "opening_hours")
    @classmethod
    def _cell(cls, value: str | None, info: ValidationInfo) -> str | None:
        return READERS[info.field_name or ""](value) if value else None

    @field_validator("latitude", "longitude")
    @classmethod
    def _inside(cls, value: float | None, info: ValidationInfo) -> float | None:
        low, high = LATITUDES if info.field_name == "latitude" else LONGITUDES
        if value is not None and not low <= value <= high:
            raise ValueError(f"{value} is outside the Netherlands ({low} to {high})")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> EntryRow:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("give both latitude and longitude, or neither")
        if self.kind == "gemeente" and (len(self.municipalities) != 1
                                        or self.municipalities[0] == NATIONAL):
            raise ValueError("a gemeente entry names exactly one municipality")
        return self

    @property
    def national(self) -> bool:
        """Help for everyone in the country."""
        return self.municipalities == [NATIONAL]

    def description(self, lang: str) -> str | None:
        """The description in `lang`, else Dutch, else English."""
        for code in (lang, "nl", "en"):
            text: str | None = getattr(self, f"description_{code}", None)
            if text:
                return text
        return None

    def shown_name(self, lang: str) -> str:
        """The name in the reader's own script where one is given, else the name."""
        own: str | None = getattr(self, f"name_{lang}", None)
        return own or self.name


def to_cells(row: EntryRow) -> dict[str, str]:
    """The row as a coordinator writes it: names of municipalities, Dutch phone format."""
    names = all_municipalities()
    return cells(row, (*COLUMNS, *OPTIONAL), {
        "municipalities": lambda codes: "; ".join(
            NATIONAL if c == NATIONAL else names[c].name for c in codes),
        "phone": lambda phone: dutch_phone(phone) if phone else "",
    })


def updated(row: EntryRow, **changes: object) -> EntryRow:
    """The row with some columns changed, checked again like an imported one."""
    return EntryRow.model_validate({**row.model_dump(), **changes})
