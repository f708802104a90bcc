"""Sponsor groups in the core: permissions, invites, isolation between groups, the support plan,
the calendar, and the Monday job running exactly once."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.core.dialogs import Calendar
from bot.core.engine import Core
from bot.core.groups import invites
from bot.core.groups.buttons import DraftDay, DraftMonth
from bot.core.groups.overview import next_monday_morning
from bot.core.groups.plan import load_plan
from bot.core.outbox import Lane, Result
from bot.core.permissions import RULES, Action, Actor, Role, allowed
from bot.core.ports import Incoming, Kind, Outcome
from bot.i18n import use_locale
from bot.storage import groups as group_repo
from bot.storage import outbox, users
from bot.storage import tasks as task_repo
from bot.storage.models import (
    Group,
    Invite,
    Job,
    Membership,
    Post,
    Task,
    TaskComment,
    TaskEvent,
)
from tests.chat import CoreChat, outgoing, said, sent, texts
from tests.conftest import FIXED_NOW

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ADMIN = 4242


def link_token(outcome: Outcome) -> str:
    """The /start payload of the invite link in a reply."""
    found = re.search(r"start=(i_[A-Za-z0-9_-]+)", texts(outcome))
    assert found, texts(outcome)
    return found.group(1)


async def joined(core: Core, user_id: int, token: str, name: str) -> CoreChat:
    """A new person who opens an invite, picks Dutch, consents and joins."""
    chat = CoreChat(core, user_id)
    await chat._handle(Incoming(user_id, user_id, Kind.COMMAND, command="start", text=token,
                                first_name=name))
    for data in ("lang:nl", "priv:yes", "inv:y"):
        await chat.press(data)
    return chat


async def two_groups(core: Core) -> tuple[CoreChat, CoreChat, int, int]:
    """Groups A and B of one organisation, each with one member; returns members and ids."""
    admin = CoreChat(core, ADMIN)
    await admin.send("/start")
    for data in ("lang:nl", "priv:yes", "ob:role:coordinator"):
        await admin.press(data)
    coordinator = await joined(core, 700, link_token(await admin.send("/neworg Org")), "Co")
    ids = []
    for name in ("Groep A", "Groep B"):
        await coordinator.press("g:n")
        await coordinator.send(name)
        await coordinator.press("g:m:skip")
        await coordinator.press("ga:n")
        ids.append(next(int(b.data.split(":")[2]) for b in coordinator.buttons
                        if b.data.startswith("g:l:")))
    member_a = await joined(core, 701, link_token(await coordinator.press(f"g:i:{ids[0]}:m")), "A")
    member_b = await joined(core, 702, link_token(await coordinator.press(f"g:i:{ids[1]}:m")), "B")
    return member_a, member_b, ids[0], ids[1]


async def new_task(member: CoreChat, gid: int, title: str) -> int:
    """➕ New task → title → no date → anyone; returns the task id from the card's buttons."""
    await member.press(f"tn:{gid}")
    await member.send(title)
    await member.press("tn:n")
    await member.press("tn:a:any")
    return next(int(b.data.split(":")[1]) for b in member.buttons if b.data.endswith(":c"))


def test_permission_rules_cover_every_action_and_role() -> None:
    group = Group(id=1, organisation_id=10, name="G")
    task = Task(id=5, group_id=1, visible_to_newcomer=False, created_by=3)  # member 3 owns it
    people = {
        Role.ADMIN: Actor(1, True, frozenset(), {}),
        Role.COORDINATOR: Actor(2, False, frozenset({10}), {}),
        Role.MEMBER: Actor(3, False, frozenset(), {1: "member"}),
        Role.NEWCOMER: Actor(4, False, frozenset(), {1: "newcomer"}),
        Role.NONE: Actor(5, False, frozenset({11}), {2: "member"}),
    }
    for action in Action:
        for role, actor in people.items():
            expected = role in RULES[action]
            if role is Role.NEWCOMER:  # the task is not shared with the newcomer
                expected = False
            assert allowed(actor, action, group, task, frozenset({3})) is expected, (action, role)
    other = Task(id=6, group_id=2)
    assert not allowed(people[Role.ADMIN], Action.CLAIM, group, other)  # task of another group
    assert not allowed(people[Role.MEMBER], Action.UNCLAIM, group, task, frozenset({9}))
    assert allowed(people[Role.MEMBER], Action.UNCLAIM, group, task, frozenset({3}))


