"""Work that several instances on one PostgreSQL database must do one at a time.

PostgreSQL: a transaction-level advisory lock, taken at the start of a transaction and
released when it ends (commit, rollback, or the connection dying with its process), so a
crash never leaves it held. SQLite: the database's one write lock, taken by a write that
changes nothing as the transaction's first statement (a read first would let another
writer in between: the check-then-insert race this is here to prevent).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

CLAIMS = 0x5765_6777  # outbox claims ("Wegw")
STARTUP = 0x5765_6778  # the features' startup work (schedules written once)
_SQLITE_WRITE_LOCK = text("UPDATE send_budget SET name = name WHERE name = ''")


async def serialise(session: AsyncSession, key: int) -> None:
    """Wait until no other transaction holds `key`, then hold it until this one ends (its
    statements then see everything the previous holder committed)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    else:
        await session.execute(_SQLITE_WRITE_LOCK)
