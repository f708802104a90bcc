"""🤲 Volunteer work over the fake Bot API, the newcomer in Tigrinya and the organisation in
Dutch: wishes → matches with why they fit → interested → the contact accepts with a date →
both get the other's contact; the sponsor group hears it only with consent; the follow-up a
week after the first day (not before); "no" offers the next match; an unanswered match
reaches the coordinator after five days, once; a second Accept changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.core.engine import Core
from bot.core.render import finish
from bot.core.volunteer import labels
from bot.i18n import use_locale
from bot.storage import groups as group_repo
from bot.storage import users
from bot.storage.db import Database
from bot.storage.models import Group, VolunteerMatch
from bot.storage.volunteer import Stored
from bot.telegram.app import PTBApplication
from fakebot import FakeTelegram, check_telegram_html
from tests.conftest import MovingClock
from tests.telegram import TgUser, Watch, running_bot, visible, watch_of
from tests.test_volunteer_core import UTRECHT, kitchen, save

SANNE, SEMHAR, MEMBER, COORDINATOR = 7001, 7201, 7301, 7401  # Sanne: the kitchen's contact
FIRST_DAY = date(2026, 11, 28)  # the Saturday after the test's Sunday


def buddy() -> Stored:
    """A language buddy in Utrecht who speaks Tigrinya: the next best match."""
    return kitchen(id="maatje-utrecht", kind="buddy", organisation="Taalmaatjes Utrecht",
                   interests=["languages"], languages=["nl", "ti"], contact_telegram_id=None)


def shown(code: str, html: str) -> str:
    """Our HTML as the chat shows it."""
    with use_locale(code):
        return check_telegram_html(finish(html))


async def started(fake: FakeTelegram, user_id: int, name: str) -> TgUser:
    """Someone Dutch-speaking who opened the bot (as a contact person or a helper does)."""
    person = TgUser(fake, user_id, "nl", first_name=name)
    await person.send("/start")
    await person.press("lang:nl")
    await person.press("priv:yes")
    return person


def semhar_on(fake: FakeTelegram) -> TgUser:
    """A newcomer who reads Tigrinya."""
    return TgUser(fake, SEMHAR, "ti", first_name="Semhar")


async def wishes_in_tigrinya(semhar: TgUser) -> TgUser:
    """Semhar answers the questions: cooking, Saturday, Tigrinya (already chosen), Utrecht, A1."""
    await semhar.press("vw:h")
    for data in ("vw:pi:cooking", "vw:n", "vw:pd:sat", "vw:n", "vw:n"):
        await semhar.press(data)
    await semhar.send("Utrecht")
    await semhar.press("vw:pv:A1")
    return semhar


async def in_a_group(db: Database, *people: int) -> None:
    """A sponsor group in Utrecht: the first person is the newcomer, the others members."""
    async with db.session() as session:
        organisation = await group_repo.create_organisation(session, "Samen Utrecht")
        group = await group_repo.create_group(session, Group(
            organisation_id=organisation.id, name="Groep Semhar", municipality_code=UTRECHT))
        for index, telegram_id in enumerate(people):
            user = await users.get_by_telegram_id(session, telegram_id)
            assert user is not None
            await group_repo.join(session, group.id, user.id, "newcomer" if index == 0
                                  else "member")


async def coordinating(db: Database, telegram_id: int) -> None:
    """A coordinator of an organisation with a group in Utrecht."""
    async with db.session() as session:
        organisation = await group_repo.create_organisation(session, "Welkom Utrecht")
        await group_repo.create_group(session, Group(organisation_id=organisation.id,
                                                     name="Groep A", municipality_code=UTRECHT))
        user = await users.get_by_telegram_id(session, telegram_id)
        assert user is not None
        await group_repo.appoint(session, user.id, organisation.id)


async def the_match(db: Database) -> VolunteerMatch:
    async with db.session() as session:
        return (await session.scalars(select(VolunteerMatch))).one()


async def jobs_run(core: Core, app: PTBApplication, fake: FakeTelegram) -> None:
    """What the 30-second timer does, then until the sender delivered what it queued."""
    await core.run_due_jobs()
    app.bot_data["background"].wake()
    await delivered(fake)


async def delivered(fake: FakeTelegram) -> None:
    """Until the outbox owes nothing that is due now."""
    watch = watch_of(fake)
    assert isinstance(watch, Watch)
    await watch.delivered()


def overdue(coordinator: TgUser, seen: int) -> list[str]:
    """The cards that reached the coordinator because nobody answered in five days."""
    return [t for t in coordinator.screen()[seen:] if "Na 5 dagen nog geen antwoord" in t]


async def accepted_with_a_date(fake: FakeTelegram, db: Database, semhar: TgUser,
                               tell: str) -> tuple[TgUser, VolunteerMatch]:
    """Semhar is interested; Sanne (the contact) accepts and picks the first day."""
    sanne = await started(fake, SANNE, "Sanne")
    await wishes_in_tigrinya(semhar)
    screen = semhar.screen()[-1]
    with use_locale("ti"):
        why = f"{labels.interest('cooking')} ✓ {labels.day('sat')} ✓ {labels.languages(['ti'])} ✓"
    assert shown("ti", why) in screen and "Utrecht ✓" in screen
    await semhar.press("vw:i:kook-utrecht")
    assert shown("ti", "🇳🇱 ሆላንድኛ: " + labels_level("ti", "A1")) in semhar.screen()[-1]
    await semhar.press(f"vw:y:kook-utrecht:{tell}")
    await fake.wait_for(lambda: any("Iemand wil graag helpen" in t for t in sanne.screen()), 8,
                        what="the card in Dutch")
    card = sanne.screen()[-1]
    assert "Semhar" in card and "Tigrinya" in card and "zaterdag" in card
    match = await the_match(db)
    calls = await sanne.press(f"vc:{match.id}:a")
    link = f'<a href="tg://user?id={SEMHAR}">Semhar</a>'
    assert any(link in str(c["params"].get("text", "")) for c in calls)
    await sanne.press(f"vc:sd:{FIRST_DAY:%Y%m%d}")
    return sanne, await the_match(db)


def labels_level(code: str, level: str) -> str:
    with use_locale(code):
        return labels.level(level)


async def test_in_tigrinya_matched_accepted_followed_up_and_offered_the_next(
        fake: FakeTelegram, db: Database, moving_core: Core, clock: MovingClock) -> None:
    await save(db, kitchen(languages=["nl", "ti"]), buddy())
    async with running_bot(fake, moving_core) as app:
        member = await started(fake, MEMBER, "Mila")
        semhar = semhar_on(fake)
        await semhar.onboard("ti")
        await in_a_group(db, SEMHAR, MEMBER)
        sanne, match = await accepted_with_a_date(fake, db, semhar, tell="1")
        assert match.status == "accepted" and match.start_date == FIRST_DAY
        await fake.wait_for(lambda: any("+31 30 123 4567" in t for t in semhar.screen()), 8,
                            what="the contact's number for the newcomer")
        await fake.wait_for(lambda: any("Semhar" in t for t in member.screen()), 8,
                                   what="the group hears it (Semhar allowed it)")

        again = await sanne.forge(f"vc:{match.id}:a")  # a double tap, or an old copy of the card
        assert any("al beantwoord door Sanne" in str(c["params"].get("text", ""))
                   for c in again)
        assert (await the_match(db)).answered_at == match.answered_at

        before = len(semhar.screen())
        due = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)  # a week later, 10:00 in Amsterdam
        clock.jump(seconds=(due - timedelta(minutes=1) - clock()).total_seconds())
        await jobs_run(moving_core, app, fake)
        assert len(semhar.screen()) == before  # not a minute before
        clock.jump(minutes=1)
        await jobs_run(moving_core, app, fake)
        assert len(semhar.screen()) == before + 1
        assert shown("ti", "🤲 <b>ሰሊጡ ዶ?</b>") in semhar.screen()[-1]
        assert sanne.screen()[-1].startswith("🤲 Is het gelukt? Semhar bij Buurtkeuken")

        await semhar.press(f"vu:{match.id}:1:n:n")
        assert (await the_match(db)).status == "ended"
        assert "Taalmaatjes Utrecht" in semhar.screen()[-1]  # the next best match
        assert ("🙋 1. ይደልዮ እየ", "vw:i:maatje-utrecht") in semhar.last_buttons()


async def test_the_group_hears_nothing_without_consent(
        fake: FakeTelegram, db: Database, moving_core: Core) -> None:
    await save(db, kitchen(languages=["nl", "ti"]))
    async with running_bot(fake, moving_core):
        member = await started(fake, MEMBER, "Mila")
        semhar = semhar_on(fake)
        await semhar.onboard("ti")
        await in_a_group(db, SEMHAR, MEMBER)
        heard = len(member.screen())
        await accepted_with_a_date(fake, db, semhar, tell="0")
        await fake.wait_for(lambda: any("+31 30 123 4567" in t for t in semhar.screen()), 8,
                            what="the contact's number for the newcomer")
        await delivered(fake)
    assert len(member.screen()) == heard


async def test_an_unanswered_match_reaches_the_coordinator_after_five_days_once(
        fake: FakeTelegram, db: Database, moving_core: Core, clock: MovingClock) -> None:
    await save(db, kitchen(languages=["nl", "ti"]))
    async with running_bot(fake, moving_core) as app:
        await started(fake, SANNE, "Sanne")
        coordinator = await started(fake, COORDINATOR, "Cor")
        await coordinating(db, COORDINATOR)
        semhar = semhar_on(fake)
        await semhar.onboard("ti")
        await wishes_in_tigrinya(semhar)
        await semhar.press("vw:i:kook-utrecht")
        await semhar.press("vw:y:kook-utrecht:0")
        match = await the_match(db)
        seen = len(coordinator.screen())
        due = match.created_at + timedelta(days=5)
        clock.jump(seconds=(due - timedelta(minutes=1) - clock()).total_seconds())
        await jobs_run(moving_core, app, fake)
        assert not overdue(coordinator, seen)  # not a minute before
        clock.jump(minutes=1)
        await jobs_run(moving_core, app, fake)
        clock.jump(days=1)
        await jobs_run(moving_core, app, fake)
    passed_on = overdue(coordinator, seen)
    assert len(passed_on) == 1 and "Semhar" in passed_on[0]
    assert (await the_match(db)).escalated_at is not None
    assert visible("nl", "✅ Accept") in [label for label, _ in coordinator.last_buttons()]