async def test_a_member_of_group_a_cannot_touch_group_b(core: Core) -> None:
    member_a, member_b, _gid_a, gid_b = await two_groups(core)
    task_b = await new_task(member_b, gid_b, "Alleen voor groep B")
    before = await _snapshot(core)
    for data in [f"t:{task_b}:{a}" for a in "vcudxrwm"] + [
            f"t:{task_b}:a:701", f"g:o:{gid_b}", f"g:l:{gid_b}:o:0", f"g:i:{gid_b}:m",
            f"g:c:{gid_b}", f"g:p:{gid_b}:y", f"tn:{gid_b}", f"nt:k:{task_b}", f"nt:h:{task_b}",
            f"nt:v:{task_b}"]:
        outcome = await member_a.press(data)
        assert "Alleen voor groep B" not in texts(outcome) + (outcome.toast or ""), data
    await member_a.send("Een reactie die nergens mag landen")
    assert await _snapshot(core) == before


async def _snapshot(core: Core) -> tuple[object, ...]:
    """Everything a forged button could change."""
    async with core.db.session() as session:
        tasks = (await session.execute(select(Task.id, Task.status, Task.visible_to_newcomer)
                                       .order_by(Task.id))).all()
        counts = [await session.scalar(select(func.count()).select_from(model))
                  for model in (TaskEvent, TaskComment, Invite, Post)]
    return tuple(tasks), tuple(counts)


async def test_invites_expire_can_be_revoked_and_run_out(core: Core) -> None:
    member_a, _member_b, gid_a, _gid_b = await two_groups(core)
    token = link_token(await member_a.press(f"g:i:{gid_a}:m"))
    async with core.db.session() as session:
        invite = await group_repo.invite_by_hash(session, invites.hash_token(token[2:]))
        assert invite is not None and invite.max_uses == invites.MAX_USES["member"]
        invite.expires_at = FIXED_NOW - timedelta(seconds=1)
    late = CoreChat(core, 720)
    outcome = await late.send(f"/start {token}")
    assert said("en", "This invite link has expired. Please ask the person who sent it for a "
                      "new one.") in texts(outcome)
    revoked = link_token(await member_a.press(f"g:i:{gid_a}:m"))
    await member_a.press(f"g:r:{gid_a}:m")
    outcome = await CoreChat(core, 721).send(f"/start {revoked}")
    assert said("en", "This invite link does not work. Please ask the person who sent it for "
                      "a new one.") in texts(outcome)
    async with core.db.session() as session:
        for telegram_id in (720, 721):
            user = await users.get_by_telegram_id(session, telegram_id)
            assert user is not None and await group_repo.memberships(session, user.id) == {}


async def test_the_last_use_of_an_invite_cannot_be_taken_twice(core: Core) -> None:
    member_a, _b, gid_a, _gid_b = await two_groups(core)
    token = link_token(await member_a.press(f"g:i:{gid_a}:m"))
    async with core.db.session() as session:
        invite = await group_repo.invite_by_hash(session, invites.hash_token(token[2:]))
        assert invite is not None
        invite.max_uses = invite.uses + 1
    first, second = CoreChat(core, 730), CoreChat(core, 731)
    for chat in (first, second):
        await chat.send(f"/start {token}")
        await chat.press("lang:en")
        await chat.press("priv:yes")
    await first.press("inv:y")
    outcome = await second.press("inv:y")
    assert said("en", "This invite link has been used up. Please ask the person who sent it "
                      "for a new one.") in texts(outcome)


