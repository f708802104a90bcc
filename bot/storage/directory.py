"""Repository functions for the help directory: entries with their areas and texts."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import DirectoryArea, DirectoryEntry, DirectoryText


@dataclass
class Stored:
    """One entry as the database holds it: the row, its areas, its texts by language."""

    entry: DirectoryEntry
    areas: list[str] = field(default_factory=list)
    texts: dict[str, DirectoryText] = field(default_factory=dict)


async def _gather(session: AsyncSession, entries: list[DirectoryEntry]) -> list[Stored]:
    """Areas and texts of these entries, in two queries."""
    found = {e.id: Stored(e) for e in entries}
    if not found:
        return []
    for area in await session.scalars(select(DirectoryArea).where(
            DirectoryArea.entry_id.in_(found)).order_by(DirectoryArea.entry_id)):
        found[area.entry_id].areas.append(area.municipality)
    for text in await session.scalars(select(DirectoryText).where(
            DirectoryText.entry_id.in_(found))):
        found[text.entry_id].texts[text.language] = text
    return list(found.values())


async def every(session: AsyncSession) -> list[Stored]:
    """Every entry, by id."""
    return await _gather(session, list(await session.scalars(
        select(DirectoryEntry).order_by(DirectoryEntry.id))))


async def serving(session: AsyncSession, codes: Collection[str]) -> list[Stored]:
    """Entries that serve any of these municipalities (or `national`), by id."""
    ids = select(DirectoryArea.entry_id).where(DirectoryArea.municipality.in_(list(codes)))
    return await _gather(session, list(await session.scalars(
        select(DirectoryEntry).where(DirectoryEntry.id.in_(ids)).order_by(DirectoryEntry.id))))


async def stale(session: AsyncSession, codes: Collection[str], before: date) -> list[Stored]:
    """Entries serving these municipalities that nobody checked since `before`."""
    return [s for s in await serving(session, codes) if s.entry.last_checked < before]


async def get(session: AsyncSession, entry_id: str) -> Stored | None:
    """One entry, fresh from the database."""
    entry = (await session.scalars(select(DirectoryEntry).where(
        DirectoryEntry.id == entry_id).execution_options(populate_existing=True))).first()
    found = await _gather(session, [entry]) if entry is not None else []
    return found[0] if found else None


async def ids(session: AsyncSession) -> set[str]:
    """Every id in use."""
    return set(await session.scalars(select(DirectoryEntry.id)))


async def save(session: AsyncSession, stored: Stored) -> None:
    """Insert or replace one entry with its areas and texts."""
    await session.execute(delete(DirectoryArea).where(DirectoryArea.entry_id == stored.entry.id))
    await session.execute(delete(DirectoryText).where(DirectoryText.entry_id == stored.entry.id))
    await session.merge(stored.entry)
    await session.flush()
    session.add_all(DirectoryArea(entry_id=stored.entry.id, municipality=code)
                    for code in stored.areas)
    session.add_all(stored.texts.values())
    await session.flush()


async def remove_except(session: AsyncSession, keep: Collection[str]) -> int:
    """Delete every entry whose id is not in `keep` (with its areas and texts)."""
    gone = [i for i in await ids(session) if i not in set(keep)]
    for table in (DirectoryArea, DirectoryText):
        await session.execute(delete(table).where(table.entry_id.in_(gone)))
    await session.execute(delete(DirectoryEntry).where(DirectoryEntry.id.in_(gone)))
    return len(gone)
