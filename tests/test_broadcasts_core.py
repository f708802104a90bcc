"""Broadcasts in the core: audiences and counts, reach limited to the author's organisation,
muted people skipped unless urgent, language versions with the fallback note."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from bot.core.engine import Core
from bot.core.ports import Incoming, Kind
from bot.storage.models import Delivery, Group, Membership, User
from tests.chat import CoreChat, outgoing, said, texts

ADMIN = 4242


async def onboarded(core: Core, user_id: int, code: str, town: str) -> CoreChat:
    """A newcomer living in `town`."""
    chat = CoreChat(core, user_id)
    await chat.send("/start")
    for data in (f"lang:{code}", "priv:yes", "ob:role:newcomer", "ob:sit:refugee", "ob:kids:no"):
        await chat.press(data)
    await chat.send(town)
    await chat.press("ob:arr:skip")
    return chat


async def coordinator_with_group(core: Core, admin: CoreChat, user_id: int, org: str,
                                 town: str) -> CoreChat:
    """An organisation, its coordinator, and one group in `town`."""
    link = re.search(r"start=(i_[A-Za-z0-9_-]+)", texts(await admin.send(f"/neworg {org}")))
    assert link
    coordinator = CoreChat(core, user_id)
    await coordinator._handle(Incoming(user_id, user_id, Kind.COMMAND, command="start",
                                       text=link.group(1), first_name="Co"))
    for data in ("lang:nl", "priv:yes", "inv:y", "g:n"):
        await coordinator.press(data)
    await coordinator.send(f"Groep {town}")
    await coordinator.send(town)
    await coordinator.press("ga:n")
    return coordinator


async def world(core: Core) -> tuple[CoreChat, CoreChat]:
    """Two organisations (Utrecht, Amsterdam) and their newcomers; returns both coordinators."""
    admin = CoreChat(core, ADMIN)
    await admin.send("/start")
    for data in ("lang:nl", "priv:yes", "ob:role:coordinator"):
        await admin.press(data)
    utrecht = await coordinator_with_group(core, admin, 801, "Samen Hier Utrecht", "Utrecht")
    amsterdam = await coordinator_with_group(core, admin, 802, "Samen Hier Amsterdam",
                                             "Amsterdam")
    for user_id, code in ((811, "nl"), (812, "ar"), (813, "ti"), (814, "en")):
        await onboarded(core, user_id, code, "Utrecht")
    await onboarded(core, 821, "nl", "Amsterdam")
    return utrecht, amsterdam


async def draft(coordinator: CoreChat, nl: str) -> int:
    """/broadcast with a Dutch version; returns the draft's number."""
    await coordinator.send("/broadcast")
    number = int(next(b.data for b in coordinator.buttons if b.data.startswith("bc:r:"))
                 .split(":")[2])
    await coordinator.press(f"bc:w:{number}:nl")
    await coordinator.send(nl)
    return number


async def deliveries(core: Core, number: int) -> list[tuple[int, str]]:
    async with core.db.session() as session:
        rows = await session.execute(select(Delivery.chat_id, Delivery.language).where(
            Delivery.broadcast_id == number).order_by(Delivery.chat_id))
    return [(chat, language) for chat, language in rows.all()]


async def test_a_coordinator_reaches_only_their_own_newcomers(core: Core) -> None:
    utrecht, _amsterdam = await world(core)
    number = await draft(utrecht, "De informatieavond is verplaatst naar donderdag.")
    confirm = await utrecht.press(f"bc:s:{number}")
    assert said("nl", "Send broadcast #{number} to {count} recipients now?").format(
        number=number, count=4) == texts(confirm)
    await utrecht.press(f"bc:y:{number}")
    assert await deliveries(core, number) == [(811, "nl"), (812, "ar"), (813, "ti"),
                                              (814, "en")]


async def test_filters_language_and_roles(core: Core) -> None:
    utrecht, _amsterdam = await world(core)
    number = await draft(utrecht, "Alleen voor Arabisch sprekenden")
    await utrecht.press(f"bc:l:{number}")  # all → nl
    await utrecht.press(f"bc:l:{number}")  # nl → en
    await utrecht.press(f"bc:l:{number}")  # en → pl (locales/LINGUAS order)
    await utrecht.press(f"bc:l:{number}")  # pl → ar
    assert said("nl", "Recipients now: {count}").format(count=1) in texts(
        await utrecht.press(f"bc:r:{number}:coordinator"))  # coordinators of nl: none added
    await utrecht.press(f"bc:y:{number}")
    assert await deliveries(core, number) == [(812, "ar")]


