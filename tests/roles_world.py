"""One populated world for the authorization matrix and the property tests, built through the
core the way people build it: two organisations, groups with members and a newcomer, linked
group chats, tasks, questions, appointments, broadcasts, and people in the middle of dialogs.

Everything is made with commands, buttons and typed text; ids are read back from the
database afterwards, so the tests can forge buttons that point at other people's things.
The world lives in SQLite files or PostgreSQL databases, like every test's data
(tests/databases.py); the tests read and restore it with a connection of their own.
"""

from __future__ import annotations

import asyncio
import atexit
import dataclasses
import itertools
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import asyncpg

from bot.app import Content, build_core, load_content
from bot.config import Settings, load_settings
from bot.core.directory import store
from bot.core.engine import Core
from bot.core.ports import Incoming, Kind, Outcome
from bot.core.router import Router
from bot.storage.db import Database
from fakebot.html_check import TelegramHtmlError, check_telegram_html, utf16_length
from tests.conftest import FIXED_NOW
from tests.databases import (
    ON_POSTGRES,
    asyncpg_dsn,
    blocking,
    copy_database,
    discard,
    empty_database,
    sqlite_path,
    sqlite_url,
)

ADMIN, COORD_A, COORD_B = 4242, 701, 702
MEMBER_A, NEWCOMER_A, MEMBER_B = 711, 712, 721
LONER, FRESH, STRANGER = 731, 741, 799
CHAT_A, CHAT_B, CHAT_C = -100701, -100702, -100703  # C is a chat nobody linked
NAMES = {ADMIN: "Ada", COORD_A: "Cora", COORD_B: "Bram", MEMBER_A: "Mia", NEWCOMER_A: "Noor",
         MEMBER_B: "Ben", LONER: "Lina", FRESH: "Fay", STRANGER: "Sam"}
# Words that appear only in one object's text: a reply that shows one to someone who may
# not see that object is a leak.
MARK = {"task_a_open": "ZQFIETS", "task_a_claimed": "ZQHUUR", "task_a_hidden": "ZQGEHEIM",
        "task_a_done": "ZQKLAAR", "task_b_open": "ZQBTAAK", "task_a_comment": "ZQOPMERKING",
        "question_answered": "ZQOLIFANT", "question_open": "ZQGIRAFFE",
        "question_draft": "ZQPINGUIN", "answer": "ZQANTWOORD",
        "appointment_loner": "ZQBANK", "broadcast_a": "ZQBERICHTA",
        "broadcast_b": "ZQBERICHTB", "broadcast_b_sent": "ZQVERZONDEN"}
SECRET_MARKS = frozenset(MARK.values())


def settings_for(url: str) -> Settings:
    """Test settings on a database; the flood gate must not hide handlers from the tests."""
    return load_settings({"DATABASE_URL": url,
                          "WEGWIJS_ADMIN_IDS": str(ADMIN), "WEGWIJS_FLOOD_BURST": "1000000"},
                         env_file=Path(__file__).parent / "absent.env")


@dataclass
class World:
    """The core on a real database, and the ids of everything in it."""

    core: Core
    url: str
    users: dict[int, int] = field(default_factory=dict)  # telegram id → users.id
    groups: dict[str, int] = field(default_factory=dict)  # A, B, B2
    orgs: dict[str, int] = field(default_factory=dict)  # A, B
    tasks: dict[str, int] = field(default_factory=dict)
    questions: dict[str, int] = field(default_factory=dict)
    appointments: dict[str, int] = field(default_factory=dict)
    reminders: dict[str, int] = field(default_factory=dict)
    broadcasts: dict[str, int] = field(default_factory=dict)
    invites: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # invite links that still work
    link_code_b: str = ""  # a valid /link code for group B, shown to member B

    async def handle(self, event: Incoming) -> Outcome:
        """One input through the core, exactly as an adapter would pass it."""
        return await self.core.handle(event)

    async def send(self, user: int, text: str, chat: int | None = None) -> Outcome:
        """Typed text or a /command, in the private chat or in a group chat."""
        private = chat is None
        if text.startswith("/"):
            name, _sep, args = text[1:].partition(" ")
            event = Incoming(user, chat or user, Kind.COMMAND, text=args, command=name,
                             private=private, first_name=NAMES.get(user, ""))
        else:
            event = Incoming(user, chat or user, Kind.TEXT, text=text, private=private,
                             first_name=NAMES.get(user, ""))
        return await self.handle(event)

    async def press(self, user: int, data: str, chat: int | None = None) -> Outcome:
        """A button press (shown or forged)."""
        return await self.handle(Incoming(user, chat or user, Kind.BUTTON, data=data,
                                          private=chat is None, first_name=NAMES.get(user, "")))

    def rows(self, query: str, *params: object) -> list[tuple[object, ...]]:
        """Read the database directly (a separate, short-lived connection); parameters
        are written `?`."""
        if ON_POSTGRES:
            return [tuple(r) for r in blocking().run(_pg_fetch(self.url, query, params))]
        connection = sqlite3.connect(sqlite_path(self.url))
        try:
            return list(connection.execute(query, params))
        finally:
            connection.close()

    def one(self, query: str, *params: object) -> int:
        """A single integer from the database."""
        found = self.rows(query, *params)
        assert found and isinstance(found[0][0], int), (query, params, found)
        return found[0][0]


