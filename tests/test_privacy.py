"""Privacy promises, checked against the database: consent history, export, erasure (by the
person and by an admin), the audit log, retention on a moved clock, flood control, logs."""

from __future__ import annotations

import io
import json
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select, text, update

from bot import logs
from bot.core.engine import Core
from bot.core.flood import FloodGate
from bot.core.policies import FloodLimits
from bot.core.ports import Incoming, Kind
from bot.core.privacy import PRIVACY_VERSION
from bot.storage import users
from bot.storage.models import (
    Appointment,
    AuditEntry,
    Base,
    Broadcast,
    Consent,
    Delivery,
    Post,
    Question,
    Reminder,
    Task,
    TaskEvent,
    User,
)
from bot.storage.personal import SECTIONS
from tests.chat import CoreChat, said, texts
from tests.conftest import FIXED_NOW, MovingClock
from tests.test_groups_core import ADMIN, link_token, new_task, two_groups

NEWCOMER = 987_654_321  # distinctive, so a leftover is found by a plain text search
NAME = "Zuleikha"
SECRET_WORDS = "Pluisje"  # in the newcomer's question, to find its text anywhere


async def newcomer_world(core: Core) -> tuple[CoreChat, CoreChat, int]:
    """Group A with a member and a newcomer who has progress, a question, an appointment."""
    member_a, _member_b, gid_a, _gid_b = await two_groups(core)
    token = link_token(await CoreChat(core, 700).press(f"g:i:{gid_a}:n"))
    newcomer = CoreChat(core, NEWCOMER)
    await newcomer._handle(Incoming(NEWCOMER, NEWCOMER, Kind.COMMAND, command="start",
                                    text=token, first_name=NAME))
    for data in ("lang:en", "priv:yes", "inv:y", "ob:sit:refugee", "ob:kids:no",
                 "ob:muni:skip", "ob:arr:skip", "j:first_steps::o"):
        await newcomer.press(data)
    await newcomer.press_label("➡️")  # the suggested step
    await newcomer.press(next(b.data for b in newcomer.buttons if b.data.endswith(":d")))
    await newcomer.send(f"My cat {SECRET_WORDS} needs a passport for flying to Canada")
    await newcomer.press(next(b.data for b in newcomer.buttons if b.data.startswith("q:ask:")))
    task = await new_task(member_a, gid_a, "Fiets regelen")
    await member_a.press(f"t:{task}:c")
    async with core.db.session() as session:
        user = await users.get_by_telegram_id(session, NEWCOMER)
        assert user is not None
        appointment = Appointment(user_id=user.id, what="gemeente", text="BRP afspraak",
                                  at=FIXED_NOW + timedelta(days=3), status="active")
        session.add(appointment)
        await session.flush()
        session.add(Reminder(user_id=user.id, kind="appointment", appointment_id=appointment.id,
                             due_at=FIXED_NOW + timedelta(days=2)))
        session.add(Task(group_id=gid_a, title="Bank account", created_by=user.id))
    return newcomer, member_a, gid_a


async def _rows(core: Core, section_model: type[Base], column: str, user_id: int) -> list[Any]:
    async with core.db.session() as session:
        return list(await session.scalars(select(section_model).where(
            getattr(section_model, column) == user_id)))


def _export(outcome: Any) -> dict[str, Any]:
    documents = [r.document for r in outcome.replies if r.document is not None]
    assert len(documents) == 1, texts(outcome)
    assert documents[0].mime_type == "application/json"
    data: dict[str, Any] = json.loads(documents[0].data.decode("utf-8"))
    return data


