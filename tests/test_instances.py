"""Several instances on one database: two `Core`s, each with its own engine, share the
outbound queue and the timed work without duplicates, skips or reordering; the sends a
dead instance left behind are settled by another once the lease has passed (or by the
same instance when it starts again). Runs on the SQLite file and on PostgreSQL
(`make test-postgres`)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from functools import partial
from typing import TypeVar

import pytest
from sqlalchemy import func, select, update

from bot.config import Settings
from bot.core.engine import Core
from bot.core.outbox import Lane, Result
from bot.core.router import Router
from bot.storage import budget, jobs
from bot.storage import outbox as outbox_repo
from bot.storage.db import Database
from bot.storage.models import (
    AuditEntry,
    Broadcast,
    Delivery,
    Job,
    Organisation,
    Post,
    Reminder,
    User,
)
from bot.telegram.app import PTBApplication, build_application
from fakebot import FakeTelegram
from fakebot.polling import TOKEN, polling
from fakebot.split import SplitFake
from tests.conftest import MovingClock
from tests.databases import ON_POSTGRES
from worlds.broadcast import COORDINATOR, queue_broadcast, seed

T = TypeVar("T")
LEASE = timedelta(seconds=30)


def instance(settings: Settings, router: Router, clock: MovingClock, name: str,
             lease: timedelta = LEASE) -> Core:
    """One instance: its own engine (connection pool) on the test's database."""
    policy = replace(settings.policy(), instance=name, send_lease=lease)
    return Core(Database(settings.database_url), router, policy, clock)


@pytest.fixture
async def pair(settings: Settings, router: Router, clock: MovingClock) -> AsyncIterator[
        list[Core]]:
    """Instances a and b on one database."""
    cores = [instance(settings, router, clock, name) for name in ("a", "b")]
    yield cores
    for core in cores:
        await core.db.close()


async def again(core: Core, work: Callable[[], Awaitable[T]]) -> T:
    """As the timer would on its next look: a transaction that met a lock runs again."""
    return await core.db.retrying(work)


# ---------------------------------------------------------------------- claims


async def test_two_instances_never_send_to_one_chat_at_once_nor_out_of_order(
    pair: list[Core],
) -> None:
    chats, per_chat = list(range(700, 706)), 12
    async with pair[0].db.session() as session:
        for number in range(per_chat):
            for chat in chats:
                await outbox_repo.queue_text(session, chat, f"{chat}:{number}",
                                             lane=Lane.NOTICE)
    in_flight: set[int] = set()
    clashes: list[int] = []
    sent: dict[int, list[str]] = defaultdict(list)

    async def sender(core: Core) -> None:
        while sum(map(len, sent.values())) < len(chats) * per_chat:
            items = await again(core, partial(core.claim, limit=4))
            clashes.extend(item.chat_id for item in items if item.chat_id in in_flight)
            in_flight.update(item.chat_id for item in items)
            await asyncio.sleep(0.002 if items else 0.01)  # Telegram's answer
            for item in items:
                sent[item.chat_id].append(item.reply.text)
                in_flight.discard(item.chat_id)  # the row is `sending` until reported
                await again(core, partial(core.report, item, Result.sent(1)))

    async with asyncio.timeout(60):
        await asyncio.gather(*(sender(core) for core in pair for _thrice in range(3)))
    assert clashes == []
    assert {chat: texts for chat, texts in sent.items()} == {
        chat: [f"{chat}:{n}" for n in range(per_chat)] for chat in chats}


# ---------------------------------------------------------------------- the lease


async def _claimed_by_a(a: Core) -> list[int]:
    """Three new messages and one edit of a board, all claimed by instance a."""
    async with a.db.session() as session:
        for chat in (801, 802, 803):
            await outbox_repo.queue_text(session, chat, "hallo", lane=Lane.NOTICE)
        edit = await outbox_repo.queue_text(session, 804, "board", lane=Lane.NOTICE)
        edit.message_id, edit.revision, edit.sent_revision = 7, 2, 1
    items = await a.claim(limit=4)
    return sorted(item.chat_id for item in items)


async def states(core: Core) -> dict[int, str]:
    """Each chat's outbox row state."""
    async with core.db.session() as session:
        return {int(c): s for c, s in (await session.execute(select(Post.chat_id, Post.state)))}


async def test_another_instance_starting_leaves_the_sends_in_flight_alone(
    pair: list[Core], clock: MovingClock
) -> None:
    a, b = pair
    await a.startup()
    assert await _claimed_by_a(a) == [801, 802, 803, 804]
    await b.startup()  # before: every row `sending` was settled, though a is sending them
    clock.jump(seconds=LEASE.total_seconds() - 1)
    assert await b.recover_claims() == 0
    assert set((await states(b)).values()) == {"sending"}
    assert await b.claim(limit=4) == []  # their chats are busy: nothing can overtake