def _token(outcome: Outcome) -> str:
    found = re.search(r"start=(i_[A-Za-z0-9_-]+)", "\n".join(r.text for r in outcome.replies))
    assert found, [r.text for r in outcome.replies]
    return found.group(1)


def _code(outcome: Outcome) -> str:
    found = re.search(r"/link ([0-9A-F]{8})", "\n".join(r.text for r in outcome.replies))
    assert found, [r.text for r in outcome.replies]
    return found.group(1)


_ROUTERS: list[Router] = []  # the FAQ matcher takes a while to build: one router per process


def open_core(url: str) -> Core:
    """A core on an existing database, with the fixed clock of the core tests."""
    settings = settings_for(url)
    if _ROUTERS:
        return Core(Database(settings.database_url), _ROUTERS[0], settings.policy(),
                    lambda: FIXED_NOW)
    core = build_core(settings, Database(settings.database_url), clock=lambda: FIXED_NOW,
                      content=_content())
    _ROUTERS.append(core.router)
    return core


def copy_of(world: World, template: str, folder: Path, name: str) -> World:
    """The same world on a copy of a frozen database, with its own core (call inside a
    loop; `discard` the copy's url afterwards)."""
    url = copy_database(template, folder, name)
    return dataclasses.replace(world, core=open_core(url), url=url)


@cache
def base() -> tuple[World, str]:
    """The world built once per test process and frozen into a template database.

    It is built on its own event loop; test modules open copies on theirs.
    """
    folder = Path(tempfile.mkdtemp(prefix="wegwijs-world-"))
    atexit.register(shutil.rmtree, folder, True)
    url = empty_database(folder, "built.db")
    atexit.register(discard, url)

    async def make() -> World:
        world = await build(url)
        await world.core.db.close()
        install_change_log(world.url)
        return world

    world = asyncio.run(make())
    return world, freeze(world, "base.db")


async def build(url: str) -> World:
    """Make the world on a fresh database at `url`."""
    db = Database(settings_for(url).database_url)
    await db.migrate()
    await db.close()
    world = World(open_core(url), url)
    await _organisations(world)
    await _people(world)
    await _chats(world)
    await _tasks(world)
    await _questions(world)
    await _appointments(world)
    await _broadcasts(world)
    await _directory(world)
    await _dialogs(world)
    for telegram_id, user_id in world.rows("SELECT telegram_id, id FROM users"):
        assert isinstance(telegram_id, int) and isinstance(user_id, int)
        world.users[telegram_id] = user_id
    for name, key in (("A", "Groep A"), ("B", "Groep B"), ("B2", "Groep B2")):
        world.groups[name] = world.one("SELECT id FROM groups WHERE name = ?", key)
    return world


@cache
def _content() -> Content:
    """Journeys and answers are loaded once per process: they do not change."""
    return load_content()


async def _organisations(world: World) -> None:
    await world.send(ADMIN, "/start")
    for data in ("lang:nl", "priv:yes", "ob:role:coordinator"):
        await world.press(ADMIN, data)
    for key, coordinator in (("A", COORD_A), ("B", COORD_B)):
        token = _token(await world.send(ADMIN, f"/neworg Organisatie {key}"))
        world.orgs[key] = world.one("SELECT max(id) FROM organisations")
        await _join(world, coordinator, token, "nl")
        await world.press(coordinator, "g:n")
        await world.send(coordinator, f"Groep {key}")
        await world.send(coordinator, "Utrecht" if key == "A" else "Amsterdam")
        await world.press(coordinator, "ga:n")
    world.invites["coordinator_b"] = world.one(
        "SELECT max(id) FROM invites WHERE role = 'coordinator'")  # made again for org B


