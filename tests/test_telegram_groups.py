"""Sponsor groups over the fake Bot API with the real PTB Application: a group's whole life,
twenty members claiming one task at once, and the group chat's 20-messages-a-minute limit."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from sqlalchemy import func, select

from bot.core.engine import Core
from bot.core.flood import FloodGate
from bot.core.policies import FloodLimits
from bot.core.ports import Incoming, Kind
from bot.i18n import _, use_locale
from bot.storage import tasks as task_repo
from bot.storage.models import Task, TaskEvent
from fakebot import FakeTelegram, buttons
from tests.chat import said
from tests.conftest import MovingClock
from tests.groups import CHAT, join, linked, set_up_group, token_in
from tests.telegram import GroupChat, TgUser, running_bot


def card(chat: GroupChat, task_id: int) -> str:
    """The group chat's card (or board line) of one task, as it reads now."""
    found = [t for t in chat.texts() if t.startswith(f"#{task_id} ")]
    return found[-1] if found else ""


@dataclass
class Cast:
    """Everyone in the life-of-a-group story."""

    fake: FakeTelegram
    core: Core
    coordinator: TgUser
    gid: int
    anna: TgUser
    bram: TgUser
    cees: TgUser
    amira: TgUser
    chat: GroupChat


async def test_the_life_of_a_group(fake: FakeTelegram, moving_core: Core,
                                   clock: MovingClock) -> None:
    async with running_bot(fake, moving_core) as app:
        cast = await _everyone_joins(fake, moving_core)
        await _the_chat_is_linked(cast)
        _first, second = await _tasks_are_made_and_claimed(cast)
        await _the_newcomer_follows_in_arabic(cast, second)
        clock.jump(hours=20)  # Monday 23 November, 09:00 in Amsterdam
        await moving_core.run_due_jobs()  # what the 30-second timer does
        app.bot_data["background"].wake()
        await cast.chat.shows("Weekoverzicht")
        assert await moving_core.run_due_jobs() == 0  # done once; next one is next Monday
    overview = [t for t in cast.chat.texts() if "Weekoverzicht" in t]
    assert len(overview) == 1
    assert "Bel de woningcorporatie" in overview[0]  # done this week
    assert "Bram 1" in overview[0]  # who carries what


async def _everyone_joins(fake: FakeTelegram, core: Core) -> Cast:
    """A coordinator's group; three members join in Dutch, the newcomer in Arabic."""
    coordinator, gid, newcomer_token = await set_up_group(fake)
    cast = Cast(fake, core, coordinator, gid, TgUser(fake, 510, first_name="Anna"),
                TgUser(fake, 511, first_name="Bram"), TgUser(fake, 512, first_name="Cees"),
                TgUser(fake, 520, language_code="ar", first_name="أميرة"), GroupChat(fake, CHAT))
    token = token_in(await coordinator.press(f"g:i:{gid}:m"))
    for member in (cast.anna, cast.bram, cast.cees):
        welcome = await join(member, token, "nl")
        assert any("Welkom Amira" in str(c["params"].get("text")) for c in welcome)
    await cast.amira.send(f"/start {newcomer_token}")
    await cast.amira.press("lang:ar")
    await cast.amira.press("priv:yes")
    assert said("ar", "✅ Join") in [label for label, _ in cast.amira.last_buttons()]
    await cast.amira.press("inv:y")
    for data in ("ob:sit:refugee", "ob:kids:no", "ob:muni:skip", "ob:arr:skip"):
        await cast.amira.press(data)
    assert "nt:l" in [d for _, d in cast.amira.last_buttons()]
    return cast


async def _the_chat_is_linked(cast: Cast) -> None:
    """A member links the group's Telegram chat with a one-time code."""
    await cast.anna.press("g:h")
    calls = await cast.anna.press(f"g:c:{cast.gid}")
    code = re.search(r"/link ([0-9A-F]{8})", calls[-1]["params"]["text"])
    assert code
    await cast.fake.bot_added_to_group(CHAT, "Welkom Amira", by_user_id=cast.anna.user_id)
    await cast.chat.shows("/link")
    await cast.chat.send(cast.anna, f"/link {code.group(1)}")
    await cast.chat.shows("Welkom Amira")


