"""The inbox repository on a real database: stored once, claimed in order per chat by any
instance, taken over after the lease, settled and pruned."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.storage import inbox
from bot.storage.db import Database
from bot.storage.models import InboxUpdate

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


async def store(db: Database, update_id: int, chat: int, member: int = 0) -> bool:
    """An update of `chat` (and, in a group, of `member`) arrives at instance a."""
    async with db.session() as session:
        return await inbox.store(session, inbox.Arrival(update_id, (chat, member),
                                                        {"update_id": update_id}), "a", T0)


async def claim(db: Database, instance: str, at: datetime = T0, limit: int = 10) -> list[int]:
    """What `instance` may handle now."""
    async with db.session() as session:
        return [c.update_id for c in await inbox.claim(session, instance, at, LEASE, limit)]


async def finish(db: Database, update_id: int, instance: str) -> None:
    async with db.session() as session:
        await inbox.finish(session, update_id, instance, T0)


async def states(db: Database) -> dict[int, tuple[str, str | None, int]]:
    async with db.session() as session:
        rows = await session.scalars(select(InboxUpdate))
        return {r.update_id: (r.state, r.claimed_by, r.attempts) for r in rows}


async def test_stored_once_and_claimed_one_per_chat_in_order(db: Database) -> None:
    assert [await store(db, n, chat) for n, chat in ((1, 10), (2, 10), (3, 20), (4, 10))] == [
        True, True, True, True]
    assert await store(db, 1, 10) is False  # Telegram sent it again
    assert await claim(db, "a") == [1, 3]  # one per chat, the oldest
    assert await claim(db, "b") == []  # both chats are busy, whoever asks
    await finish(db, 1, "b")  # not b's: changes nothing
    assert await claim(db, "b") == []
    await finish(db, 1, "a")
    assert await claim(db, "b") == [2]  # chat 10's next, by the other instance
    await finish(db, 3, "a")
    await finish(db, 2, "b")
    assert await claim(db, "a") == [4]
    assert (await states(db))[2] == ("done", "b", 1)


async def test_group_members_each_keep_their_own_order(db: Database) -> None:
    for update_id, member in ((1, 7), (2, 8), (3, 7)):
        await store(db, update_id, -100, member)
    assert await claim(db, "a") == [1, 2]


async def test_after_the_lease_a_claim_is_taken_over_and_a_handled_row_lapses(
    db: Database,
) -> None:
    for update_id, chat in ((1, 10), (2, 20), (3, 10), (4, 20)):
        await store(db, update_id, chat)
    assert await claim(db, "dead") == [1, 2]
    async with db.session() as session:  # update 2's turn committed, then the instance died
        assert await inbox.mark_handled(session, 2) is True
    async with db.session() as session:  # a second turn for it changes nothing
        assert await inbox.mark_handled(session, 2) is False
    assert await claim(db, "b", T0 + LEASE - timedelta(seconds=1)) == []
    assert await claim(db, "b", T0 + LEASE + timedelta(seconds=1)) == [1, 4]
    found = await states(db)
    assert found[1] == ("claimed", "b", 2)  # its turn never committed: run again
    assert found[2] == ("lapsed", "dead", 1)  # committed: never again (replies unknown)


async def test_concurrent_claims_never_give_one_chat_twice(db: Database) -> None:
    """Four instances claim at once (PostgreSQL: serialised by the advisory lock)."""
    for update_id in range(1, 41):
        await store(db, update_id, update_id % 5)
    others = [Database(db.url) for _ in range(3)]
    try:
        taken = await asyncio.gather(*(claim(each, f"i{n}")
                                       for n, each in enumerate([db, *others])))
    finally:
        for each in others:
            await each.close()
    claimed = sorted(update_id for got in taken for update_id in got)
    assert claimed == [1, 2, 3, 4, 5]


async def test_backlog_and_prune(db: Database) -> None:
    for update_id in (1, 2, 3):
        await store(db, update_id, update_id)
    await claim(db, "a", limit=1)
    await finish(db, 1, "a")
    async with db.session() as session:
        backlog = await inbox.backlog(session)
        assert (backlog.waiting, backlog.busy, backlog.oldest) == (2, 0, T0)
        assert await inbox.prune(session, T0 - timedelta(seconds=1)) == 0
        assert await inbox.prune(session, T0 + timedelta(seconds=1)) == 1
    assert sorted(await states(db)) == [2, 3]


async def test_a_renewed_claim_is_not_taken_over(db: Database) -> None:
    """An instance alive but slow renews what it holds; only a silent one loses it."""
    await store(db, 1, 10)
    assert await claim(db, "slow") == [1]
    async with db.session() as session:
        await inbox.renew(session, [1], "slow", T0 + LEASE - timedelta(seconds=5))
    assert await claim(db, "b", T0 + LEASE + timedelta(seconds=1)) == []
    assert await claim(db, "b", T0 + 2 * LEASE) == [1]
