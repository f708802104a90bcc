"""Coordinators keep volunteering over the fake Bot API: a coordinator in Utrecht closes a
place and the newcomer who was waiting for it is told in Arabic; a coordinator in
Amersfoort (and a newcomer) cannot touch Utrecht's places, even with forged buttons."""

from __future__ import annotations

from typing import Any

from bot.core.engine import Core
from bot.core.volunteer import closing, store
from bot.storage import users as user_repo
from bot.storage import volunteer as repo
from fakebot import FakeTelegram
from tests.chat import said
from tests.conftest import FIXED_NOW
from tests.groups import ADMIN, group_id_in, join, set_up_group, token_in
from tests.telegram import TgUser, running_bot

REFUSED = "Sorry, you cannot do that here."


def toast(calls: list[dict[str, Any]]) -> str:
    """The notice shown on the pressed button."""
    return next(str(c["params"].get("text", "")) for c in calls
                if c["method"] == "answerCallbackQuery")


async def coordinator_in_amersfoort(fake: FakeTelegram) -> TgUser:
    """A second organisation whose coordinator has one group, in Amersfoort."""
    admin, bram = TgUser(fake, ADMIN, first_name="Ada"), TgUser(fake, 502, first_name="Bram")
    await join(bram, token_in(await admin.send("/neworg Samen Hier Amersfoort")), "nl")
    await bram.press("g:h")
    await bram.press("g:n")
    await bram.send("Welkom Yonas")
    await bram.send("Amersfoort")
    await bram.press("ga:m:202612")
    await bram.press("ga:d:20261201")
    assert group_id_in(bram)
    return bram


async def interested(core: Core, telegram_id: int, opportunity: str) -> int:
    """The newcomer pressed "I'm interested" (the chat side's part, done here directly)."""
    async with core.db.session() as session:
        person = await user_repo.get_by_telegram_id(session, telegram_id)
        assert person is not None
        return (await repo.interested(session, opportunity, person.id, FIXED_NOW)).id


async def test_a_coordinator_closes_a_place_and_the_waiting_newcomer_hears_it_in_arabic(
        fake: FakeTelegram, core: Core) -> None:
    async with core.db.session() as session:
        rows = store.read_file(store.EXAMPLE_FILE.read_bytes(), FIXED_NOW.date())
        await store.import_rows(session, rows, FIXED_NOW)
    async with running_bot(fake, core):
        carla, _gid, _token = await set_up_group(fake)  # a coordinator in Utrecht
        amal = TgUser(fake, 5201, "ar", first_name="أمل")
        await amal.onboard("ar")
        waiting = await interested(core, amal.user_id, "ex-utr-keuken")

        await carla.send("/volunteering")
        listed = [data for _label, data in carla.last_buttons()]
        assert "vco:o:ex-utr-keuken" in listed and "vco:o:ex-amf-koken" not in listed
        await carla.press("vco:o:ex-utr-keuken")
        assert "Wachten op antwoord van de organisatie: 1" in carla.screen()[-1]
        await carla.press("vco:x:ex-utr-keuken")  # someone waits: asked first
        assert "Wachten op antwoord: 1." in carla.screen()[-1]
        before = len(amal.screen())
        calls = await carla.press("vco:xy:ex-utr-keuken")
        assert toast(calls) == "Gesloten. Mensen die bericht kregen: 1"
        assert "⛔ Gesloten" in carla.screen()[-1]

        told = amal.screen()[before:]
        assert len(told) == 1
        assert "الطبخ في مطبخ الحي" in told[0]  # the title in her language
        assert "نأسف: هذا المكان لم يعد متاحاً" in told[0]
        assert "هذا ليس بسببك" in told[0]
        # … and offered her next best match (none is left here: the whole list, then)
        assert [label for label, _data in amal.last_buttons()][-1] == said("ar", "🔎 Show matches")

        refused = await carla.forge("vco:x:ex-amf-koken")  # not her area
        assert toast(refused) == said("nl", REFUSED)
    async with core.db.session() as session:
        match = await repo.match(session, waiting)
        kitchen = await repo.get(session, "ex-utr-keuken")
        amersfoort = await repo.get(session, "ex-amf-koken")
    assert match is not None and match.status == closing.CLOSED
    assert kitchen is not None and kitchen.opportunity.closed
    assert amersfoort is not None and not amersfoort.opportunity.closed


async def test_a_coordinator_of_another_municipality_and_a_newcomer_are_refused(
        fake: FakeTelegram, core: Core) -> None:
    async with core.db.session() as session:
        rows = store.read_file(store.EXAMPLE_FILE.read_bytes(), FIXED_NOW.date())
        await store.import_rows(session, rows, FIXED_NOW)
    async with running_bot(fake, core):
        await set_up_group(fake)
        bram = await coordinator_in_amersfoort(fake)
        await bram.send("/volunteering")
        listed = [data for _label, data in bram.last_buttons()]
        assert "vco:o:ex-amf-koken" in listed and "vco:o:ex-utr-sport" not in listed
        for forged in ("vco:o:ex-utr-sport", "vco:x:ex-utr-sport", "vco:xy:ex-utr-sport",
                       "vco:p:0:ex-utr-sport", "vco:py:0:ex-utr-sport", "vco:ok:ex-utr-sport"):
            assert toast(await bram.forge(forged)) == said("nl", REFUSED), forged
        await bram.press("vco:o:ex-amf-koken")
        await bram.press("vco:p:3:ex-amf-koken")  # his own: allowed
        assert "Plekken: 3 · bezet: 0 · vrij: 3" in bram.screen()[-1]

        nour = TgUser(fake, 5202, "ar")
        await nour.onboard("ar")
        await nour.send("/volunteering")
        assert nour.screen()[-1] == said("ar", REFUSED)
    async with core.db.session() as session:
        sport = await repo.get(session, "ex-utr-sport")
    assert sport is not None
    assert (sport.opportunity.places, sport.opportunity.closed) == (2, False)
    assert sport.opportunity.last_checked.isoformat() == "2026-10-15"