async def _tasks_are_made_and_claimed(cast: Cast) -> tuple[int, int]:
    """A task from private chat and one from the group chat; claims, a comment, done."""
    anna, bram, cees, chat, fake = cast.anna, cast.bram, cast.cees, cast.chat, cast.fake
    await anna.press(f"g:o:{cast.gid}")
    await anna.press(f"tn:{cast.gid}")
    await anna.send("Bel de woningcorporatie")
    for data in ("tn:d:20261125", "tn:t:1000", "tn:a:any"):
        await anna.press(data)
    assert "Bel de woningcorporatie" in anna.screen()[-1]
    first = await _task_id(cast.core, "Bel de woningcorporatie")
    await fake.wait_for(lambda: "10:00" in card(chat, first), 8, what="the first card")
    await chat.send(bram, "/newtask Fiets kopen")
    await chat.shows("Fiets kopen")
    for data in ("tn:d:20261127", "tn:t:n", "tn:a:me"):
        await chat.press(bram, data)
    second = await _task_id(cast.core, "Fiets kopen")
    await fake.wait_for(lambda: "Bram" in card(chat, second), 8, what="the new card")
    await fake.next_callback_answer(await chat.press(cees, f"t:{first}:c"))
    # Anna's screen still showed the Claim button when she pressed it.
    answer = await fake.next_callback_answer(await chat.press_stale(anna, f"#{first} ",
                                                                    f"t:{first}:c"))
    assert "Cees" in str(answer.get("text"))
    await fake.wait_for(lambda: "Cees" in card(chat, first), 8, what="Cees on the card")
    await chat.press(cees, f"t:{first}:m")
    await fake.wait_for(lambda: f"#{first}" in "".join(cees.screen()[-1:]), 8,
                        what="the private comment question")
    await cees.send("Ik bel morgen om 10 uur")
    await fake.wait_for(lambda: "💬" in card(chat, first), 8, what="the comment count")
    await fake.next_callback_answer(await chat.press(cees, f"t:{first}:d"))
    await fake.wait_for(lambda: "✅" in card(chat, first), 8, what="the card marked done")
    return first, second


async def _the_newcomer_follows_in_arabic(cast: Cast, second: int) -> None:
    """Shared tasks in Arabic, "I need help" to the group, and the plan in Arabic."""
    amira, bram, coordinator, gid = cast.amira, cast.bram, cast.coordinator, cast.gid
    await bram.press("g:h")
    await bram.press(f"g:l:{gid}:m:0")  # 🙋 Mine
    await bram.press(f"t:{second}:v")
    await bram.press(f"t:{second}:w")
    await amira.press("nt:l")
    assert any("Fiets kopen" in label for label, _ in amira.last_buttons())
    await amira.press(f"nt:v:{second}")
    await amira.press(f"nt:h:{second}")
    assert said("ar", "I told your group. Someone will contact you.") in amira.transcript()
    await cast.chat.shows("أميرة")
    await coordinator.press(f"g:o:{gid}")
    await coordinator.press(f"g:p:{gid}")
    await coordinator.press(f"g:p:{gid}:y")
    await amira.press("menu:back")
    await amira.press("nt:l")
    labels = " ".join(label for label, _ in amira.last_buttons())
    assert said("ar", "Your group welcomes you at home with groceries you know")[:15] in labels
    assert said("ar", "Welcome the family at home with familiar groceries")[:15] not in labels


async def _task_id(core: Core, title: str) -> int:
    async with core.db.session() as session:
        found = await session.scalar(select(Task.id).where(Task.title == title))
    assert found is not None, f"no task {title!r}"
    return int(found)