async def test_guessing_invite_tokens_is_slowed_down(core: Core) -> None:
    guesser = CoreChat(core, 740)
    for attempt in range(invites.FAILURE_LIMIT):
        await guesser.send(f"/start i_wrongtoken{attempt}")
    outcome = await guesser.send("/start i_anotherwrongone")
    assert "15" in texts(outcome)
    with use_locale("en"):
        assert texts(outcome).startswith("Too many wrong codes.")


async def test_support_plan_is_complete_and_dated_from_arrival(core: Core) -> None:
    plan = load_plan()
    items = list(plan.items())
    assert 20 <= len(items) <= 40
    assert [p.id for p in plan.phases][-1] == "farewell"
    assert max(i.due_days for i in items) <= 365
    member_a, _b, gid_a, _gid_b = await two_groups(core)
    coordinator = CoreChat(core, 700)
    outcome = await coordinator.press(f"g:p:{gid_a}:y")
    assert outcome.replies
    again = await coordinator.press(f"g:p:{gid_a}:y")
    assert said("nl", "This group already has the support plan.") in texts(again)
    async with core.db.session() as session:
        count = await session.scalar(select(func.count()).select_from(Task).where(
            Task.group_id == gid_a, Task.source.like("plan:%")))
        first_due = await session.scalar(select(func.min(Task.due_date)).where(
            Task.group_id == gid_a))
    assert count == len(items)
    assert first_due == FIXED_NOW.date()  # no arrival date given: counted from today
    refused = await member_a.press(f"g:p:{gid_a}:y")  # members may not add the plan
    assert refused.toast == said("nl", "Sorry, you cannot do that here.")


def test_next_monday_morning_is_09_00_in_amsterdam_across_daylight_saving() -> None:
    sunday_winter = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert next_monday_morning(sunday_winter, AMSTERDAM) == datetime(2026, 11, 23, 8, 0,
                                                                     tzinfo=UTC)
    saturday_before_dst = datetime(2027, 3, 27, 12, 0, tzinfo=UTC)  # clocks go forward 28 Mar
    assert next_monday_morning(saturday_before_dst, AMSTERDAM) == datetime(2027, 3, 29, 7, 0,
                                                                           tzinfo=UTC)
    monday_at_nine = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert next_monday_morning(monday_at_nine, AMSTERDAM) == datetime(2026, 11, 30, 8, 0,
                                                                      tzinfo=UTC)


async def test_weekly_job_runs_once_and_schedules_the_next(core: Core) -> None:
    await two_groups(core)
    monday = datetime(2026, 11, 23, 8, 0, 30, tzinfo=UTC)
    core.clock = lambda: monday
    ran = await core.run_due_jobs()
    assert ran >= 2  # both groups (and the organisation's coordinator overview)
    assert await core.run_due_jobs() == 0
    await core.startup()  # a restart schedules nothing twice
    async with core.db.session() as session:
        scheduled = (await session.execute(select(Job.kind, Job.ref, Job.due_at).where(
            Job.state == "scheduled", Job.kind.in_(("weekly", "coordinators"))))).all()
    assert len(scheduled) == len(set(scheduled)) == 3
    assert all(due == datetime(2026, 11, 30, 8, 0, tzinfo=UTC) for _k, _r, due in scheduled)


async def _nowhere(_turn: object, _draft: object, _day: date) -> None:
    """A calendar that is only drawn."""


@pytest.mark.parametrize("code", ["nl", "en", "ar", "ti"])
def test_calendar_works_in_every_language(code: str) -> None:
    with use_locale(code):
        calendar: Calendar[object] = Calendar(DraftMonth, DraftDay, _nowhere)
        keyboard = calendar.keyboard(date(2026, 11, 1), date(2026, 11, 22), None)
    days = [b for row in keyboard for b in row if b.data.startswith("tn:d:")]
    assert sorted(int(b.label) for b in days) == list(range(22, 31))
    assert all(len(b.data.encode()) <= 64 for row in keyboard for b in row)
    assert len(keyboard[0][0].label) > 3  # the month's name, from CLDR
    week = next(row for row in keyboard if any(b.label == "23" for b in row))
    order = [b.label for b in week]
    # Monday 23 November comes first in reading order: on the right in Arabic.
    assert (order[-1] if code == "ar" else order[0]) == "23"


