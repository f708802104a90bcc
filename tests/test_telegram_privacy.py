"""Privacy over the fake Bot API: /mydata arrives as a JSON document, /delete erases, and a
flooding user is slowed down while another user is answered as usual."""

from __future__ import annotations

import asyncio
import json

from bot.core.engine import Core
from bot.storage import users
from fakebot import FakeTelegram
from tests.telegram import TgUser, running_bot, visible


async def test_mydata_sends_a_json_file_and_delete_erases(fake: FakeTelegram, core: Core) -> None:
    user = TgUser(fake, 31337, first_name="Hiwet")
    async with running_bot(fake, core):
        await user.onboard("ti")
        calls = await user.send("/mydata")
        sent = next(c for c in calls if c["method"] == "sendDocument")
        upload = fake.upload(sent["result"])
        await user.send("/delete")
        erased = await user.press("priv:erase")
    data = json.loads(upload.data.decode("utf-8"))
    assert upload.filename == "wegwijs-my-data.json"
    assert data["profile"]["telegram_id"] == 31337 and data["profile"]["locale"] == "ti"
    assert data["consent_history"][0]["agreed"] is True
    assert visible("ti", "Your data has been deleted. Send /start if you want to use Wegwijs "
                         "again.") in " ".join(str(c["params"].get("text")) for c in erased)
    async with core.db.session() as session:
        assert await users.get_by_telegram_id(session, 31337) is None


async def test_a_flood_is_slowed_down_and_others_are_still_answered(
        fake: FakeTelegram, core: Core) -> None:
    flooder, calm = TgUser(fake, 4001), TgUser(fake, 4002)
    async with running_bot(fake, core):
        await calm.onboard("ar")
        for _ in range(30):  # all queued at once: PTB fetches them in one getUpdates
            await fake.user_sends(flooder.user_id, "/help")
        answer = await calm.send("/help")
        await fake.wait_for(lambda: len(fake.messages(4001)) >= 21, 10, what="21 replies")
        await asyncio.sleep(0.5)  # nothing more may arrive for the flooder
        to_flooder = [m.get("text", "") for m in fake.messages(4001)]
    assert answer, "the calm user got no answer"
    slow_down = visible("en", "You are sending messages very fast. Please wait half a minute, "
                              "then try again.")
    assert len(to_flooder) == 21 and to_flooder[-1] == slow_down
    assert slow_down not in to_flooder[:20]
