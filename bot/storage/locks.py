"""Work that several instances on one PostgreSQL database must do one at a time.

A transaction-level advisory lock: taken at the start of a transaction, released when it
ends (commit, rollback, or the connection dying with its process), so a crash never
leaves it held. SQLite needs none: one process, and its single writer serialises.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

CLAIMS = 0x5765_6777  # outbox claims ("Wegw")
STARTUP = 0x5765_6778  # the features' startup work (schedules written once)


async def serialise(session: AsyncSession, key: int) -> None:
    """Wait until no other transaction holds `key`, then hold it until this one ends (its
    statements then see everything the previous holder committed)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