async def test_muted_people_are_skipped_unless_urgent(core: Core) -> None:
    utrecht, _amsterdam = await world(core)
    muted = CoreChat(core, 811)
    await muted.press("menu:me")
    await muted.press("menu:mute")
    first = await draft(utrecht, "Nieuwe training")
    await utrecht.press(f"bc:y:{first}")
    urgent = await draft(utrecht, "Het kantoor is vandaag dicht")
    await utrecht.press(f"bc:g:{urgent}")
    await utrecht.press(f"bc:y:{urgent}")
    assert 811 not in [chat for chat, _ in await deliveries(core, first)]
    assert 811 in [chat for chat, _ in await deliveries(core, urgent)]


async def test_each_reader_gets_their_version_or_the_fallback_with_a_note(core: Core) -> None:
    utrecht, _amsterdam = await world(core)
    number = await draft(utrecht, "Dinsdag is er taalcafé.")
    await utrecht.press(f"bc:w:{number}:ar")
    await utrecht.send("يوم الثلاثاء مقهى اللغة.")
    await utrecht.press(f"bc:y:{number}")
    batch = {item.chat_id: item.reply.text for item in await outgoing(core)}
    assert "Dinsdag is er taalcafé." in batch[811]
    assert "يوم الثلاثاء مقهى اللغة." in batch[812]
    assert "Dinsdag is er taalcafé." in batch[813]
    assert said("ti", "ℹ️ This message is not available in your language yet.") in batch[813]
    assert said("ar", "ℹ️ This message is not available in your language yet.") not in batch[812]
    assert "Samen Hier Utrecht" in batch[811]  # who it is from


async def test_others_cannot_touch_a_broadcast_and_newcomers_cannot_start_one(
    core: Core,
) -> None:
    utrecht, amsterdam = await world(core)
    number = await draft(utrecht, "Alleen Utrecht")
    for data in (f"bc:y:{number}", f"bc:w:{number}:nl", f"bc:x:{number}", f"bc:k:{number}"):
        outcome = await amsterdam.press(data)
        assert outcome.toast == said("nl", "Sorry, you cannot do that here.")
    newcomer = CoreChat(core, 811)
    assert texts(await newcomer.send("/broadcast")) == said("nl", "Sorry, you cannot do that here.")
    assert await deliveries(core, number) == []


async def test_a_scheduled_broadcast_goes_out_at_its_time_unless_cancelled(core: Core) -> None:
    utrecht, _amsterdam = await world(core)
    first = await draft(utrecht, "Morgen om tien uur: open spreekuur")
    await utrecht.press(f"bc:t:{first}")
    await utrecht.press(f"bc:t:{first}:d20261123")
    planned = await utrecht.press(f"bc:h:{first}:2026112310")  # Monday 10:00 in Amsterdam
    assert said("nl", "✖️ Cancel it") in [b.label for b in utrecht.buttons] and planned.replies
    second = await draft(utrecht, "Dit gaat niet door")
    await utrecht.press(f"bc:t:{second}:d20261123")
    await utrecht.press(f"bc:h:{second}:2026112310")
    await utrecht.press(f"bc:k:{second}")
    core.clock = lambda: datetime(2026, 11, 23, 8, 59, tzinfo=UTC)
    await core.run_due_jobs()  # the Monday overviews are due; the broadcast is not yet
    assert await deliveries(core, first) == []
    core.clock = lambda: datetime(2026, 11, 23, 9, 0, 1, tzinfo=UTC)
    await core.run_due_jobs()
    assert len(await deliveries(core, first)) == 4
    assert await deliveries(core, second) == []


async def test_situation_filter(core: Core) -> None:
    utrecht, _amsterdam = await world(core)
    number = await draft(utrecht, "Voor gezinsmigranten")
    await utrecht.press(f"bc:i:{number}")  # every situation → refugee
    await utrecht.press(f"bc:i:{number}")  # refugee → family
    await utrecht.press(f"bc:y:{number}")
    assert await deliveries(core, number) == []  # everyone in this world came as a refugee


async def test_specific_groups_reach_only_their_people(core: Core) -> None:
    utrecht, _amsterdam = await world(core)
    async with core.db.session() as session:
        group = (await session.scalars(select(Group).where(Group.name == "Groep Utrecht"))).one()
        amira = (await session.scalars(select(User).where(User.telegram_id == 812))).one()
        session.add(Membership(group_id=group.id, user_id=amira.id, role="newcomer"))
    number = await draft(utrecht, "Alleen voor de groep")
    await utrecht.press(f"bc:q:{number}")
    await utrecht.press(f"bc:q:{number}:{group.id}")
    await utrecht.press(f"bc:y:{number}")
    assert await deliveries(core, number) == [(812, "ar")]