async def test_sends_of_a_dead_instance_are_settled_after_the_lease(
    pair: list[Core], clock: MovingClock
) -> None:
    a, b = pair
    await a.startup()
    await _claimed_by_a(a)  # … and then a dies
    clock.jump(seconds=LEASE.total_seconds() + 1)
    assert await b.recover_claims() == 4
    assert await b.recover_claims() == 0  # settled once
    assert await states(b) == {801: "interrupted", 802: "interrupted", 803: "interrupted",
                               804: "active"}  # new messages may have arrived; edits redone
    redo = await b.claim(limit=4)
    assert [(item.chat_id, item.message_id) for item in redo] == [(804, 7)]


async def test_an_instance_that_starts_again_settles_its_own_sends_at_once(
    settings: Settings, router: Router, clock: MovingClock, pair: list[Core]
) -> None:
    a, b = pair
    await a.startup()
    await _claimed_by_a(a)
    again_a = instance(settings, router, clock, "a")  # the same instance, a new process
    try:
        await again_a.startup()
        assert (await states(b))[801] == "interrupted"
    finally:
        await again_a.db.close()


# ---------------------------------------------------------------------- timed work


async def _world(core: Core, people: list[int]) -> int:
    """Newcomers with a check-in due, five silent for a year, a broadcast planned for now,
    and the Monday jobs due; returns the broadcast's id."""
    now = core.clock()
    await seed(core.db, people, now)
    async with core.db.session() as session:
        ids = dict((await session.execute(select(User.telegram_id, User.id))).all())
        session.add_all(Reminder(user_id=ids[p], kind="checkin", due_at=now - timedelta(
            minutes=1), useful_until=now + timedelta(days=1), created_at=now) for p in people)
        await session.execute(update(User).where(User.telegram_id.in_(people[:5]))
                              .values(last_seen_at=now - timedelta(days=340)))
        organisation = await session.scalar(select(Organisation.id))
        author = ids[COORDINATOR]
        broadcast = Broadcast(author_id=author, organisation_id=organisation, state="scheduled",
                              audience={"roles": ["newcomer"]}, texts={"nl": "Hallo"},
                              fallback="nl", created_at=now)
        session.add(broadcast)
        await session.flush()
        for kind, ref in (("broadcast", str(broadcast.id)), ("coordinators", str(organisation)),
                          ("retention", "daily")):
            await jobs.ensure(session, kind, ref, now - timedelta(seconds=1))
        return broadcast.id


async def test_timed_work_of_two_instances_is_done_exactly_once(pair: list[Core]) -> None:
    people = list(range(7000, 7030))
    number = await _world(pair[0], people)
    await asyncio.gather(*(core.startup() for core in pair))  # both start at the same moment

    async def look(core: Core) -> None:
        await again(core, core.tick)
        await again(core, core.run_due_jobs)

    for _round in range(15):
        await asyncio.gather(*(look(core) for core in pair))
    async with pair[0].db.session() as session:
        reminded = Counter(await session.scalars(
            select(Post.chat_id).where(Post.source == "reminder")))
        delivered = Counter(await session.scalars(
            select(Delivery.chat_id).where(Delivery.broadcast_id == number)))
        queued = Counter(await session.scalars(select(Post.chat_id).where(
            Post.source == "broadcast")))
        told = Counter(await session.scalars(select(Post.chat_id).where(
            Post.source.is_(None), Post.ref.is_(None))))
        retention_runs = await session.scalar(select(func.count()).select_from(AuditEntry)
                                              .where(AuditEntry.action == "retention.run"))
        scheduled = Counter(await session.execute(select(Job.kind, Job.ref).where(
            Job.state == "scheduled")))
        checkins = Counter(await session.scalars(select(Reminder.user_id).where(
            Reminder.kind == "checkin", Reminder.state == "scheduled")))
    assert reminded == dict.fromkeys(people, 1)  # every reminder: one outbox row
    assert delivered == queued == dict.fromkeys(people, 1)  # the broadcast: each queued once
    # the coordinator's Monday overview once; each silent person's warning once
    assert told == {COORDINATOR: 1, **dict.fromkeys(people[:5], 1)}
    assert retention_runs == 1
    assert set(scheduled.values()) == {1}  # next week's jobs, tomorrow's retention: once
    assert set(checkins.values()) <= {1}  # startup wrote each next check-in once


# ---------------------------------------------------------------------- over PTB


@asynccontextmanager
async def serving(fake: FakeTelegram, core: Core) -> AsyncIterator[PTBApplication]:
    """One instance of the bot: polling, its sender and its timer."""
    app = build_application(core, TOKEN, fake.root_url)
    async with polling(app):
        yield app


