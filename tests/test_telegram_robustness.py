"""Bad input and Telegram errors over the real PTB stack: kind answers, never a traceback."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.core.engine import Core
from bot.telegram.delivery import REPLY_TRIES
from fakebot import FakeTelegram
from tests.telegram import TgUser, running_bot, visible

MEDIA_ANSWER = "I can only read text and buttons, not photos, voice messages or files."


@pytest.mark.parametrize("kind", ["photo", "voice", "sticker", "location", "document", "contact"])
async def test_media_gets_a_kind_answer(fake: FakeTelegram, core: Core, kind: str) -> None:
    user = TgUser(fake, 601)
    async with running_bot(fake, core):
        await user.onboard("ar")
        calls = await user.sends_kind(kind)
    assert visible("ar", MEDIA_ANSWER) in calls[0]["result"]["text"]
    assert calls[-1]["params"].get("reply_markup")  # and the menu again, to carry on


async def test_edited_message_and_unknown_command(fake: FakeTelegram, core: Core) -> None:
    user = TgUser(fake, 602)
    async with running_bot(fake, core):
        await user.onboard("nl")
        sent = await fake.user_sends(602, "hallo")
        await user.edits(sent["message"]["message_id"], "hallo daar")
        await user.send("/doesnotexist")
    transcript = "\n".join(user.transcript())
    assert visible("nl", "I only read new messages. If you changed something, please send it "
                         "again.") in transcript
    unknown = "I do not know that command. Send /help to see what I can do."
    assert visible("nl", unknown) in transcript


async def test_stale_and_forged_buttons(fake: FakeTelegram, core: Core) -> None:
    user = TgUser(fake, 603)
    async with running_bot(fake, core):
        await user.send("/start")
        await user.press("lang:ti")
        skip = await user.forge("ob:arr:2026-10")  # skipping ahead is refused
        garbage = await user.forge("\u202e" + "x" * 40)
    for calls in (skip, garbage):
        answer = calls[0]
        assert answer["method"] == "answerCallbackQuery"
        assert answer["params"]["text"] == visible("ti", "This button is no longer active.")
    assert visible("ti", "Do you agree?") in user.screen()[-1]


async def test_unlinked_group_hears_only_how_to_link(fake: FakeTelegram, core: Core) -> None:
    async with running_bot(fake, core):
        await fake.bot_added_to_group(-1001, "Samen Hier Utrecht", by_user_id=604)
        await fake.user_sends(604, "/start", chat_id=-1001)
        await fake.user_sends(604, "hello group", chat_id=-1001)
        user = TgUser(fake, 605)
        await user.send("/start")  # a private chat afterwards is answered: nothing got stuck
    texts = [m["text"] for m in fake.messages(-1001)]
    assert len(texts) == 1 and "/link" in texts[0]  # a greeting; /start and chatter: silence


async def test_user_text_is_escaped(fake: FakeTelegram, core: Core) -> None:
    user = TgUser(fake, 606)
    async with running_bot(fake, core):
        await user.send("/start")
        for data in ("lang:en", "priv:yes", "ob:role:newcomer", "ob:sit:other", "ob:kids:no"):
            await user.press(data)
        calls = await user.send("<b>Xyzzy</b> & <i>qq")
    assert "&lt;b&gt;Xyzzy&lt;/b&gt; &amp; &lt;i&gt;qq" in calls[0]["params"]["text"]
    assert not fake.failures


async def test_blocked_user_does_not_stop_others(
    fake: FakeTelegram, core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(fake, core):
        blocked = TgUser(fake, 607)
        await blocked.send("/start")
        await fake.block_bot(607)
        await fake.user_sends(607, "/help")
        other = TgUser(fake, 608)
        await other.send("/start")
    assert any("Forbidden" in r.getMessage() for r in caplog.records)
    assert len(other.screen()) == 1


async def test_a_reply_that_outlasts_its_tries_is_kept_and_sent_once_without_text_in_the_log(
    fake: FakeTelegram, core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    user = TgUser(fake, 609)
    async with running_bot(fake, core):
        await user.onboard("ar")
        before = len(user.screen())
        # Every try of the reply fails (a shorter outage is retried: tests/test_faults.py).
        fake.inject_error("sendMessage", 500, "Internal Server Error", chat_id=609,
                          times=REPLY_TRIES)
        await fake.user_sends(609, "my private words about my asylum case")
        await fake.wait_for(lambda: len(user.screen()) > before, 15, what="the kept reply")
        await asyncio.sleep(0.5)  # a second copy would come now
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "reply failed" in logged and "replies kept for later: 1" in logged
    assert "asylum" not in logged
    assert len(user.screen()) == before + 1 and len(fake.failures) == REPLY_TRIES
    apology = "Sorry, something went wrong on my side. Please try again."
    assert visible("ar", apology) not in user.transcript()


async def test_rate_limited_reply_is_retried_not_lost(fake: FakeTelegram, core: Core) -> None:
    user = TgUser(fake, 610)
    async with running_bot(fake, core):
        fake.inject_error("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
        started = time.monotonic()
        await user.send("/start")
        await fake.wait_for(lambda: len(user.screen()) == 1, timeout=10)
        waited = time.monotonic() - started
    assert waited >= 1.0
    assert [label for label, _ in user.last_buttons()][3] == "العربية"


async def test_one_busy_chat_does_not_hold_up_another(fake: FakeTelegram, core: Core) -> None:
    busy, other = TgUser(fake, 611), TgUser(fake, 612)
    async with running_bot(fake, core):
        await busy.send("/start")
        await other.send("/start")
        fake.slow_down(0.3, chat_id=611)  # each answer to the busy chat takes 300 ms
        for _ in range(15):
            await fake.user_sends(611, "/start")
        await fake.wait_for(lambda: len(busy.screen()) >= 2, 5,
                            what="the busy chat's first answer in flight")
        started = time.monotonic()
        await fake.user_sends(612, "/start")
        await fake.wait_for(lambda: len(other.screen()) == 2, 5, what="the other chat's answer")
        waited = time.monotonic() - started
        assert len(busy.screen()) < 16, "the busy chat was already done: nothing was tested"
    assert waited < 1.0