async def test_export_holds_every_row_the_database_has_about_the_person(core: Core) -> None:
    newcomer, _member, _gid = await newcomer_world(core)
    data = _export(await newcomer.send("/mydata"))
    async with core.db.session() as session:
        user = await users.get_by_telegram_id(session, NEWCOMER)
    assert user is not None and data["profile"]["telegram_id"] == NEWCOMER
    assert data["profile"]["first_name"] == NAME
    for name, section in SECTIONS.items():
        stored = await _rows(core, section.model, section.column, user.id)
        key = "id" if "id" in section.model.__table__.columns else None
        exported = data[name]
        assert len(exported) == len(stored), name
        if key is not None:
            assert sorted(row["id"] for row in exported) == sorted(r.id for r in stored), name
    for name in ("consent_history", "journey_progress", "appointments", "reminders",
                 "questions", "group_memberships", "tasks_you_created"):
        assert data[name], f"{name} should not be empty in this world"
    assert SECRET_WORDS in data["questions"][0]["text"]


def test_every_link_to_a_person_is_in_the_export() -> None:
    """A new table that points at users must get an export section (or this fails)."""
    covered = {(s.model.__tablename__, s.column) for s in SECTIONS.values()}
    links = {(table.name, fk.parent.name) for table in Base.metadata.sorted_tables
             for fk in table.foreign_keys if fk.column.table.name == "users"}
    assert links - covered == set()


async def _everything(core: Core) -> str:
    """Every cell of every table, as one text, to search for leftovers."""
    cells: list[str] = []
    async with core.db.session() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                cells.extend(f"{table.name}:{value}" for value in row)
    return "\n".join(cells)


async def _links_to(core: Core, user_id: int) -> list[str]:
    found = []
    async with core.db.session() as session:
        for table in Base.metadata.sorted_tables:
            for fk in table.foreign_keys:
                if fk.column.table.name == "users":
                    count = (await session.execute(select(table).where(
                        fk.parent == user_id))).all()
                    found += [f"{table.name}.{fk.parent.name}"] * len(count)
    return found


async def test_erasure_leaves_nothing_but_the_groups_tasks(core: Core) -> None:
    newcomer, member, _gid = await newcomer_world(core)
    before = await _everything(core)
    assert str(NEWCOMER) in before and NAME in before and SECRET_WORDS in before
    async with core.db.session() as session:
        user = await users.get_by_telegram_id(session, NEWCOMER)
        assert user is not None
        uid = user.id
    await newcomer.send("/delete")
    assert texts(await newcomer.press("priv:erase")) == said(
        "en", "Your data has been deleted. Send /start if you want to use Wegwijs again.")
    after = await _everything(core)
    assert str(NEWCOMER) not in after and NAME not in after and SECRET_WORDS not in after
    assert await _links_to(core, uid) == []
    async with core.db.session() as session:
        kept = (await session.scalars(select(Task).where(Task.title == "Bank account"))).one()
        other = await users.get_by_telegram_id(session, member.user_id)
    assert kept.created_by is None and other is not None


async def test_erasure_takes_the_person_out_of_task_history_and_nobody_else(
    core: Core,
) -> None:
    newcomer, member, gid = await newcomer_world(core)
    async with core.db.session() as session:
        uid = (await users.get_by_telegram_id(session, NEWCOMER)).id  # type: ignore[union-attr]
        mid = (await users.get_by_telegram_id(session, member.user_id)).id  # type: ignore[union-attr]
        task = Task(group_id=gid, title="Huis zoeken")
        session.add(task)
        await session.flush()
        lookalike = int(f"{uid}{uid}")  # its digits contain the erased id
        session.add_all([TaskEvent(task_id=task.id, kind="assigned", detail={"to": [uid, mid]}),
                         TaskEvent(task_id=task.id, kind="assigned", detail={"to": [lookalike]})])
    await newcomer.send("/delete")
    await newcomer.press("priv:erase")
    async with core.db.session() as session:
        details = list(await session.scalars(select(TaskEvent.detail).where(
            TaskEvent.task_id == task.id).order_by(TaskEvent.id)))
    assert details == [{"to": [mid]}, {"to": [lookalike]}]