async def _join(world: World, user: int, token: str, code: str) -> None:
    await world.send(user, f"/start {token}")
    for data in (f"lang:{code}", "priv:yes", "inv:y"):
        await world.press(user, data)


async def _people(world: World) -> None:
    group_a = world.one("SELECT id FROM groups WHERE name = 'Groep A'")
    group_b = world.one("SELECT id FROM groups WHERE name = 'Groep B'")
    world.tokens["member_a"] = _token(await world.press(COORD_A, f"g:i:{group_a}:m"))
    world.invites["member_a"] = world.one("SELECT max(id) FROM invites")
    await _join(world, MEMBER_A, world.tokens["member_a"], "nl")
    await _join(world, NEWCOMER_A, _token(await world.press(COORD_A, f"g:i:{group_a}:n")),
                "ar")
    world.invites["newcomer_a"] = world.one("SELECT max(id) FROM invites")
    for data in ("ob:sit:refugee", "ob:kids:yes"):
        await world.press(NEWCOMER_A, data)
    await world.send(NEWCOMER_A, "Utrecht")
    await world.press(NEWCOMER_A, "ob:arr:skip")
    await _join(world, MEMBER_B, _token(await world.press(COORD_B, f"g:i:{group_b}:m")), "en")
    world.tokens["newcomer_b"] = _token(await world.press(COORD_B, f"g:i:{group_b}:n"))
    world.invites["newcomer_b"] = world.one("SELECT max(id) FROM invites")
    await world.send(LONER, "/start")
    for data in ("lang:ti", "priv:yes", "ob:role:newcomer", "ob:sit:family", "ob:kids:no"):
        await world.press(LONER, data)
    await world.send(LONER, "Amsterdam")
    await world.press(LONER, "ob:arr:skip")
    await world.send(FRESH, "/start")
    for data in ("lang:en", "priv:yes", "ob:role:newcomer"):  # stops at the situation question
        await world.press(FRESH, data)


async def _chats(world: World) -> None:
    for member, chat, name in ((MEMBER_A, CHAT_A, "Groep A"), (MEMBER_B, CHAT_B, "Groep B")):
        group = world.one("SELECT id FROM groups WHERE name = ?", name)
        code = _code(await world.press(member, f"g:c:{group}"))
        await world.handle(Incoming(member, chat, Kind.ADDED, private=False))
        await world.send(member, f"/link {code}", chat)
        assert world.one("SELECT chat_id FROM groups WHERE id = ?", group) == chat
    group_b = world.one("SELECT id FROM groups WHERE name = 'Groep B'")
    world.link_code_b = _code(await world.press(MEMBER_B, f"g:c:{group_b}"))


async def _task(world: World, user: int, group: str, title: str, who: str = "any") -> int:
    gid = world.one("SELECT id FROM groups WHERE name = ?", group)
    await world.press(user, f"tn:{gid}")
    await world.send(user, title)
    await world.press(user, "tn:n")
    await world.press(user, f"tn:a:{who}")
    return world.one("SELECT max(id) FROM tasks")


async def _tasks(world: World) -> None:
    member_a = world.one("SELECT id FROM users WHERE telegram_id = ?", MEMBER_A)
    tasks = world.tasks
    tasks["a_open"] = await _task(world, MEMBER_A, "Groep A",
                                  f"Fiets regelen {MARK['task_a_open']}")
    await world.press(MEMBER_A, f"t:{tasks['a_open']}:w")  # the newcomer sees this one
    await world.press(MEMBER_A, f"t:{tasks['a_open']}:m")
    await world.send(MEMBER_A, f"Ik bel morgen {MARK['task_a_comment']}")
    tasks["a_claimed"] = await _task(world, COORD_A, "Groep A",
                                     f"Huurcontract lezen {MARK['task_a_claimed']}", str(member_a))
    tasks["a_hidden"] = await _task(world, COORD_A, "Groep A",
                                    f"Overleg met de gemeente {MARK['task_a_hidden']}")
    tasks["a_done"] = await _task(world, MEMBER_A, "Groep A", f"Al gedaan {MARK['task_a_done']}")
    await world.press(MEMBER_A, f"t:{tasks['a_done']}:d")
    tasks["b_open"] = await _task(world, MEMBER_B, "Groep B", f"Taak van B {MARK['task_b_open']}")
    await world.press(MEMBER_B, f"t:{tasks['b_open']}:w")
    await world.send(MEMBER_A, "/newtask Een taak in wording", CHAT_A)  # left at "who?"
    await world.press(MEMBER_A, "tn:n", CHAT_A)


