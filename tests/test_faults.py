"""Faults over the real PTB stack: a locked database, Telegram out of reach, Telegram
answering 5xx, and a feature that crashes. Each is retried where that makes sense, a person
who waits hears a kind word in their own language, and nothing is half written, lost or
sent twice. Logs name the error's type, never what anyone typed."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any

import asyncpg
import pytest
from sqlalchemy import select

from bot.app import Content, build_router
from bot.config import Settings
from bot.core.broadcasts.delivery import start
from bot.core.engine import Core
from bot.core.outbox import Lane
from bot.core.payloads import Payload
from bot.core.router import Router, Turn
from bot.logs import JsonFormatter
from bot.storage import outbox as outbox_repo
from bot.storage.db import Database
from bot.storage.models import Broadcast, Delivery, Organisation, Post, Reminder, User
from bot.telegram.app import PTBApplication
from fakebot import DROP, FakeTelegram, Fault
from tests.conftest import MovingClock
from tests.databases import ON_POSTGRES, asyncpg_dsn, sqlite_path
from tests.telegram import BOT_OUTPUT, TgUser, running_bot, visible
from tests.test_telegram_reminders import HOUR_BEFORE, appointment_tomorrow
from worlds.broadcast import COORDINATOR, seed

APOLOGY = "Sorry, something went wrong on my side. Please try again."
BUSY_TIMEOUT = 0.2  # seconds: a lock outlasts the database's own waiting quickly here
SECRET = "mijn geheime asielzaak"  # what a person typed: it must never reach a log line
QUIET = 1.5  # seconds to wait after the last expected message: a duplicate would come now


# ---------------------------------------------------------------------- fixtures and helpers


@pytest.fixture
async def quick_db(settings: Settings) -> AsyncIterator[Database]:
    """The test database with a short busy timeout (and the default two retries)."""
    database = Database(settings.database_url, busy_timeout=BUSY_TIMEOUT)
    yield database
    await database.close()


@pytest.fixture
def quick_core(settings: Settings, quick_db: Database, clock: MovingClock,
               router: Router) -> Core:
    """Every feature, the quick database and a clock the test can move."""
    return Core(quick_db, router, settings.policy(), clock)


class WriteLock:
    """Another program writing to the same database; it holds its locks until released.

    SQLite: the file's write lock (BEGIN IMMEDIATE). PostgreSQL: every table locked in
    EXCLUSIVE mode, its equivalent: plain reads go on, every write waits.
    """

    def __init__(self, db: Database) -> None:
        self.url = db.url
        self.held = False
        self.sqlite: sqlite3.Connection | None = None
        self.postgres: Any = None  # an asyncpg connection

    async def __aenter__(self) -> WriteLock:
        if ON_POSTGRES:
            self.postgres = await asyncpg.connect(asyncpg_dsn(self.url))
            tables = ", ".join(f'"{r[0]}"' for r in await self.postgres.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
            await self.postgres.execute("BEGIN")
            await self.postgres.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
        else:
            self.sqlite = sqlite3.connect(sqlite_path(self.url), isolation_level=None,
                                          check_same_thread=False)
            await asyncio.to_thread(self.sqlite.execute, "BEGIN IMMEDIATE")
        self.held = True
        return self

    async def release(self) -> None:
        """The other program commits nothing and lets go."""
        if not self.held:
            return
        if self.postgres is not None:
            await self.postgres.execute("ROLLBACK")
        elif self.sqlite is not None:
            await asyncio.to_thread(self.sqlite.execute, "ROLLBACK")
        self.held = False

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.release()
        if self.postgres is not None:
            await self.postgres.close()
        if self.sqlite is not None:
            self.sqlite.close()


async def logged(caplog: pytest.LogCaptureFixture, fragment: str, timeout: float = 8.0) -> None:
    """Wait until some log line contains `fragment`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not any(fragment in record.getMessage() for record in caplog.records):
        assert loop.time() < deadline, f"no log line with {fragment!r}"
        await asyncio.sleep(0.02)