async def test_an_admin_erases_on_request_and_it_is_in_the_audit_log(core: Core) -> None:
    _newcomer, member, _gid = await newcomer_world(core)
    forged = await member.press(f"adm:erase:{NEWCOMER}")
    refused = await member.send("/audit")
    async with core.db.session() as session:
        assert await users.get_by_telegram_id(session, NEWCOMER) is not None
    assert forged.toast == said("nl", "Sorry, you cannot do that here.")
    assert texts(refused) == said("nl", "Sorry, you cannot do that here.")
    admin = CoreChat(core, ADMIN)
    asked = await admin.send(f"/erase {NEWCOMER}")
    assert NAME in texts(asked) and f"adm:erase:{NEWCOMER}" in [b.data for b in admin.buttons]
    await admin.press(f"adm:erase:{NEWCOMER}")
    async with core.db.session() as session:
        assert await users.get_by_telegram_id(session, NEWCOMER) is None
        actions = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[:1] == ["organisation.create"] and actions[-1] == "user.erase"
    assert {"group.create", "invite.create"} <= set(actions)
    log = texts(await admin.send("/audit"))
    assert "user.erase" in log and "group.create" in log and NAME not in log
    assert str(NEWCOMER) not in await _everything(core)


async def test_consent_is_kept_as_history_and_a_new_notice_is_asked_again(core: Core) -> None:
    chat = CoreChat(core, 555)
    await chat.onboard("ar")
    async with core.db.session() as session:
        await session.execute(update(User).where(User.telegram_id == 555)
                              .values(privacy_version=PRIVACY_VERSION - 1))
    asked = await chat.send("/menu")
    assert said("ar", "The privacy notice has changed. Please read it again.") in texts(asked)
    await chat.press("priv:no")
    still = await chat.send("/menu")
    assert said("ar", "The privacy notice has changed. Please read it again.") in texts(still)
    assert _export(await chat.send("/mydata"))  # taking your data never waits for consent
    await chat.press("priv:yes")
    async with core.db.session() as session:
        history = [(c.version, c.agreed) for c in await session.scalars(
            select(Consent).join(User).where(User.telegram_id == 555).order_by(Consent.id))]
    assert history == [(PRIVACY_VERSION, True), (PRIVACY_VERSION, False),
                       (PRIVACY_VERSION, True)]


async def _silent(core: Core, telegram_id: int, days: int, code: str = "ar") -> None:
    """A person who onboarded and then said nothing for `days` days."""
    await CoreChat(core, telegram_id).onboard(code)
    async with core.db.session() as session:
        await session.execute(update(User).where(User.telegram_id == telegram_id).values(
            last_seen_at=FIXED_NOW - timedelta(days=days)))


async def _posts_to(core: Core, telegram_id: int) -> list[str]:
    async with core.db.session() as session:
        return [p.text or "" for p in await session.scalars(
            select(Post).where(Post.chat_id == telegram_id))]


async def _old_rows(core: Core) -> tuple[int, int]:
    """An answered question and a finished broadcast from 100 days ago, and 10 days ago."""
    async with core.db.session() as session:
        asker = await users.get_by_telegram_id(session, 3)
        assert asker is not None
        ids = []
        for age in (100, 10):
            moment = FIXED_NOW - timedelta(days=age)
            question = Question(user_id=asker.id, text=f"vraag {age}", language="nl",
                                status="closed", answer="antwoord", answered_at=moment)
            broadcast = Broadcast(texts={"nl": "x"}, state="done", finished_at=moment)
            session.add_all([question, broadcast])
            await session.flush()
            session.add(Delivery(broadcast_id=broadcast.id, user_id=asker.id, chat_id=3,
                                 language="nl", state="sent", sent_at=moment))
            ids.append(question.id)
        return ids[0], ids[1]