async def _ask(world: World, user: int, text: str) -> int:
    await world.send(user, text)
    draft = world.one("SELECT id FROM questions WHERE user_id = "
                      "(SELECT id FROM users WHERE telegram_id = ?) AND status = 'draft'", user)
    await world.press(user, f"q:ask:{draft}")
    return draft


async def _questions(world: World) -> None:
    answered = await _ask(world, NEWCOMER_A,
                          f"Hoeveel kost een olifant {MARK['question_answered']}")
    await world.press(COORD_A, f"q:ans:{answered}")
    await world.send(COORD_A, f"Dat weet ik niet {MARK['answer']}")
    world.questions["answered"] = answered
    world.questions["open"] = await _ask(world, LONER, f"Waar woont een giraffe "
                                                       f"{MARK['question_open']}")
    await world.send(NEWCOMER_A, f"Waarom zwemt een pinguin {MARK['question_draft']}")
    world.questions["draft"] = world.one("SELECT max(id) FROM questions")
    statuses = {row[0]: row[1] for row in world.rows("SELECT id, status FROM questions")}
    assert statuses == {answered: "answered", world.questions["open"]: "open",
                        world.questions["draft"]: "draft"}, statuses


async def _appointments(world: World) -> None:
    for user, what, day, hour in ((NEWCOMER_A, "gemeente", "20261210", "1000"),
                                  (LONER, "other", "20261215", "0930")):
        await world.press(user, "r:n")
        await world.press(user, f"r:w:{what}")
        if what == "other":
            await world.send(user, f"Afspraak bij de bank {MARK['appointment_loner']}")
        await world.press(user, f"r:d:{day}")
        await world.press(user, f"r:t:{hour}")
        await world.press(user, "r:c:s")
        key = "newcomer_a" if user == NEWCOMER_A else "loner"
        world.appointments[key] = world.one("SELECT max(id) FROM appointments")
        world.reminders[key] = world.one("SELECT max(id) FROM reminders WHERE appointment_id = ?",
                                         world.appointments[key])
    world.reminders["checkin_loner"] = world.one(
        "SELECT id FROM reminders WHERE kind = 'checkin' AND user_id = "
        "(SELECT id FROM users WHERE telegram_id = ?)", LONER)


async def _broadcast(world: World, coordinator: int, text: str) -> int:
    await world.send(coordinator, "/broadcast")
    number = world.one("SELECT max(id) FROM broadcasts")
    await world.press(coordinator, f"bc:w:{number}:nl")
    await world.send(coordinator, text)
    return number


async def _broadcasts(world: World) -> None:
    world.broadcasts["a"] = await _broadcast(world, COORD_A, f"Bericht {MARK['broadcast_a']}")
    world.broadcasts["b"] = await _broadcast(world, COORD_B, f"Bericht {MARK['broadcast_b']}")
    sent = await _broadcast(world, COORD_B, f"Bericht {MARK['broadcast_b_sent']}")
    await world.press(COORD_B, f"bc:y:{sent}")
    world.broadcasts["b_sent"] = sent
    assert world.one("SELECT count(*) FROM deliveries WHERE broadcast_id = ?", sent) >= 1


DIRECTORY_CSV = (  # one entry in group A's town, one in group B's, one national
    "id,kind,name,description_nl,description_en,description_ar,description_ti,themes,"
    "municipalities,languages,phone,website,email,address,postcode,city,latitude,longitude,"
    "opening_hours,appointment_only,temporarily_closed,source,last_checked\n"
    "dir-a,organisation,Hulp A,,,,,legal,Utrecht,ar,,,,,,,,,,no,no,test,2025-01-01\n"
    "dir-b,organisation,Hulp B,,,,,legal,Amsterdam,,,,,,,,,,,no,no,test,2025-01-01\n"
    "dir-n,organisation,Hulp overal,,,,,legal,national,,,,,,,,,,,no,no,test,2025-01-01\n")


