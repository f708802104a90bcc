"""The directory's entries: the national set shipped in flows/directory/ (content, like the
FAQ) and the local entries coordinators keep in the database; importing a file of them."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.content import FLOWS
from bot.core.csvimport import Check, read_rows
from bot.core.directory.schema import COLUMNS, LANGS, NATIONAL, OPTIONAL, EntryRow
from bot.storage import audit
from bot.storage import directory as repo
from bot.storage.directory import Stored
from bot.storage.models import DirectoryEntry, DirectoryText

FOLDER = FLOWS / "directory"
NATIONAL_FILE = FOLDER / "national.csv"
# Made-up local entries for two municipalities: loaded by the tests and `chat --demo` only.
EXAMPLE_FILE = FOLDER / "examples" / "two_towns.csv"
# A national entry names the fact-sheet sources of its facts (shared/factsheet*.md).
SOURCE_IDS = re.compile(r"S\d+(?:-[a-z]+)?(?:; ?S\d+(?:-[a-z]+)?)*")
Action = Literal["add", "edit", "check"]  # what a keeper did, as the audit log names it


@dataclass(frozen=True)
class Imported:
    """What an import changed."""

    added: int
    updated: int
    removed: int


def read_file(data: bytes, taken: Collection[str] = (),
              also: Check[EntryRow] | None = None) -> list[EntryRow]:
    """Rows of a coordinator's file, or CsvError naming every problem (ids of the national
    set in `taken` cannot be reused; `also` adds the caller's rules, such as an area)."""

    def check(row: EntryRow) -> list[tuple[str, str]]:
        mine = [("id", f"{row.id!r} belongs to the national set in flows/directory")] \
            if row.id in taken else []
        return mine + (also(row) if also else [])

    return read_rows(data, EntryRow, COLUMNS, optional=OPTIONAL, check=check)


@cache
def national(path: Path = NATIONAL_FILE) -> tuple[EntryRow, ...]:
    """The national set, checked once: every entry national, with fact-sheet source ids."""

    def check(row: EntryRow) -> list[tuple[str, str]]:
        problems = [] if row.national else [("municipalities", "the national set is national")]
        if not SOURCE_IDS.fullmatch(row.source):
            problems.append(("source", "fact-sheet source ids, such as S135; S71"))
        return problems

    return tuple(read_rows(path.read_bytes(), EntryRow, COLUMNS, optional=OPTIONAL,
                           check=check))


def national_ids() -> frozenset[str]:
    """Ids the database may not use."""
    return frozenset(row.id for row in national())


def to_row(stored: Stored) -> EntryRow:
    """A database entry as the row the bot works with."""
    entry = stored.entry
    texts = {f"description_{lang}": t.description for lang, t in stored.texts.items()}
    texts |= {f"name_{lang}": t.name for lang, t in stored.texts.items()}
    return EntryRow.model_construct(
        None,
        id=entry.id, kind=entry.kind, name=entry.name, themes=list(entry.themes),
        municipalities=sorted(stored.areas), languages=list(entry.languages),
        phone=entry.phone, website=entry.website, email=entry.email, address=entry.address,
        postcode=entry.postcode, city=entry.city, latitude=entry.latitude,
        longitude=entry.longitude, opening_hours=entry.opening_hours,
        appointment_only=entry.appointment_only, temporarily_closed=entry.temporarily_closed,
        source=entry.source, last_checked=entry.last_checked,
        **{f"{part}_{lang}": texts.get(f"{part}_{lang}") for part in ("name", "description")
           for lang in LANGS})


def to_stored(row: EntryRow, now: datetime, by: int | None = None) -> Stored:
    """A checked row as the database keeps it."""
    entry = DirectoryEntry(
        id=row.id, kind=row.kind, name=row.name, themes=list(row.themes),
        languages=list(row.languages), phone=row.phone, website=row.website, email=row.email,
        address=row.address, postcode=row.postcode, city=row.city, latitude=row.latitude,
        longitude=row.longitude, opening_hours=row.opening_hours,
        appointment_only=row.appointment_only, temporarily_closed=row.temporarily_closed,
        source=row.source, last_checked=row.last_checked, updated_at=now, updated_by=by)
    texts = {lang: DirectoryText(entry_id=row.id, language=lang,
                                 name=getattr(row, f"name_{lang}"),
                                 description=getattr(row, f"description_{lang}"))
             for lang in LANGS
             if getattr(row, f"name_{lang}") or getattr(row, f"description_{lang}")}
    return Stored(entry, sorted(row.municipalities), texts)


async def import_rows(session: AsyncSession, rows: list[EntryRow], now: datetime, *,
                      replace: bool = False, by: int | None = None) -> Imported:
    """New ids added, known ids updated; with `replace`, entries absent from `rows` removed.
    All in the caller's transaction: a failure changes nothing."""
    known = await repo.ids(session)
    for row in rows:
        await repo.save(session, to_stored(row, now, by))
    removed = await repo.remove_except(session, [r.id for r in rows]) if replace else 0
    added = sum(1 for row in rows if row.id not in known)
    return Imported(added, len(rows) - added, removed)


async def keep(session: AsyncSession, row: EntryRow, now: datetime, by: int,
               action: Action = "edit") -> None:
    """A keeper's change (in the bot or on the dashboard): saved with who and when, and
    in the audit log by the entry's id."""
    await repo.save(session, to_stored(row, now, by))
    audit.record(session, by, f"directory.{action}", now, entry=row.id)


async def upload(session: AsyncSession, rows: list[EntryRow], now: datetime,
                 by: int) -> Imported:
    """A keeper's file (the dashboard's upload): added and updated, never removed; the
    counts in the audit log."""
    done = await import_rows(session, rows, now, by=by)
    audit.record(session, by, "directory.import", now, added=done.added, updated=done.updated)
    return done


async def local(session: AsyncSession) -> list[EntryRow]:
    """Every entry in the database, by id."""
    return [to_row(s) for s in await repo.every(session)]


async def near(session: AsyncSession, municipality: str | None) -> list[EntryRow]:
    """What may help someone in this municipality: its entries, regional ones that serve
    it, and the national set (national ones from the database too)."""
    codes = [NATIONAL, municipality] if municipality else [NATIONAL]
    return [*(to_row(s) for s in await repo.serving(session, codes)), *national()]


async def everything(session: AsyncSession) -> list[EntryRow]:
    """The whole directory: the database's entries, then the national set."""
    return [*await local(session), *national()]


async def find(session: AsyncSession, entry_id: str) -> EntryRow | None:
    """One entry by id, from the database or the national set."""
    stored = await repo.get(session, entry_id)
    if stored is not None:
        return to_row(stored)
    return next((row for row in national() if row.id == entry_id), None)
