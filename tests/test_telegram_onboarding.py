"""Transcripts over Telegram: the real PTB Application, the fake Bot API, a real SQLite file."""

from __future__ import annotations

import re

import pytest

from bot.app import build_core
from bot.config import Settings
from bot.core.engine import Core
from bot.i18n import language_codes
from bot.storage.db import Database
from fakebot import FakeTelegram
from tests.conftest import FIXED_NOW
from tests.telegram import TgUser, running_bot, visible

SCRIPT = {"ar": re.compile(r"[\u0600-\u06FF]"), "ti": re.compile(r"[\u1200-\u137F]")}
STEPS = ("Who are you?", "Which fits you best?", "Thank you! You are all set.", "Do you agree?")


@pytest.mark.parametrize("code", ["nl", "en", "ar", "ti"])
async def test_whole_onboarding_in_each_language(fake: FakeTelegram, core: Core, code: str) -> None:
    user = TgUser(fake, 501, language_code="en")
    async with running_bot(fake, core):
        await user.send("/start")
        assert [label for label, _ in user.last_buttons()] == [
            "Nederlands", "English", "Polski", "العربية", "ትግርኛ"]
        picked = len(user.transcript())
        for data in (f"lang:{code}", "priv:yes", "ob:role:newcomer", "ob:sit:eu", "ob:kids:no"):
            await user.press(data)
        await user.send("Utrecht")
        await user.press("ob:arr:2026-10")
    seen = user.transcript()[picked:]
    after = "\n".join(seen)
    for step in STEPS:
        assert visible(code, step) in after
    assert visible(code, "<b>Main menu</b>\nWhat would you like to do?") == user.screen()[-1]
    if code != "en":
        assert not any(visible("en", step) in after for step in STEPS)
    if code in SCRIPT:
        assert all(SCRIPT[code].search(text) for text in seen)


async def test_buttons_replace_their_message_and_answer_the_press(
    fake: FakeTelegram, core: Core
) -> None:
    user = TgUser(fake, 502)
    async with running_bot(fake, core):
        await user.send("/start")
        calls = await user.press("lang:nl")
    assert [c["method"] for c in calls] == ["answerCallbackQuery", "editMessageText"]
    assert len(user.screen()) == 1
    assert visible("nl", "Do you agree?") in user.screen()[0]


async def test_choosing_tigrinya_makes_every_following_message_tigrinya(
    fake: FakeTelegram, core: Core
) -> None:
    user = TgUser(fake, 503, language_code="ar")
    async with running_bot(fake, core):
        await user.send("/start")
        await user.press("lang:ti")
        await user.send("hello")
        await user.send("/help")
        await user.press("priv:yes")
        await user.sends_kind("photo")
    texts = [r["params"]["text"] for r in fake.sent if "text" in r.get("params", {})][1:]
    assert texts
    assert all(SCRIPT["ti"].search(text) for text in texts)


async def test_command_menus_are_set_per_language(fake: FakeTelegram, core: Core) -> None:
    async with running_bot(fake, core):
        await fake.wait_for(lambda: len(fake.commands) == len(language_codes()) + 1)
    menus = {lang: [c["description"] for c in cmds] for (_, lang), cmds in fake.commands.items()}
    assert set(menus) == {"", *language_codes()}
    assert menus["nl"] != menus["en"] and menus["ar"] != menus["ti"]
    assert visible("ar", "Help and emergency numbers") in menus["ar"]


async def test_restart_mid_onboarding_continues_at_the_same_step(
    fake: FakeTelegram, settings: Settings
) -> None:
    user = TgUser(fake, 504)
    first_db = Database(settings.database_url)
    async with running_bot(fake, build_core(settings, first_db, clock=lambda: FIXED_NOW)):
        await user.send("/start")
        await user.press("lang:ar")
        await user.press("priv:yes")
        await user.press("ob:role:newcomer")
    second_db = Database(settings.database_url)  # a new Application, the same database file
    async with running_bot(fake, build_core(settings, second_db, clock=lambda: FIXED_NOW)):
        await user.send("/start")
        assert visible("ar", "Which fits you best?") in user.screen()[-1]
        await user.press("ob:sit:refugee")
        assert visible("ar", "Do children under 18 live with you?") in user.screen()[-1]
        await user.press("ob:kids:yes")
        assert visible("ar", "In which municipality (gemeente) do you live? Type its name, "
                             "for example: Utrecht.") in user.screen()[-1]


async def test_command_menu_lists_everyday_commands_first(
    fake: FakeTelegram, core: Core
) -> None:
    async with running_bot(fake, core):
        await fake.wait_for(lambda: len(fake.commands) == len(language_codes()) + 1)
    commands = next(cmds for (_, lang), cmds in fake.commands.items() if lang == "nl")
    assert [c["command"] for c in commands][:3] == ["menu", "steps", "help"]


@pytest.mark.parametrize("code", ["nl", "ar", "ti"])
async def test_the_privacy_notice_is_short_first_and_whole_one_tap_away(
    fake: FakeTelegram, core: Core, code: str
) -> None:
    user = TgUser(fake, 520)
    async with running_bot(fake, core):
        await user.send("/start")
        await user.press(f"lang:{code}")
        first = user.screen()[-1]
        short = [label for label, _ in user.last_buttons()]
        await user.press("priv:more")
        whole = user.screen()[-1]
        await user.press("priv:yes")
    assert visible(code, "📄 Read more") in short and visible(code, "✅ I agree") in short
    assert len(first) < len(whole) * 0.6  # the summary, then the whole notice
    assert visible(code, "Do you agree?") in whole
    assert visible(code, "Who are you?") in user.transcript()[-1]