async def _directory(world: World) -> None:
    """Directory entries only their area's keepers (and admins) may change."""
    async with world.core.db.session() as session:
        await store.import_rows(session, store.read_file(DIRECTORY_CSV.encode()), FIXED_NOW)


async def _dialogs(world: World) -> None:
    """People left in the middle of something, as they would be in real life."""
    await world.press(NEWCOMER_A, "j:first_steps::o")  # at "Register at the gemeente"
    await world.press(COORD_B, "g:n")
    await world.send(COORD_B, "Groep B2")
    await world.press(COORD_B, "g:m:skip")  # now picking B2's arrival date
    state = world.rows("SELECT state FROM users WHERE telegram_id = ?", COORD_B)[0][0]
    assert str(state).startswith("group:arrival:"), state


# ---------------------------------------------------------------- seeing what changed
#
# Test-only triggers write the name of every table a statement touched into `_changes`, so
# an attempt that changed nothing costs one tiny query instead of a full comparison. The
# users table ignores `last_seen_at`, which every update touches. Freezing keeps a copy of
# every table to restore from: on SQLite a file next to the live one (attached to it), on
# PostgreSQL the schema `frozen` inside the live database (copies of the database take it
# along).

CHANGES = "_changes"
FROZEN = "frozen"
IGNORED_COLUMNS = {"users": frozenset({"last_seen_at"})}
Table = tuple[tuple[str, ...], tuple[tuple[object, ...], ...]]
Snapshot = dict[str, Table]


def tables(url: str) -> list[str]:
    """The application's tables (not Alembic's, not ours)."""
    if ON_POSTGRES:
        names = [r[0] for r in blocking().run(_pg_fetch(url, "SELECT tablename FROM pg_tables "
                                                        "WHERE schemaname = 'public'", ()))]
    else:
        connection = sqlite3.connect(sqlite_path(url))
        try:
            names = [r[0] for r in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")]
        finally:
            connection.close()
    return sorted(n for n in names if n not in ("alembic_version", CHANGES)
                  and not n.startswith("sqlite_"))


def install_change_log(url: str) -> None:
    """Add the `_changes` table and triggers on every table for each kind of change."""
    if ON_POSTGRES:
        blocking().run(_pg_change_log(url, tables(url)))
        return
    connection = sqlite3.connect(sqlite_path(url))
    try:
        connection.execute(f"CREATE TABLE {CHANGES} (tbl TEXT NOT NULL)")
        for table in tables(url):
            columns = [r[1] for r in connection.execute(f'PRAGMA table_info("{table}")')
                       if r[1] not in IGNORED_COLUMNS.get(table, frozenset())]
            differs = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in columns)
            log = f"BEGIN INSERT INTO {CHANGES} VALUES ('{table}'); END"
            connection.execute(f'CREATE TRIGGER zz_{table}_i AFTER INSERT ON "{table}" {log}')
            connection.execute(f'CREATE TRIGGER zz_{table}_d AFTER DELETE ON "{table}" {log}')
            connection.execute(f'CREATE TRIGGER zz_{table}_u AFTER UPDATE ON "{table}" '
                               f"WHEN {differs} {log}")
        connection.commit()
    finally:
        connection.close()


def _table(name: str, columns: tuple[str, ...], rows: Iterable[Iterable[object]]) -> Table:
    """Rows with the ignored columns blanked."""
    ignored = [i for i, c in enumerate(columns) if c in IGNORED_COLUMNS.get(name, ())]
    return columns, tuple(tuple(None if i in ignored else v for i, v in enumerate(row))
                          for row in rows)


def _read(connection: sqlite3.Connection, names: Iterable[str]) -> Snapshot:
    found: Snapshot = {}
    for name in sorted(names):
        cursor = connection.execute(f'SELECT * FROM "{name}" ORDER BY rowid')
        found[name] = _table(name, tuple(d[0] for d in cursor.description), cursor.fetchall())
    return found


def snapshot(url: str, names: Iterable[str]) -> Snapshot:
    """Every row of the named tables, in rowid (primary key) order, ignored columns blanked."""
    if ON_POSTGRES:
        async def read() -> Snapshot:
            connection = await asyncpg.connect(asyncpg_dsn(url))
            try:
                return await _pg_read(connection, names)
            finally:
                await connection.close()

        return blocking().run(read())
    connection = sqlite3.connect(sqlite_path(url))
    try:
        return _read(connection, names)
    finally:
        connection.close()


