"""Volunteer work at the core, in Arabic: the wishes, matches with why they fit, consent,
the organisation's answer and both contacts, each side in their own language."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.core.engine import Core
from bot.core.render import finish
from bot.core.volunteer import labels
from bot.i18n import LRI, PDI, language_name, use_locale
from bot.storage import volunteer
from bot.storage.db import Database
from bot.storage.models import VolunteerMatch, VolunteerOpportunity, VolunteerText
from tests.chat import CoreChat, said, sent, texts

UTRECHT = "GM0344"


def kitchen(**changes: object) -> volunteer.Stored:
    """A neighbourhood kitchen in Utrecht that cooks on Saturdays and speaks Arabic."""
    values: dict[str, object] = {
        "id": "kook-utrecht", "kind": "place", "organisation": "Buurtkeuken Utrecht",
        "interests": ["cooking"], "days": ["sat"], "parts_of_day": ["afternoon"],
        "hours_per_week": 3, "municipality": UTRECHT, "address": "Oudegracht 1",
        "online": False, "languages": ["ar", "nl"], "dutch_level": "none",
        "open_to_asylum_seekers": False, "contact_name": "Sanne de Vries",
        "contact_phone": "+31301234567", "contact_email": "koken@example.org",
        "contact_telegram_id": 7001, "places": 1, "closed": False,
        "last_checked": date(2026, 11, 1)} | changes
    oid = str(values["id"])
    return volunteer.Stored(VolunteerOpportunity(**values), {
        "nl": VolunteerText(opportunity_id=oid, language="nl", title="Koken voor de buurt",
                            description="Samen koken en eten met buren.")})


async def save(db: Database, *stored: volunteer.Stored) -> None:
    """Opportunities as the repository keeps them."""
    async with db.session() as session:
        for item in stored:
            await volunteer.save(session, item)


async def test_an_arabic_newcomer_is_matched_and_both_sides_get_the_other_contact(
        core: Core, db: Database) -> None:
    await save(db, kitchen(), kitchen(id="tuin-zwolle", organisation="Tuin Zwolle",
                                      interests=["gardening"], days=["tue"],
                                      municipality="GM0193", languages=["nl"],
                                      contact_telegram_id=None))
    sanne = CoreChat(core, 7001)
    await sanne.onboard("nl")
    amal = CoreChat(core, 6001)
    await amal.onboard("ar")
    first = await amal.send("/volunteer")
    assert said("ar", "What would you like to do? Choose as many as you like.") in texts(first)
    await amal.press("vw:pi:cooking")
    with use_locale("ar"):
        assert finish(f"✅ {labels.interest('cooking')}") in [b.label for b in amal.buttons]
    for data in ("vw:n", "vw:pd:sat", "vw:n", "vw:n"):  # Arabic is chosen already
        await amal.press(data)
    await amal.send("أوترخت")
    shown = texts(await amal.press("vw:pv:A1"))
    with use_locale("ar"):
        fits = finish(f"{labels.interest('cooking')} ✓ {labels.day('sat')} ✓")
    assert fits in shown and "Utrecht" in shown
    assert "Tuin Zwolle" not in shown  # elsewhere, and nothing in common
    consent = texts(await amal.press("vw:i:kook-utrecht"))
    with use_locale("ar"):  # exactly what the organisation will see, named before sending
        assert finish(f"🇳🇱 الهولندية: {labels.level('A1')}") in consent
        assert finish(f"🗣 {language_name('ar')}\n") in consent
    await amal.press("vw:y:kook-utrecht:0")
    await amal.press("vw:y:kook-utrecht:0")  # twice: still one match
    async with db.session() as session:
        matches = list(await session.scalars(select(VolunteerMatch)))
    assert [m.status for m in matches] == ["interested"]

    cards = [item for item in await sent(core) if item.chat_id == 7001]
    assert len(cards) == 1  # to the contact person, in her own language (Dutch)
    assert "🇳🇱 Nederlands: 🔤 A1: eerste woorden\n📅 zaterdag" in cards[0].reply.text
    assert "Arabisch" in cards[0].reply.text and "Koken voor de buurt" in cards[0].reply.text
    await sanne.press(f"vc:{matches[0].id}:a")
    told = [item for item in await sent(core) if item.chat_id == 6001]
    assert len(told) == 1
    assert f"{LRI}+31 30 123 4567{PDI}" in told[0].reply.text  # a number to tap, isolated
    assert "koken@example.org" in told[0].reply.text
    async with db.session() as session:
        stored = await volunteer.get(session, "kook-utrecht")
    assert stored is not None and stored.opportunity.closed  # its one place is taken


async def test_matches_come_three_to_a_page_and_an_asylum_seeker_sees_only_open_places(
        core: Core, db: Database) -> None:
    await save(db, *(kitchen(id=f"kook-{n}", places=2) for n in range(3)),
               kitchen(id="open-kook", open_to_asylum_seekers=True))
    bilal = CoreChat(core, 6002)
    await bilal.onboard("ar", situation="other")  # no permit known: asked about asylum
    asked = texts(await bilal.send("/volunteer"))
    assert said("ar", "Are you still waiting for a decision on your asylum request (you have "
                      "a W-document)? I ask because then only some places may take you.") in asked
    await bilal.press("vw:pa:no")
    for data in ("vw:n", "vw:n", "vw:n", "vw:s", "vw:s"):  # nothing chosen, nothing answered
        await bilal.press(data)
    assert "vw:m:1" in [b.data for b in bilal.buttons]  # four fit: three, then one
    assert "4. " in texts(await bilal.press("vw:m:1"))
    sara = CoreChat(core, 6003)  # another person: one person's taps are rate-limited
    await sara.onboard("ar", situation="other")
    await sara.send("/volunteer")
    for data in ("vw:pa:yes", "vw:n", "vw:n", "vw:n", "vw:s"):
        await sara.press(data)
    only = texts(await sara.press("vw:s"))
    with use_locale("ar"):
        assert finish(labels.asylum_note()) in only
    assert only.count("Koken voor de buurt") == 1 and "vw:i:open-kook" in [
        b.data for b in sara.buttons]
