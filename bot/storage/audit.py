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