class Probe(Protocol):
    """A connection to the live world: what changed, what is there now, and putting the
    frozen world back (which the running engine's own connections see at once)."""

    def changed(self) -> set[str]:
        """Tables that changed since the world was last restored."""

    def snapshot(self, names: Iterable[str]) -> Snapshot:
        """The named tables as they are now."""

    def restore(self, names: set[str] | None = None) -> None:
        """Back to the frozen world: the named tables (those that changed), or all of it."""

    def close(self) -> None:
        """Close the connections."""


def open_probe(live: str, template: str) -> Probe:
    """A probe on the live world, restoring from `template` (what `freeze` returned)."""
    return PostgresProbe(live) if ON_POSTGRES else SqliteProbe(live, template)


class SqliteProbe:
    """The live file and its frozen template, attached (restores by SQLite's online backup
    or table by table)."""

    def __init__(self, live: str, template: str) -> None:
        self.live = sqlite3.connect(sqlite_path(live), isolation_level=None)
        self.template = sqlite3.connect(sqlite_path(template), isolation_level=None)
        self.live.execute(f"ATTACH DATABASE ? AS {FROZEN}", (str(sqlite_path(template)),))

    def changed(self) -> set[str]:
        """Tables that changed since the world was last restored."""
        return {r[0] for r in self.live.execute(f"SELECT DISTINCT tbl FROM {CHANGES}")}

    def snapshot(self, names: Iterable[str]) -> Snapshot:
        """The named tables as they are now."""
        return _read(self.live, names)

    def restore(self, names: set[str] | None = None) -> None:
        """Back to the frozen world: the named tables (those that changed), or all of it.

        This connection does not enforce foreign keys, so nothing cascades meanwhile.
        """
        if names is None:
            self.template.backup(self.live)
            return
        self.live.execute("BEGIN")
        for name in sorted(names):
            self.live.execute(f'DELETE FROM main."{name}"')
            self.live.execute(f'INSERT INTO main."{name}" SELECT * FROM {FROZEN}."{name}"')
        self.live.execute(f"DELETE FROM main.{CHANGES}")
        self.live.execute("COMMIT")

    def close(self) -> None:
        """Close both connections."""
        self.live.close()
        self.template.close()


class PostgresProbe:
    """One asyncpg connection to the live database (on the tests' helper loop), restoring
    from its `frozen` schema."""

    def __init__(self, live: str) -> None:
        self.connection: Any = blocking().run(asyncpg.connect(asyncpg_dsn(live)))
        self.all = tables(live)

    def changed(self) -> set[str]:
        """Tables that changed since the world was last restored."""
        rows = blocking().run(self.connection.fetch(f"SELECT DISTINCT tbl FROM {CHANGES}"))
        return {r[0] for r in rows}

    def snapshot(self, names: Iterable[str]) -> Snapshot:
        """The named tables as they are now."""
        return blocking().run(_pg_read(self.connection, names))

    def restore(self, names: set[str] | None = None) -> None:
        """Back to the frozen world: the named tables (those that changed), or all of it.

        As a replica would: no foreign-key checks, no cascades, no change-log triggers.
        Sequences stay where they are, so new rows get ids the frozen world never had.
        """
        async def restore() -> None:
            async with self.connection.transaction():
                await self.connection.execute("SET LOCAL session_replication_role = replica")
                for name in sorted(self.all if names is None else names):
                    await self.connection.execute(
                        f'DELETE FROM public."{name}"; '
                        f'INSERT INTO public."{name}" SELECT * FROM {FROZEN}."{name}"')
                await self.connection.execute(f"DELETE FROM {CHANGES}")

        blocking().run(restore())

    def close(self) -> None:
        """Close the connection."""
        blocking().run(self.connection.close())


