"""Telegram's sending budget shared by every instance on one PostgreSQL database.

Generic cell rate algorithm ("next free slot"): a row holds the moment the next message
may go; taking a slot moves it on by one gap in one atomic UPDATE, on the database's own
clock (`clock_timestamp()`), so the instances' clocks never matter and no two callers get
one slot. Callers are told how many seconds to wait for their slot and sleep that long.
One round trip per slot, in autocommit (no BEGIN/COMMIT around it): about a third of a
millisecond on loopback, see docs/benchmarks.md. SQLite (one process) never calls this.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

BOT = "bot"  # the row of the bot-wide budget (seeded by migration 0013)
ANY_WAIT = 3600.0  # seconds: a reply takes the next slot however far ahead it is

# The slot is taken only if the budget is free within `within` seconds; either way the
# statement says how far ahead the next free slot is (the CTE's reads see the row as it
# was before the UPDATE, so `ahead` is the old value when nothing was taken).
_SLOT = text("""
WITH taken AS (
    UPDATE send_budget
    SET next_at = greatest(next_at, clock_timestamp()) + make_interval(secs => :gap)
    WHERE name = :name AND next_at <= clock_timestamp() + make_interval(secs => :within)
    RETURNING next_at)
SELECT (SELECT extract(epoch FROM next_at - clock_timestamp())::float8 FROM taken) AS mine,
       (SELECT extract(epoch FROM next_at - clock_timestamp())::float8 FROM send_budget
        WHERE name = :name) AS ahead
""")

# A private chat: its theoretical arrival time moves on by one period per message; the
# message may go `tolerance` seconds before the old one (a burst), never earlier.
_CHAT = text("""
INSERT INTO chat_budget (chat_id, next_at)
VALUES (:chat, clock_timestamp() + make_interval(secs => :period))
ON CONFLICT (chat_id) DO UPDATE
SET next_at = greatest(chat_budget.next_at, clock_timestamp()) + make_interval(secs => :period)
RETURNING extract(epoch FROM next_at - clock_timestamp())::float8
""")

_FORGET = text("DELETE FROM chat_budget WHERE next_at < clock_timestamp()")


async def slot(engine: AsyncEngine, gap: float, within: float = ANY_WAIT,
               name: str = BOT) -> tuple[float | None, float]:
    """Take the next slot of budget `name` if it is free within `within` seconds: the
    seconds until my slot (None if not taken) and until the budget's next free slot."""
    async with engine.connect() as connection:
        auto = await connection.execution_options(isolation_level="AUTOCOMMIT")
        row = (await auto.execute(_SLOT, {"gap": gap, "within": within, "name": name})).one()
    mine, ahead = row
    return (None if mine is None else float(mine) - gap), float(ahead or 0.0)


async def chat_slot(engine: AsyncEngine, chat_id: int, period: float, burst: int) -> float:
    """Take a private chat's next slot: the seconds to wait for it (≤ 0: now)."""
    async with engine.connect() as connection:
        auto = await connection.execution_options(isolation_level="AUTOCOMMIT")
        ahead = (await auto.execute(_CHAT, {"chat": chat_id, "period": period})).scalar_one()
    return float(ahead) - period * burst


async def forget_chats(session: AsyncSession) -> None:
    """Chats whose budget is full again need no row (the table stays small)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(_FORGET)