async def test_twenty_members_claim_one_task_at_once(fake: FakeTelegram, moving_core: Core) -> None:
    members = [TgUser(fake, 600 + i, first_name=f"Lid{i}") for i in range(20)]
    chat = GroupChat(fake, CHAT)
    async with running_bot(fake, moving_core):
        coordinator, gid, _newcomer = await set_up_group(fake)
        token = token_in(await coordinator.press(f"g:i:{gid}:m"))
        coordinator_token = token
        for index, member in enumerate(members):
            if index and index % 10 == 0:  # an invite works for ten people
                await coordinator.press(f"g:o:{gid}")
                coordinator_token = token_in(await coordinator.press(f"g:i:{gid}:m"))
            await join(member, coordinator_token, "nl")
        await linked(fake, members[0], gid, chat)
        await chat.send(members[0], "/newtask Verhuisbus regelen")
        await chat.shows("Verhuisbus regelen")
        await chat.press(members[0], "tn:n")
        await chat.press(members[0], "tn:a:any")
        task_id = await _task_id(moving_core, "Verhuisbus regelen")
        await fake.wait_for(lambda: any(d == f"t:{task_id}:c" for m in fake.messages(CHAT)
                                        for _, d in buttons(m)), 8, what="the task card")
        queries = await asyncio.gather(*(chat.press_now(m, f"t:{task_id}:c") for m in members))
        answers = [await fake.next_callback_answer(q, timeout=15) for q in queries]
    async with moving_core.db.session() as session:
        claims = await session.scalar(select(func.count()).select_from(TaskEvent).where(
            TaskEvent.task_id == task_id, TaskEvent.kind == "claimed"))
        owners = (await task_repo.assignees(session, [task_id]))[task_id]
    assert claims == 1 and len(owners) == 1
    with use_locale("nl"):
        won = _("✋ It is yours: #{number}").format(number=task_id)
        refused = _("{name} already took this task.").format(name=owners[0].first_name)
    texts = [str(a.get("text")) for a in answers]
    assert texts.count(won) == 1 and texts.count(refused) == 19, texts


async def test_fifty_tasks_in_a_minute_stay_within_the_group_limit(
    fake: FakeTelegram, moving_core: Core, clock: MovingClock
) -> None:
    anna = TgUser(fake, 530, first_name="Anna")
    chat = GroupChat(fake, CHAT)
    # 250 updates from Anna in 5 s is a script, not a person: this test is about the group
    # chat's budget, so the per-person flood gate is opened wide.
    moving_core.flood = FloodGate(FloodLimits(burst=10_000))
    async with running_bot(fake, moving_core) as app:
        coordinator, gid, _newcomer = await set_up_group(fake)
        await join(anna, token_in(await coordinator.press(f"g:i:{gid}:m")), "nl")
        await linked(fake, anna, gid, chat)
        started = asyncio.get_running_loop().time()
        for number in range(50):  # one task every 0.1 s, each waking the sender
            for event in _new_task_events(anna.user_id, gid, f"Taak nummer {number}"):
                await moving_core.handle(event)
            app.bot_data["background"].wake()
            await asyncio.sleep(0.1)
        await asyncio.sleep(2)
        elapsed = asyncio.get_running_loop().time() - started
        within_minute = len(chat.calls())
        clock.jump(minutes=2)  # the budget frees up: whatever still waited goes out
        app.bot_data["background"].wake()
        await fake.wait_for(lambda: all(f"Taak nummer {n}" in " ".join(chat.texts())
                                        for n in range(50)), 15, what="all 50 tasks")
    posted = [c for c in chat.calls() if c["method"] == "sendMessage"]
    assert elapsed < 60, f"the test itself took {elapsed:.0f}s"
    assert within_minute == 20, within_minute  # the budget was used, and not exceeded
    assert len(posted) < 30, len(posted)  # what waited was batched: several tasks per message


def _new_task_events(user_id: int, gid: int, title: str) -> list[Incoming]:
    """The presses and typing of ➕ New task → title → no date → anyone, as the core sees them."""
    def press(data: str) -> Incoming:
        return Incoming(user_id, user_id, Kind.BUTTON, data=data, first_name="Anna")

    return [press(f"tn:{gid}"), Incoming(user_id, user_id, Kind.TEXT, text=title),
            press("tn:n"), press("tn:a:any")]


async def test_what_was_owed_during_downtime_arrives_after_a_restart(
    fake: FakeTelegram, moving_core: Core, clock: MovingClock
) -> None:
    anna = TgUser(fake, 540, first_name="Anna")
    chat = GroupChat(fake, CHAT)
    async with running_bot(fake, moving_core):
        coordinator, gid, _newcomer = await set_up_group(fake)
        await join(anna, token_in(await coordinator.press(f"g:i:{gid}:m")), "nl")
        await linked(fake, anna, gid, chat)
    # The bot is down: a task is made (say, by a second process) and Monday comes.
    for event in _new_task_events(anna.user_id, gid, "Terwijl de bot sliep"):
        await moving_core.handle(event)
    clock.jump(hours=20)
    async with running_bot(fake, moving_core):  # a new Application on the same database
        await chat.shows("Terwijl de bot sliep")
        await chat.shows("Weekoverzicht")
    assert sum("Terwijl de bot sliep" in t and t.startswith("#") for t in chat.texts()) == 1
    assert sum("Weekoverzicht" in t for t in chat.texts()) == 1
