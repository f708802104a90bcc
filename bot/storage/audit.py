"""Repository functions for the audit log of coordinator and admin actions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import AuditEntry, User


def record(session: AsyncSession, actor_id: int | None, action: str, at: datetime,
           **detail: int | str) -> None:
    """Ids and counts only: an audit log must not become a second copy of people's data."""
    session.add(AuditEntry(actor_id=actor_id, action=action, at=at, detail=detail))


async def recent(session: AsyncSession, limit: int = 30) -> list[tuple[AuditEntry, User | None]]:
    """The newest entries first, with who did it (None once the actor was erased)."""
    rows = await session.execute(
        select(AuditEntry, User).outerjoin(User, User.id == AuditEntry.actor_id)
        .order_by(AuditEntry.id.desc()).limit(limit))
    return [(entry, user) for entry, user in rows]


async def entries(session: AsyncSession, *, since: datetime, action: str = "",
                  actor_ids: list[int] | None = None,
                  limit: int = 100) -> list[tuple[AuditEntry, User | None]]:
    """Entries since a moment, newest first, of one action ('' for all) and, when given,
    only by these actors (a coordinator's view: their organisation's coordinators)."""
    query = (select(AuditEntry, User).outerjoin(User, User.id == AuditEntry.actor_id)
             .where(AuditEntry.at >= since).order_by(AuditEntry.id.desc()).limit(limit))
    if action:
        query = query.where(AuditEntry.action == action)
    if actor_ids is not None:
        query = query.where(AuditEntry.actor_id.in_(actor_ids))
    return [(entry, user) for entry, user in await session.execute(query)]


async def actions(session: AsyncSession) -> list[str]:
    """Every kind of action logged so far (the filter's choices)."""
    return sorted(await session.scalars(select(AuditEntry.action).distinct()))