PEOPLE = list(range(20_000, 20_500))
ASKERS = list(range(30_000, 30_040))
GROUP = -100_555


async def test_instances_share_one_telegram_budget(
    settings: Settings, router: Router, clock: MovingClock
) -> None:
    """On PostgreSQL two instances; on SQLite one (each would pace itself: SQLite is for
    one process)."""
    cores = [instance(settings, router, clock, name)
             for name in (("a", "b") if ON_POSTGRES else ("a",))]
    await queue_broadcast(settings.database_url, PEOPLE)
    async with cores[0].db.session() as session:
        for number in range(25):
            await outbox_repo.queue_text(session, GROUP, f"notice {number}", lane=Lane.NOTICE)
    async with SplitFake() as fake, AsyncExitStack() as stack:
        for chat in [*PEOPLE, *ASKERS, COORDINATOR, GROUP]:
            await fake.add_chat(chat)
        for core in cores:
            await stack.enter_async_context(serving(fake, core))
        await fake.wait_for(lambda: len(fake.received(PEOPLE)) >= 100, 30, what="100 sent")
        for asker in ASKERS:  # people write while the broadcast runs: each is answered
            await fake.user_sends(asker, "/help")
            await asyncio.sleep(0.05)
        await fake.wait_for(lambda: len(fake.received([*PEOPLE, *ASKERS])) == 540, 60,
                            what="every message")
        await asyncio.sleep(1.5)  # a duplicate would come now
        for core in cores:
            await core.db.close()
    assert fake.busiest_second() <= 30
    assert set(fake.received([*PEOPLE, *ASKERS]).values()) == {1}  # each exactly once
    group = [str(r["params"]["text"]) for r in fake.sent if r["method"] == "sendMessage"
             and int(r["params"]["chat_id"]) == GROUP]
    assert group == [f"notice {n}" for n in range(len(group))]  # in order, each once
    assert len(group) >= 20 and fake.busiest(GROUP, 60.0) <= 20  # 20 a minute


async def test_a_broadcast_that_an_instance_left_mid_send_is_finished_by_another(
    settings: Settings, router: Router, clock: MovingClock
) -> None:
    await queue_broadcast(settings.database_url, PEOPLE[:60])
    dead = instance(settings, router, clock, "a")
    claimed = await dead.claim(limit=8)  # a takes eight rows, and dies before sending them
    await dead.db.close()
    cut_off = {item.chat_id for item in claimed} & set(PEOPLE)  # (one is the report)
    left = {"sent": 60 - len(cut_off), "interrupted": len(cut_off)}
    survivor = instance(settings, router, clock, "b", lease=timedelta(seconds=2))
    async with SplitFake() as fake:
        for chat in [*PEOPLE[:60], COORDINATOR]:
            await fake.add_chat(chat)
        async with serving(fake, survivor):
            started = time.monotonic()
            async with asyncio.timeout(60):
                while await _deliveries(survivor) != left:
                    await asyncio.sleep(0.1)
            took = time.monotonic() - started
            await asyncio.sleep(1.5)  # a duplicate would come now
        await survivor.db.close()
    assert took < 60 and len(cut_off) >= 6
    assert set(fake.received(PEOPLE[:60])) == set(PEOPLE[:60]) - cut_off  # nobody skipped
    assert set(fake.received(PEOPLE[:60]).values()) == {1}  # nobody twice


async def _deliveries(core: Core) -> dict[str, int]:
    """The broadcast's deliveries per state."""
    async with core.db.session() as session:
        rows = await session.execute(select(Delivery.state, func.count())
                                     .group_by(Delivery.state))
        return {state: int(count) for state, count in rows.all()}


@pytest.mark.skipif(not ON_POSTGRES, reason="the shared budget lives in PostgreSQL")
async def test_the_shared_budget_hands_out_slots_one_gap_apart_and_replies_go_first(
    pair: list[Core],
) -> None:
    a, b = (core.db.engine for core in pair)
    for core in pair:  # connected (a first connection takes longer than a slot)
        await again(core, core.recover_claims)
    gap = 0.5
    waits = [(await budget.slot(engine, gap))[0] or 0.0 for engine in (a, b, a, b)]
    assert [round(w * 2) / 2 for w in waits] == [0.0, 0.5, 1.0, 1.5]  # across instances
    mine, ahead = await budget.slot(a, gap, within=gap)  # a queued message: not this far
    assert mine is None and ahead > 1.5
    reply, _ahead = await budget.slot(b, gap)  # a reply takes the next slot anyway
    assert reply is not None and 1.5 < reply <= 2.0
    chat = [await budget.chat_slot(engine, 42, 1.0, 3) for engine in (a, b, a, b)]
    assert [w <= 0 for w in chat] == [True, True, True, False]  # a burst of three …
    assert 0.7 < chat[3] <= 1.0  # … then one a second