async def test_group_chat_budget_is_twenty_a_minute_and_private_chats_are_not_held(
    core: Core,
) -> None:
    async with core.db.session() as session:
        for number in range(25):
            await outbox.queue_text(session, -100900, f"notice {number}", lane=Lane.NOTICE)
            await outbox.queue_text(session, 900 + number, f"private {number}",
                                    lane=Lane.NOTICE)
    first = []
    while items := await core.claim():  # as the sender does: sent, then the next
        first += items
        for item in items:
            await core.report(item, Result.sent(1))
    assert sum(item.chat_id == -100900 for item in first) == 20
    assert sum(item.chat_id > 0 for item in first) == 25
    core.clock = lambda: FIXED_NOW + timedelta(seconds=59)
    assert await outgoing(core) == []
    core.clock = lambda: FIXED_NOW + timedelta(seconds=61)
    later = await sent(core)
    assert [item.reply.text for item in later] == [f"notice {n}" for n in range(20, 25)]


def group_event(user_id: int, chat_id: int, kind: Kind, *, text: str = "", command: str = "",
                data: str = "") -> Incoming:
    """Something a person does in a Telegram group chat."""
    return Incoming(user_id, chat_id, kind, text=text, command=command, data=data,
                    private=False, first_name="X")


async def linked_chat(core: Core, member: CoreChat, gid: int, chat_id: int) -> None:
    """A member links a group chat with the code from their private chat."""
    code = re.search(r"/link ([0-9A-F]{8})", texts(await member.press(f"g:c:{gid}")))
    assert code
    await core.handle(group_event(member.user_id, chat_id, Kind.ADDED))
    outcome = await core.handle(group_event(member.user_id, chat_id, Kind.COMMAND,
                                            text=code.group(1), command="link"))
    assert outcome.queued or outcome.replies


async def test_a_member_of_group_a_cannot_act_in_group_b_chat(core: Core) -> None:
    member_a, member_b, gid_a, gid_b = await two_groups(core)
    await linked_chat(core, member_b, gid_b, -100777)
    task_b = await new_task(member_b, gid_b, "Taak van B")
    before = await _snapshot(core)
    for command, text in (("newtask", "Indringer"), ("tasks", ""), ("link", "00000000")):
        outcome = await core.handle(group_event(member_a.user_id, -100777, Kind.COMMAND,
                                                text=text, command=command))
        assert "Taak van B" not in texts(outcome)
    for action in "cudmx":
        outcome = await core.handle(group_event(member_a.user_id, -100777, Kind.BUTTON,
                                                data=f"t:{task_b}:{action}"))
        assert outcome.toast == said("nl", "Sorry, you cannot do that here.")
    assert await _snapshot(core) == before
    # A code for group A cannot take over group B's chat either.
    code = re.search(r"/link ([0-9A-F]{8})", texts(await member_a.press(f"g:c:{gid_a}")))
    assert code
    await core.handle(group_event(member_a.user_id, -100777, Kind.COMMAND, text=code.group(1),
                                  command="link"))
    async with core.db.session() as session:
        group_b = await group_repo.group(session, gid_b)
        group_a = await group_repo.group(session, gid_a)
    assert group_b is not None and group_b.chat_id == -100777
    assert group_a is not None and group_a.chat_id is None


async def test_erasing_a_member_keeps_the_group_tasks_without_their_name(core: Core) -> None:
    member_a, _b, gid_a, _gid_b = await two_groups(core)
    task = await new_task(member_a, gid_a, "Meubels ophalen")
    await member_a.press(f"t:{task}:c")
    await member_a.press(f"t:{task}:m")
    await member_a.send("Zaterdag lukt")
    await member_a.send("/delete")
    await member_a.press("priv:erase")
    async with core.db.session() as session:
        assert await users.get_by_telegram_id(session, member_a.user_id) is None
        kept = await session.get(Task, task)
        people = await task_repo.assignees(session, [task])
        notes = await task_repo.comments(session, task)
        history = await task_repo.history(session, task)
        memberships = await session.scalar(select(func.count()).select_from(Membership).where(
            Membership.group_id == gid_a))
    assert kept is not None and kept.created_by is None
    assert people[task] == [] and memberships == 0
    assert [(c.text, author) for c, author in notes] == [("Zaterdag lukt", None)]
    assert all(event.actor_id is None for event in history)


