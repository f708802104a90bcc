"""The FAQ format (flows/faq/README.md) as typed models."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from bot.i18n import language_codes


def _shipped(code: str) -> str:
    """Phrasings in any language of locales/LINGUAS: a fifth language needs no code change."""
    if code not in language_codes():
        raise ValueError(f"{code!r} is not in locales/LINGUAS")
    return code


Lang = Annotated[str, AfterValidator(_shipped)]
Text = Annotated[str, Field(min_length=1)]


class Entry(BaseModel):
    """One question the bot can answer, with its sources and the ways people ask it."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: Annotated[str, Field(pattern=r"^[a-z]+\.[a-z_]+$", max_length=40)]
    question: Annotated[str, Field(min_length=1, max_length=60)]
    answer: Text
    sources: Annotated[list[str], Field(min_length=1)]
    last_checked: date
    review_by: date | None = None  # a ⚠️ fact (changes yearly, pending, old source): recheck by
    journey: Annotated[str | None, Field(pattern=r"^[a-z0-9_]+:[a-z0-9_]+$")] = None
    match: dict[Lang, Annotated[list[str], Field(min_length=3)]]

    def keyed_texts(self) -> list[tuple[str, str]]:
        """(msgctxt, text) of what a reader sees: faq:<id>:question and faq:<id>:answer."""
        return [(self.context("question"), self.question), (self.context("answer"), self.answer)]

    def context(self, field: str) -> str:
        """The msgctxt of the question or the answer."""
        return f"faq:{self.id}:{field}"


class FaqFile(BaseModel):
    """One file of entries."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    spec_version: Literal[1]
    entries: list[Entry]


class Phrasings(BaseModel):
    """flows/faq/phrasings/<lang>.yaml: more ways people ask, for matching and the model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    spec_version: Literal[1]
    lang: Lang
    phrasings: dict[str, list[str]]