def log_lines(caplog: pytest.LogCaptureFixture) -> str:
    """Every captured record as production writes it (JSON lines, bot.logs)."""
    formatter = JsonFormatter()
    return "\n".join(formatter.format(record) for record in caplog.records)


async def user_row(db: Database, telegram_id: int) -> tuple[Any, ...]:
    """What the database holds about a person's progress."""
    async with db.session() as session:
        row = (await session.execute(
            select(User.state, User.locale, User.privacy_accepted_at)
            .where(User.telegram_id == telegram_id))).one()
    return tuple(row)


def background(app: PTBApplication) -> Any:
    """The adapter's background workers (senders, the line to Telegram)."""
    return app.bot_data["background"]


# ---------------------------------------------------------------------- a. database is locked


async def test_a_lock_longer_than_the_busy_timeout_is_retried_and_answered(
    fake: FakeTelegram, quick_core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    user = TgUser(fake, 630, first_name="Yohannes")
    async with running_bot(fake, quick_core):
        await user.send("/start")
        async with WriteLock(quick_core.db) as lock:
            await fake.user_presses(630, fake.messages(630)[-1], "lang:ar")
            await logged(caplog, "database busy")  # the first attempt gave up on the lock
            await lock.release()
        agree = visible("ar", "Do you agree?")
        await fake.wait_for(lambda: agree in user.screen()[-1], what="the consent question")
    assert visible("ar", APOLOGY) not in user.transcript()
    assert (await user_row(quick_core.db, 630))[1] == "ar"
    assert len(fake.callback_answers) == 1


async def test_a_lock_that_does_not_end_gets_the_apology_and_changes_nothing(
    fake: FakeTelegram, quick_core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    user = TgUser(fake, 631, first_name="Yohannes")
    async with running_bot(fake, quick_core):
        await user.send("/start")
        await user.press("lang:ti")
        before = await user_row(quick_core.db, 631)
        async with WriteLock(quick_core.db):
            start = len(fake.sent)
            await fake.user_presses(631, fake.messages(631)[-1], "priv:yes")
            await fake.wait_for(lambda: visible("ti", APOLOGY) in user.transcript(), 10,
                                what="the apology")
            during = await user_row(quick_core.db, 631)  # readers still read in WAL mode
        calls = [r["method"] for r in fake.sent[start:] if r["method"] in BOT_OUTPUT]
        after_lock = await user.press("priv:yes")  # the person tries again: it works
    assert calls == ["answerCallbackQuery", "sendMessage"]
    assert user.transcript()[-2] == visible("ti", APOLOGY)
    assert during == before and before[2] is None  # consent was not half stored
    assert visible("ti", "Who are you?") in after_lock[-1]["params"]["text"]
    retries = [r for r in caplog.records if "database busy" in r.getMessage()]
    assert len(retries) == quick_core.db.lock_retries
    lines = log_lines(caplog)
    assert "update" in lines and ("DBAPIError" if ON_POSTGRES else "OperationalError") in lines
    assert "UPDATE users" not in lines and "Yohannes" not in lines  # no SQL, no names


async def test_a_lock_while_recording_a_sent_reminder_neither_loses_nor_repeats_it(
    fake: FakeTelegram, quick_core: Core, clock: MovingClock, caplog: pytest.LogCaptureFixture
) -> None:
    user = TgUser(fake, 632)
    async with running_bot(fake, quick_core):
        await user.onboard("en")
        await appointment_tomorrow(user)
        before = len(user.screen())
        fake.stall("sendMessage", 632)
        clock.jump(seconds=(HOUR_BEFORE - clock()).total_seconds())
        await fake.wait_for(lambda: bool(fake.stalled), what="the reminder in flight")
        async with WriteLock(quick_core.db) as lock:
            fake.release("sendMessage", 632)  # Telegram has it; now it must be recorded
            await logged(caplog, "database busy")
            await lock.release()
        await fake.wait_for(lambda: len(user.screen()) > before, what="the reminder")
        await asyncio.sleep(QUIET)  # more reminder ticks: a lost record would send it again
    async with quick_core.db.session() as session:
        states = list(await session.scalars(select(Reminder.state)
                                            .where(Reminder.lead == "hour")))
    assert states == ["sent"]
    assert len(user.screen()) == before + 1


# ---------------------------------------------------------------------- b. Telegram out of reach


async def test_polling_survives_an_outage_and_the_waiting_message_is_answered_once(
    fake: FakeTelegram, quick_core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    user = TgUser(fake, 640)
    async with running_bot(fake, quick_core):
        await user.onboard("nl")
        before = len(user.screen())
        await fake.disconnect()
        await logged(caplog, "polling failed: NetworkError")
        await fake.user_sends(640, "/help")  # Telegram holds it until the bot is back
        await fake.reconnect()
        await fake.wait_for(lambda: len(user.screen()) > before, 10, what="the answer")
        await asyncio.sleep(QUIET)
    assert len(user.screen()) == before + 1
    assert "112" in user.screen()[-1]


class GoesAwayOnReply(FakeTelegram):
    """Telegram becomes unreachable just as the bot sends its reply to one chat."""

    def __init__(self) -> None:
        super().__init__()
        self.chat_id: int | None = None  # armed by the test

    def fault(self, name: str, params: dict[str, Any]) -> Fault | None:
        if name == "sendMessage" and params.get("chat_id") in (self.chat_id, str(self.chat_id)):
            self.chat_id = None  # once
            asyncio.get_running_loop().create_task(self.disconnect())
            return DROP
        return super().fault(name, params)


async def test_a_reply_that_outlasts_an_outage_is_kept_and_arrives_once_when_back(
    quick_core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    async with GoesAwayOnReply() as fake:
        user = TgUser(fake, 645)
        async with running_bot(fake, quick_core):
            await user.onboard("ti")
            before = len(user.screen())
            fake.chat_id = 645  # armed after onboarding
            await fake.user_sends(645, "/help")
            await logged(caplog, "replies kept for later: 1", timeout=10)
            await asyncio.sleep(1.0)  # the outbox tries too and finds the line down
            assert len(user.screen()) == before
            await fake.reconnect()
            await fake.wait_for(lambda: len(user.screen()) > before, 15, what="the kept reply")
            await asyncio.sleep(QUIET)  # a second copy would come now
    assert len(user.screen()) == before + 1 and "112" in user.screen()[-1]
    assert visible("ti", APOLOGY) not in user.transcript()
    async with quick_core.db.session() as session:
        assert list(await session.execute(select(Post.state, Post.ref))) == [("active", "reply")]


async def _broadcast_now(db: Database, now: Any) -> int:
    """The coordinator has just pressed Send (as worlds/broadcast.py does, on this database)."""
    async with db.session() as session:
        author = await session.scalar(select(User).where(User.telegram_id == COORDINATOR))
        organisation = await session.scalar(select(Organisation))
        assert author is not None and organisation is not None
        broadcast = Broadcast(author_id=author.id, organisation_id=organisation.id,
                              audience={"roles": ["newcomer"]}, texts={"nl": "Hallo allemaal"},
                              fallback="nl", created_at=now)
        session.add(broadcast)
        await session.flush()
        await start(session, broadcast, now)
        return broadcast.id


async def test_background_sends_wait_out_an_outage_and_arrive_once(
    fake: FakeTelegram, quick_core: Core, clock: MovingClock, caplog: pytest.LogCaptureFixture
) -> None:
    people = [641, 642, 643]
    await seed(quick_core.db, people, clock())
    for chat in [*people, COORDINATOR]:
        await fake.add_chat(chat)
    user = TgUser(fake, 644)
    async with running_bot(fake, quick_core) as app:
        await user.onboard("en")
        await appointment_tomorrow(user)
        before = len(user.screen())
        await fake.disconnect()
        clock.jump(seconds=(HOUR_BEFORE - clock()).total_seconds())  # the reminder is due
        number = await _broadcast_now(quick_core.db, clock())  # and a broadcast starts
        await logged(caplog, "Telegram unreachable")
        await asyncio.sleep(3.5)  # the outage outlasts the first retries' pauses (2 s, 4 s)
        assert not background(app).line.up
        await fake.reconnect()
        await fake.wait_for(lambda: len(user.screen()) > before and all(
            fake.messages(chat) for chat in [*people, COORDINATOR]), 15, what="every send")
        await asyncio.sleep(QUIET)  # a duplicate would come now
    assert len(user.screen()) == before + 1  # the reminder, once
    assert [len(fake.messages(chat)) for chat in people] == [1, 1, 1]
    assert len(fake.messages(COORDINATOR)) == 1  # the report (an outbox post), edited in place
    async with quick_core.db.session() as session:
        reminder = (await session.execute(select(Reminder.state, Reminder.attempts)
                                          .where(Reminder.lead == "hour"))).one()
        deliveries = (await session.execute(select(Delivery.state, Delivery.attempts)
                                            .where(Delivery.broadcast_id == number))).all()
        posts = list(await session.scalars(select(Post.state)))
    assert reminder[0] == "sent" and reminder[1] <= 2  # the outage cost at most one try
    assert sorted(state for state, _ in deliveries) == ["sent"] * 3
    assert sum(attempts for _, attempts in deliveries) <= 4  # at most one claimed in vain
    assert posts and set(posts) == {"active"}  # nothing given up


# ---------------------------------------------------------------------- c. Telegram answers 5xx


def _fail(fake: FakeTelegram, fault: str, method: str, chat_id: int, times: int) -> None:
    """Make the next `times` calls fail: a JSON 500, a proxy's 502 page, or a cut connection."""
    if fault == "dropped":
        fake.drop_connections(method, times=times, chat_id=chat_id)
    else:
        code, _, page = fault.partition(" ")
        fake.inject_error(method, int(code), "Internal Server Error" if code == "500"
                          else "Bad Gateway", times=times, chat_id=chat_id, from_proxy=bool(page))


@pytest.mark.parametrize("fault", ["500", "502 page", "dropped"])
async def test_a_reply_is_retried_through_5xx_and_dropped_connections_and_sent_once(
    fake: FakeTelegram, quick_core: Core, fault: str
) -> None:
    user = TgUser(fake, 650, language_code="ar")
    async with running_bot(fake, quick_core):
        await user.send("/start")
        _fail(fake, fault, "sendMessage", 650, times=2)
        calls = await user.send("/help")
    assert [c["method"] for c in calls] == ["sendMessage"]
    assert "112" in calls[0]["params"]["text"] and visible("ar", APOLOGY) not in user.transcript()
    assert len(fake.dropped if fault == "dropped" else fake.failures) == 2


async def test_an_edit_is_retried_through_5xx_and_nothing_is_sent_twice(
    fake: FakeTelegram, quick_core: Core
) -> None:
    user = TgUser(fake, 651)
    async with running_bot(fake, quick_core):
        await user.send("/start")
        fake.inject_error("editMessageText", 502, "Bad Gateway", times=2, from_proxy=True)
        start = len(fake.sent)
        await fake.user_presses(651, fake.messages(651)[-1], "lang:nl")
        await fake.wait_for(lambda: bool(fake.edits(651)), what="the edit")
        await asyncio.sleep(QUIET)
    calls = [r["method"] for r in fake.sent[start:] if r["method"] in BOT_OUTPUT]
    assert calls == ["answerCallbackQuery", "editMessageText"]
    assert [f["error_code"] for f in fake.failures] == [502, 502]
    assert len(user.screen()) == 1 and visible("nl", "Do you agree?") in user.screen()[0]


async def test_polling_through_5xx_answers_every_update_once(
    fake: FakeTelegram, quick_core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    user = TgUser(fake, 652)
    async with running_bot(fake, quick_core):
        await user.send("/start")
        fake.inject_error("getUpdates", 500, "Internal Server Error", times=2)
        await logged(caplog, "polling failed: NetworkError")
        await fake.user_sends(652, "/start")
        await fake.user_sends(652, "/help")
        await fake.wait_for(lambda: len(user.screen()) >= 3, 10, what="both answers")
        await asyncio.sleep(QUIET)
    assert [f["method"] for f in fake.failures] == ["getUpdates", "getUpdates"]
    assert len(user.screen()) == 3  # the picker twice and /help: nothing twice, nothing lost


# ---------------------------------------------------------------------- d. a feature crashes


class Boom(Payload, prefix="boom"):
    """The test-only feature's button."""

    number: int


class Kaboom(Exception):
    """A bug in a feature, as a test stands in for one."""


def register_crash(router: Router) -> None:
    """A test-only feature: changes the person's language, then fails quoting their words."""

    async def crash(turn: Turn) -> None:
        turn.user.locale = "nl"  # a half-done change: it must be rolled back
        raise Kaboom(f"could not handle {turn.event.text or turn.event.data!r}")

    async def crash_press(turn: Turn, _pressed: Boom) -> None:
        await crash(turn)

    router.command("boom", crash)
    router.on(Boom, crash_press)


@pytest.fixture
def crashing_core(settings: Settings, quick_db: Database, clock: MovingClock,
                  content: Content) -> Core:
    """Every feature plus one that crashes, registered like any other."""
    router = build_router(content.journeys, content.answers)
    register_crash(router)
    return Core(quick_db, router, settings.policy(), clock)


async def test_a_crash_gets_the_apology_in_the_persons_language_and_others_go_on(
    fake: FakeTelegram, crashing_core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    victim, other = TgUser(fake, 660, first_name="Yohannes"), TgUser(fake, 661)
    async with running_bot(fake, crashing_core):
        await victim.onboard("ti")
        await other.onboard("ar")
        other_before = len(other.screen())
        await fake.user_sends(660, f"/boom {SECRET}", first_name="Yohannes")
        await fake.user_sends(661, "/help")  # at the same moment, someone else
        await fake.wait_for(lambda: visible("ti", APOLOGY) in victim.transcript(),
                            what="the apology")
        pressed = await victim.forge("boom:1")
        await fake.wait_for(lambda: len(other.screen()) > other_before, what="the other answer")
    assert victim.transcript()[-1] == visible("ti", APOLOGY)
    assert [c["method"] for c in pressed] == ["answerCallbackQuery", "sendMessage"]
    assert "112" in other.screen()[-1] and visible("ar", APOLOGY) not in other.transcript()
    assert (await user_row(crashing_core.db, 660))[1] == "ti"  # the half-done change undone
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(failures) == 2 and all("Kaboom" in r.getMessage() for r in failures)
    lines = log_lines(caplog)
    assert SECRET not in lines and "geheime" not in lines and "Yohannes" not in lines
    assert not any("Kaboom" in text or "Traceback" in text for text in victim.transcript())


# ---------------------------------------------------------------------- e. no answer in time


async def test_a_send_held_beyond_the_read_timeout_arrives_once_and_is_not_resent(
    fake: FakeTelegram, quick_core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    chat = 670
    await fake.add_chat(chat)
    async with running_bot(fake, quick_core) as app:
        fake.stall("sendMessage", chat)  # Telegram got it, but answers after PTB gave up
        async with quick_core.db.session() as session:
            await outbox_repo.queue_text(session, chat, "Uw afspraak is over een uur",
                                         lane=Lane.REMINDER)
        background(app).wake()
        await fake.wait_for(lambda: bool(fake.stalled), what="the send in flight")
        await logged(caplog, "not resent (it may have arrived)", timeout=12)  # read timeout 5 s
        fake.release("sendMessage", chat)
        await fake.wait_for(lambda: bool(fake.messages(chat)), what="the held message")
        await asyncio.sleep(QUIET + 2)  # a retry (after 2 s) would send it again now
    assert len(fake.messages(chat)) == 1 and len(fake.stalled) == 1
    async with quick_core.db.session() as session:
        assert list(await session.execute(select(Post.state, Post.error))) == [
            ("interrupted", "timed out mid-send")]