async def test_retention_warns_a_month_ahead_then_erases_and_trims(
        moving_core: Core, clock: MovingClock) -> None:
    core = moving_core
    await _silent(core, 1, days=340)  # due for a warning, not yet for erasure
    await _silent(core, 2, days=400)  # silent over a year, but never warned: warned first
    await CoreChat(core, 3).onboard("nl")
    old_question, new_question = await _old_rows(core)
    await core.startup()
    clock.jump(days=1)
    await core.run_due_jobs()
    warning = await _posts_to(core, 1)
    assert len(warning) == 1 and "/menu" in warning[0] and "\u0627" in warning[0]  # Arabic
    async with core.db.session() as session:
        assert await users.get_by_telegram_id(session, 2) is not None
        questions = {q.id: q.text for q in await session.scalars(select(Question))}
        deliveries = len((await session.scalars(select(Delivery))).all())
    assert questions == {old_question: "", new_question: "vraag 10"} and deliveries == 1
    await CoreChat(core, 2).send("/menu")  # person 2 comes back: their data stays
    clock.jump(days=31)
    await core.run_due_jobs()
    async with core.db.session() as session:
        assert await users.get_by_telegram_id(session, 1) is None
        assert await users.get_by_telegram_id(session, 2) is not None
        assert await users.get_by_telegram_id(session, 3) is not None
        audit = list(await session.scalars(select(AuditEntry.detail).where(
            AuditEntry.action == "retention.run").order_by(AuditEntry.id)))
    assert [(d["warned"], d["erased"]) for d in audit] == [(2, 0), (0, 1)]


async def test_a_flooding_user_is_slowed_down_without_slowing_anyone_else(core: Core) -> None:
    flooder, calm = CoreChat(core, 11), CoreChat(core, 12)
    await calm.onboard("nl")
    turns = []
    for number in range(25):  # well within 10 seconds: the limit is 20
        turns.append(await flooder.send("/help"))
        if number % 5 == 4:
            assert (await calm.send("/help")).replies  # the calm person is never held up
    slow_down = said("en", "You are sending messages very fast. Please wait half a minute, "
                           "then try again.")
    shown = [texts(t) for t in turns]
    assert all(t.replies for t in turns[:20]) and slow_down not in shown[:20]
    assert shown[20] == slow_down and shown[21:] == [""] * 4


def test_the_flood_gate_pauses_and_then_lets_through_again() -> None:
    now = [0.0]
    gate = FloodGate(FloodLimits(burst=3, window=timedelta(seconds=10),
                                 pause=timedelta(seconds=30)), seconds=lambda: now[0])
    assert [gate.check(1) for _ in range(5)] == ["pass", "pass", "pass", "trip", "drop"]
    assert gate.check(2) == "pass"
    now[0] = 29.0
    assert gate.check(1) == "drop"
    now[0] = 31.0
    assert gate.check(1) == "pass"
    now[0] = 45.0
    assert [gate.check(1) for _ in range(3)] == ["pass", "pass", "pass"]  # window moved on


def test_logs_are_json_with_the_token_masked_and_ids_keyed() -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    try:
        logs.configure("123456:SECRET-token", stream=stream)
        log = logging.getLogger("wegwijs.test")
        log.info("calling https://api.telegram.org/bot123456:SECRET-token/getUpdates",
                 extra={"user": logs.pseudonym(NEWCOMER), "kind": "text"})
        try:
            raise ValueError(f"user typed {SECRET_WORDS}")
        except ValueError:
            log.exception("handler failed")
    finally:
        root.handlers[:], _level = saved
        root.setLevel(saved[1])
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["level"] for line in lines] == ["INFO", "ERROR"]
    assert "SECRET" not in stream.getvalue() and "<secret>" in lines[0]["msg"]
    assert lines[0]["user"] == logs.pseudonym(NEWCOMER) != logs.pseudonym(NEWCOMER + 1)
    assert str(NEWCOMER) not in stream.getvalue() and SECRET_WORDS not in stream.getvalue()
    assert lines[1]["exception"] == "ValueError"


async def test_consent_rows_go_with_the_user_even_when_deleted_by_sql(core: Core) -> None:
    """The foreign key cascades, so no history outlives its person."""
    await CoreChat(core, 77).onboard("ti")
    async with core.db.session() as session:
        assert len((await session.scalars(select(Consent))).all()) == 1
        await session.execute(text("DELETE FROM users WHERE telegram_id = 77"))
        assert (await session.scalars(select(Consent))).all() == []