def records(table: Table) -> list[dict[str, object]]:
    """A table's rows as dicts."""
    columns, rows = table
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _copy(source: Path, target: Path) -> None:
    """SQLite's online backup: the running engine's connections see the new content."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def freeze(world: World, name: str) -> str:
    """Keep a copy of the world as it is now, with the change log empty; returns the URL of
    the frozen template (on SQLite the file `name` next to the world's; on PostgreSQL the
    world's own database, which holds the copy in its `frozen` schema)."""
    if ON_POSTGRES:
        blocking().run(_pg_freeze(world.url, tables(world.url)))
        return world.url
    live = sqlite_path(world.url)
    connection = sqlite3.connect(live)
    try:
        connection.execute(f"DELETE FROM {CHANGES}")
        connection.commit()
    finally:
        connection.close()
    _copy(live, live.parent / name)
    return sqlite_url(live.parent / name)


# PostgreSQL's side of the above, run on the tests' helper loop (tests/databases.py).

_PG_LOG_CHANGE = f"""CREATE FUNCTION _log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO {CHANGES} VALUES (TG_TABLE_NAME); RETURN NULL; END $$"""
_PG_COLUMNS = ("SELECT column_name FROM information_schema.columns WHERE table_schema = "
               "'public' AND table_name = $1 ORDER BY ordinal_position")
_PG_PRIMARY_KEY = ("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = "
                   "i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indisprimary AND "
                   "i.indrelid = format('public.%I', $1::text)::regclass")


async def _pg_fetch(url: str, query: str, params: Iterable[object]) -> list[Any]:
    """Rows of a query with `?` parameters, on a connection of its own."""
    numbers = itertools.count(1)
    numbered = re.sub(r"\?", lambda _match: f"${next(numbers)}", query)
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return list(await connection.fetch(numbered, *params))
    finally:
        await connection.close()


async def _pg_change_log(url: str, names: list[str]) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        async with connection.transaction():
            await connection.execute(f"CREATE TABLE {CHANGES} (tbl TEXT NOT NULL)")
            await connection.execute(_PG_LOG_CHANGE)
            for table in names:
                columns = [r[0] for r in await connection.fetch(_PG_COLUMNS, table)
                           if r[0] not in IGNORED_COLUMNS.get(table, frozenset())]
                # As text: json has no equality operator.
                differs = " OR ".join(f'OLD."{c}"::text IS DISTINCT FROM NEW."{c}"::text'
                                      for c in columns)
                log = "FOR EACH ROW EXECUTE FUNCTION _log_change()"
                await connection.execute(
                    f'CREATE TRIGGER zz_{table}_id AFTER INSERT OR DELETE ON "{table}" {log}')
                await connection.execute(
                    f'CREATE TRIGGER zz_{table}_u AFTER UPDATE ON "{table}" FOR EACH ROW '
                    f"WHEN ({differs}) EXECUTE FUNCTION _log_change()")
    finally:
        await connection.close()


async def _pg_read(connection: Any, names: Iterable[str]) -> Snapshot:
    found: Snapshot = {}
    for name in sorted(names):
        key = ", ".join(f'"{r[0]}"' for r in await connection.fetch(_PG_PRIMARY_KEY, name))
        statement = await connection.prepare(f'SELECT * FROM "{name}" ORDER BY {key or 1}')
        columns = tuple(a.name for a in statement.get_attributes())
        found[name] = _table(name, columns, await statement.fetch())
    return found


async def _pg_freeze(url: str, names: list[str]) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        async with connection.transaction():
            await connection.execute(f"DELETE FROM {CHANGES}")
            await connection.execute(f"DROP SCHEMA IF EXISTS {FROZEN} CASCADE")
            await connection.execute(f"CREATE SCHEMA {FROZEN}")
            for name in names:
                await connection.execute(
                    f'CREATE TABLE {FROZEN}."{name}" AS SELECT * FROM public."{name}"')
    finally:
        await connection.close()


# ---------------------------------------------------------------- what Telegram accepts

TEXT_LIMIT, CAPTION_LIMIT, DATA_LIMIT = 4096, 1024, 64


def outcome_problems(outcome: Outcome) -> list[str]:
    """Everything Telegram would refuse in an outcome (empty list: all fine)."""
    problems = []
    for reply in outcome.replies:
        try:
            visible = check_telegram_html(reply.text).strip()
        except TelegramHtmlError as error:
            problems.append(f"invalid HTML ({error.reason}): {reply.text[:300]!r}")
            continue
        limit = CAPTION_LIMIT if reply.document is not None else TEXT_LIMIT
        if utf16_length(visible) > limit:
            problems.append(f"{utf16_length(visible)} characters: {reply.text[:100]!r}…")
        if not visible and reply.document is None:
            problems.append(f"empty message: {reply.text!r}")
        for row in reply.keyboard:
            for button in row:
                if not 1 <= len(button.data.encode("utf-8")) <= DATA_LIMIT:
                    problems.append(f"callback_data of {len(button.data.encode())} bytes: "
                                    f"{button.data!r}")
                if not button.label:
                    problems.append(f"empty button label for {button.data!r}")
    return problems