async def test_a_journey_step_becomes_a_group_task_once(core: Core) -> None:
    member_a, _b, gid_a, _gid_b = await two_groups(core)
    token = link_token(await CoreChat(core, 700).press(f"g:i:{gid_a}:n"))
    newcomer = CoreChat(core, 750)
    await newcomer._handle(Incoming(750, 750, Kind.COMMAND, command="start", text=token,
                                    first_name="Samir"))
    for data in ("lang:en", "priv:yes", "inv:y", "ob:sit:refugee", "ob:kids:no",
                 "ob:muni:skip", "ob:arr:skip"):
        await newcomer.press(data)
    await newcomer.press("j:first_steps::o")
    await newcomer.press_label("➡️")  # the suggested step
    for _step in range(6):  # Done until the BRP step
        done = next(b.data for b in newcomer.buttons if b.data.endswith(":d"))
        if done == "j:first_steps:brp:d":
            break
        await newcomer.press(done)
    assert "j:first_steps:brp:t" in [b.data for b in newcomer.buttons]
    first = await newcomer.press("j:first_steps:brp:t")
    again = await newcomer.press("j:first_steps:brp:t")
    assert first.toast == said("en", "I asked your group. You can follow it in 🤝 My group.")
    assert again.toast == said("en", "Your group already has this task.")
    async with core.db.session() as session:
        made = (await session.scalars(select(Task).where(Task.group_id == gid_a))).all()
    assert [(t.source, t.visible_to_newcomer, t.template) for t in made] == [
        ("journey:first_steps:brp", True, True)]
    shown = await member_a.press(f"g:l:{gid_a}:o:0")
    assert said("nl", "Go along to register at the gemeente (BRP)")[:20] in " ".join(
        b.label for b in member_a.buttons) and shown.replies


async def test_many_groups_come_a_page_at_a_time_and_the_overview_stays_one_message(
    core: Core,
) -> None:
    _member_a, _member_b, gid_a, _gid_b = await two_groups(core)
    async with core.db.session() as session:
        organisation = (await session.get(Group, gid_a)).organisation_id  # type: ignore[union-attr]
        session.add_all([Group(organisation_id=organisation, name=f"Groep {n:02d} " + "x" * 66)
                         for n in range(27)])
        late = Group(organisation_id=organisation, name="Zwolle-Zuid")  # last by name
        session.add(late)
        await session.flush()
        session.add(Task(group_id=late.id, title="Huurtoeslag",
                         due_date=FIXED_NOW.date() - timedelta(days=3)))
    admin = CoreChat(core, ADMIN)

    async def page(data: str) -> tuple[int, list[str]]:
        await admin.press(data)
        shown = sum(1 for b in admin.buttons if b.data.startswith("g:o:"))
        return shown, [b.data for b in admin.buttons if b.label in ("⬅️", "➡️")]

    assert await page("g:h") == (12, ["g:h:1"])  # 30 groups in all
    assert await page("g:h:1") == (12, ["g:h:0", "g:h:2"])
    assert await page("g:h:2") == (6, ["g:h:1"])
    assert await page("g:h:99") == (6, ["g:h:1"])  # past the end: the last page
    overview = texts(await admin.send("/overview"))
    lines = overview.splitlines()
    assert lines[1] == "• Zwolle-Zuid: open 1 · te laat 1"  # needs attention: first
    assert sum(line.startswith("• ") for line in lines) == 20
    assert "… en nog 10 groepen" in overview
    assert len(overview) < 4096
