"""Opportunities between a coordinator's file and the database, and the one rule for which
of them are on offer: open, with places left after the matches that hold one. The bot and
`python main.py volunteer match` both rank through `ranked`, so they cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.content import FLOWS
from bot.core.csvimport import Check, read_rows
from bot.core.volunteer import closing
from bot.core.volunteer.ranking import Offer, Ranked, Wish, rank
from bot.core.volunteer.schema import COLUMNS, LANGS, OPTIONAL, OpportunityRow, problems
from bot.core.volunteer.suggest import offer_of
from bot.storage import volunteer as repo
from bot.storage import volunteer_admin as admin_repo
from bot.storage.models import VolunteerOpportunity, VolunteerText
from bot.storage.volunteer import Stored

# Made-up opportunities in two towns: loaded by the tests and `chat --demo` only.
EXAMPLE_FILE = FLOWS / "volunteer" / "examples" / "two_towns.csv"


@dataclass(frozen=True)
class Imported:
    """What an import changed; `kept` were absent from a replacing file but have matches,
    so they were closed rather than deleted."""

    added: int
    updated: int
    removed: int
    kept: int = 0


def read_file(data: bytes, today: date,
              also: Check[OpportunityRow] | None = None) -> list[OpportunityRow]:
    """Rows of a coordinator's file, or CsvError naming every problem; `also` adds the
    caller's rule (the dashboard's: only the coordinator's area)."""
    return read_rows(data, OpportunityRow, COLUMNS, optional=OPTIONAL,
                     check=lambda row: problems(row, today) + (also(row) if also else []))


def to_row(stored: Stored) -> OpportunityRow:
    """A database opportunity as the row the bot and the files work with."""
    o = stored.opportunity
    texts = {f"{part}_{lang}": getattr(stored.texts[lang], part) if lang in stored.texts
             else None for part in ("title", "description") for lang in LANGS}
    return OpportunityRow.model_construct(
        None, id=o.id, kind=o.kind, organisation=o.organisation, interests=list(o.interests),
        days=list(o.days), parts_of_day=list(o.parts_of_day), hours_per_week=o.hours_per_week,
        municipality=o.municipality, address=o.address, online=o.online,
        languages=list(o.languages), dutch_level=o.dutch_level,
        open_to_asylum_seekers=o.open_to_asylum_seekers, contact_name=o.contact_name,
        contact_phone=o.contact_phone, contact_email=o.contact_email,
        contact_telegram_id=o.contact_telegram_id, places=o.places,
        last_checked=o.last_checked, **texts)


def to_stored(row: OpportunityRow, now: datetime, by: int | None = None,
              closed: bool = False) -> Stored:
    """A checked row as the database keeps it."""
    opportunity = VolunteerOpportunity(
        id=row.id, kind=row.kind, organisation=row.organisation, interests=list(row.interests),
        days=list(row.days), parts_of_day=list(row.parts_of_day),
        hours_per_week=row.hours_per_week, municipality=row.municipality, address=row.address,
        online=row.online, languages=list(row.languages), dutch_level=row.dutch_level,
        open_to_asylum_seekers=row.open_to_asylum_seekers, contact_name=row.contact_name,
        contact_phone=row.contact_phone, contact_email=row.contact_email,
        contact_telegram_id=row.contact_telegram_id, places=row.places, closed=closed,
        last_checked=row.last_checked, updated_at=now, updated_by=by)
    texts = {lang: VolunteerText(opportunity_id=row.id, language=lang,
                                 title=getattr(row, f"title_{lang}"),
                                 description=getattr(row, f"description_{lang}"))
             for lang in LANGS
             if getattr(row, f"title_{lang}") or getattr(row, f"description_{lang}")}
    return Stored(opportunity, texts)


async def import_rows(session: AsyncSession, rows: list[OpportunityRow], now: datetime, *,
                      replace: bool = False, by: int | None = None) -> Imported:
    """New ids added, known ids updated (a closed one stays closed; one whose places are
    all taken now closes, and those waiting are told); with `replace`, opportunities
    absent from `rows` are deleted, or closed when someone was ever matched to them. All in
    the caller's transaction: a failure changes nothing."""
    known, closed = await repo.ids(session), await admin_repo.closed_ids(session)
    for row in rows:
        await repo.save(session, to_stored(row, now, by, closed=row.id in closed))
    for row in rows:
        await closing.close_if_full(session, row.id, now)
    absent = known - {row.id for row in rows} if replace else set()
    kept = await admin_repo.with_matches(session, absent)
    for opportunity_id in sorted(kept):
        await closing.close_and_tell(session, opportunity_id, now)
    await admin_repo.remove(session, absent - kept)
    added = sum(1 for row in rows if row.id not in known)
    return Imported(added, len(rows) - added, len(absent - kept), len(kept))


async def every(session: AsyncSession) -> list[OpportunityRow]:
    """Every opportunity in the database, by id."""
    return [to_row(s) for s in await repo.every(session)]


async def offers(session: AsyncSession, municipality: str | None) -> list[Offer]:
    """The open opportunities near a person (their municipality and online ones), each with
    its places minus those that accepted and active matches hold."""
    found = await repo.open_near(session, municipality)
    taken = await repo.taken(session, [s.opportunity.id for s in found])
    return [offer_of(s, taken.get(s.opportunity.id, 0)) for s in found]


async def ranked(session: AsyncSession, wish: Wish) -> list[Ranked]:
    """What a person with this wish is offered, best first; full ones are left out."""
    return rank(wish, await offers(session, wish.municipality))
