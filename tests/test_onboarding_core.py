"""Onboarding through the core with the test adapter: steps, branches, state that survives."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import build_core
from bot.config import Settings
from bot.core import states
from bot.core.engine import Core
from bot.core.ports import Incoming, Kind
from bot.core.privacy import PRIVACY_VERSION, notice_text, summary_text
from bot.i18n import use_locale
from bot.storage import users
from bot.storage.db import Database
from bot.storage.models import User
from tests.chat import CoreChat, last, said, texts
from tests.conftest import FIXED_NOW


async def stored_user(db: Database, telegram_id: int = 1001) -> User | None:
    async with db.session() as session:
        result = await session.execute(select(User).where(User.telegram_id == telegram_id))
        return result.scalar_one_or_none()


def unmarked(text: str) -> str:
    """Without the direction marks and isolates the renderer adds around Latin runs."""
    return "".join(c for c in text if c not in "\u200e\u200f\u2066\u2067\u2068\u2069")


async def onboard_newcomer(chat: CoreChat, lang: str = "en") -> None:
    await chat.send("/start")
    await chat.press(f"lang:{lang}")
    await chat.press("priv:yes")
    await chat.press("ob:role:newcomer")
    await chat.press("ob:sit:refugee")
    await chat.press("ob:kids:yes")
    await chat.send("Utrecht")
    await chat.press("ob:arr:2026-09")


async def test_start_shows_picker_with_native_names(core: Core) -> None:
    chat = CoreChat(core)
    outcome = await chat.send("/start")
    assert [b.label for b in chat.buttons] == ["Nederlands", "English", "Polski", "العربية",
                                               "ትግርኛ"]
    assert [b.data for b in chat.buttons] == ["lang:nl", "lang:en", "lang:pl", "lang:ar", "lang:ti"]
    assert said("ti", "Choose your language") in texts(outcome)


async def test_full_newcomer_onboarding_is_stored(core: Core, db: Database) -> None:
    chat = CoreChat(core)
    await onboard_newcomer(chat, "nl")
    user = await stored_user(db)
    assert user is not None
    assert (user.locale, user.state, user.situation) == ("nl", states.MENU, "refugee")
    assert (user.municipality_code, user.arrival_month) == ("GM0344", "2026-09")
    assert user.has_children is True
    assert user.privacy_version == PRIVACY_VERSION
    assert user.privacy_accepted_at is not None
    assert user.onboarded_at is not None


async def test_helpers_are_told_about_invites_and_reach_the_menu(core: Core, db: Database) -> None:
    chat = CoreChat(core)
    await chat.send("/start")
    await chat.press("lang:en")
    await chat.press("priv:yes")
    outcome = await chat.press("ob:role:member")
    assert "invite link" in texts(outcome)
    assert "Main menu" in last(outcome).text
    user = await stored_user(db)
    assert user is not None
    assert (user.declared_role, user.state, user.situation) == ("member", states.MENU, None)


async def test_the_first_screen_is_a_short_summary_and_the_whole_notice_one_tap_away(
        core: Core, db: Database) -> None:
    chat = CoreChat(core)
    await chat.send("/start")
    first = await chat.press("lang:ar")
    with use_locale("ar"):
        summary, notice = summary_text(), notice_text()
    assert unmarked(summary) in unmarked(last(first).text)
    assert unmarked(notice) not in unmarked(last(first).text)
    assert summary.count("\n") == 3  # a title and three lines
    assert len(last(first).text) < len(notice)
    assert [b.data for b in chat.buttons] == ["priv:yes", "priv:no", "priv:more"]
    assert [b.label for b in chat.buttons][2] == said("ar", "📄 Read more")
    more = await chat.press("priv:more")
    assert unmarked(notice) in unmarked(last(more).text)
    assert [b.data for b in chat.buttons] == ["priv:yes", "priv:no"]
    assert (await stored_user(db)).privacy_version is None  # type: ignore[union-attr]
    await chat.press("priv:yes")  # I agree under the whole notice: the same consent
    user = await stored_user(db)
    assert user is not None
    assert (user.privacy_version, user.state) == (PRIVACY_VERSION, states.ROLE)
    again = await chat.press("priv:more")  # an old Read more: the notice with what to do
    assert unmarked(notice) in unmarked(last(again).text)
    assert "priv:del" in [b.data for b in chat.buttons]


async def test_declining_privacy_saves_no_answers(core: Core, db: Database) -> None:
    chat = CoreChat(core)
    await chat.send("/start")
    await chat.press("lang:en")
    outcome = await chat.press("priv:no")
    assert "/help" in texts(outcome)
    stale = await chat.press("ob:role:newcomer")  # a forged step-skipping button
    assert stale.toast is not None
    user = await stored_user(db)
    assert user is not None
    assert (user.state, user.declared_role, user.privacy_version) == (states.PRIVACY, None, None)


async def test_restart_continues_at_the_same_step(settings: Settings, db: Database) -> None:
    first = CoreChat(build_core(settings, db, clock=lambda: FIXED_NOW))
    await first.send("/start")
    await first.press("lang:ar")
    await first.press("priv:yes")
    await first.press("ob:role:newcomer")
    await db.close()  # the process stops
    reopened = Database(settings.database_url)
    try:
        second = CoreChat(build_core(settings, reopened, clock=lambda: FIXED_NOW))
        outcome = await second.send("/start")
        assert said("ar", "Which fits you best?") in texts(outcome)
        assert {b.data for b in second.buttons} >= {"ob:sit:refugee", "ob:sit:eu"}
    finally:
        await reopened.close()


async def test_municipality_typo_suggestions_and_unknown_name(core: Core, db: Database) -> None:
    chat = CoreChat(core)
    for step in ("/start", "lang:en", "priv:yes", "ob:role:newcomer", "ob:sit:eu", "ob:kids:no"):
        await (chat.send(step) if step.startswith("/") else chat.press(step))
    outcome = await chat.send("<b>Nowhere</b> & co")
    assert "&lt;b&gt;Nowhere&lt;/b&gt; &amp; co" in texts(outcome)
    await chat.send("Rotterdamm")
    assert chat.buttons[0].data == "ob:muni:GM0599"
    await chat.press_label("Rotterdam")
    user = await stored_user(db)
    assert user is not None
    assert (user.municipality_code, user.state) == ("GM0599", states.ARRIVAL)


async def test_arrival_months_follow_the_clock(core: Core) -> None:
    chat = CoreChat(core)
    for step in ("/start", "lang:en", "priv:yes", "ob:role:newcomer", "ob:sit:family",
                 "ob:kids:skip", "ob:muni:skip"):
        await (chat.send(step) if step.startswith("/") else chat.press(step))
    data = [b.data for b in chat.buttons]
    assert data[0] == "ob:arr:2026-11"
    assert data[11] == "ob:arr:2025-12"
    assert data[-1] == "ob:arr:skip"
    forged = await chat.press("ob:arr:2019-01")
    assert forged.toast is not None


async def test_language_change_mid_onboarding_keeps_the_step(core: Core, db: Database) -> None:
    chat = CoreChat(core)
    for step in ("/start", "lang:en", "priv:yes", "ob:role:newcomer"):
        await (chat.send(step) if step.startswith("/") else chat.press(step))
    await chat.send("/language")
    outcome = await chat.press("lang:ti")
    assert said("ti", "Which fits you best?") in texts(outcome)
    user = await stored_user(db)
    assert user is not None
    assert (user.locale, user.state) == ("ti", states.SITUATION)


async def test_bad_input_gets_kind_answers(core: Core) -> None:
    chat = CoreChat(core)
    await onboard_newcomer(chat)
    for kind, expected in ((Kind.MEDIA, "only read text"), (Kind.EDITED, "new messages")):
        assert expected in texts(await chat.other(kind))
    assert "/help" in texts(await chat.send("/nonsense"))
    await chat.send("how do i get digid?")  # typed questions go to the FAQ
    assert "faq:admin.digid:s" in [b.data for b in chat.buttons]
    forged = await chat.press("zz:\u0000garbage")
    assert forged.toast is not None
    assert "Main menu" in last(forged).text


async def test_help_always_shows_emergency_numbers(core: Core) -> None:
    chat = CoreChat(core)
    await chat.send("/start")
    for lang in ("nl", "en", "ar", "ti"):
        await chat.press(f"lang:{lang}")
        text = texts(await chat.send("/help"))
        for number in ("112", "113", "0800-0113", "0800-2000"):
            assert number in text


async def test_delete_needs_confirmation_and_erases(core: Core, db: Database) -> None:
    chat = CoreChat(core)
    await onboard_newcomer(chat)
    await chat.send("/delete")
    await chat.press("priv:keep")
    assert await stored_user(db) is not None
    await chat.send("/delete")
    outcome = await chat.press("priv:erase")
    assert "deleted" in texts(outcome)
    assert await stored_user(db) is None


async def test_details_show_profile_and_can_be_changed(core: Core, db: Database) -> None:
    chat = CoreChat(core)
    await onboard_newcomer(chat)
    outcome = await chat.press("menu:me")
    assert "Utrecht" in texts(outcome)
    assert "September 2026" in texts(outcome)
    await chat.press("menu:edit")
    user = await stored_user(db)
    assert user is not None
    assert user.state == states.ROLE


async def test_group_messages_get_silence(core: Core, db: Database) -> None:
    outcome = await core.handle(Incoming(5, -100, Kind.TEXT, text="hi", private=False))
    assert outcome.replies == []
    assert await stored_user(db, 5) is None


async def test_a_changed_privacy_notice_is_agreed_to_again(core: Core, db: Database) -> None:
    chat = CoreChat(core)
    await chat.onboard("en")
    async with db.session() as session:
        user = await users.get_by_telegram_id(session, chat.user_id)
        assert user is not None
        user.privacy_version = PRIVACY_VERSION - 1  # agreed to the previous text
    asked = await chat.send("/menu")
    assert said("en", "The privacy notice has changed. Please read it again.") in texts(asked)
    assert [b.data for b in chat.buttons] == ["priv:yes", "priv:no"]
    helped = await chat.send("/help")
    assert "112" in texts(helped)  # the emergency numbers never wait
    await chat.press("priv:yes")
    assert "Main menu" in texts(await chat.send("/menu"))


async def test_nul_characters_are_dropped_before_anything_is_stored(core: Core,
                                                                   db: Database) -> None:
    """PostgreSQL text cannot hold U+0000 (SQLite can): the core takes it out of what comes in."""
    await core.handle(Incoming(1001, 1001, Kind.COMMAND, command="start", first_name="A\x00da"))
    await core.handle(Incoming(1001, 1001, Kind.BUTTON, data="lang:\x00nl"))
    user = await stored_user(db)
    assert user is not None and (user.first_name, user.locale) == ("Ada", "nl")
