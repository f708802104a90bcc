"""Setting up sponsor groups over the fake Bot API, the way people do it: invites and buttons."""

from __future__ import annotations

import re
from typing import Any

from fakebot import FakeTelegram
from tests.telegram import GroupChat, TgUser

ADMIN = 4242  # WEGWIJS_ADMIN_IDS in the test settings
CHAT = -100500


def token_in(calls: list[dict[str, Any]]) -> str:
    """The /start payload of the invite link the bot just showed."""
    text = " ".join(str(c["params"].get("text", "")) for c in calls)
    found = re.search(r"start=(i_[A-Za-z0-9_-]+)", text)
    assert found, f"no invite link in {text!r}"
    return found.group(1)


def group_id_in(user: TgUser) -> int:
    """The group id carried by the group page's buttons."""
    for _label, data in user.last_buttons():
        if data.startswith("g:l:"):
            return int(data.split(":")[2])
    raise AssertionError(f"no group page on screen: {user.screen()[-1:]}")


async def join(user: TgUser, token: str, code: str) -> list[dict[str, Any]]:
    """A new person opens an invite link, picks a language, consents, and joins."""
    await user.send(f"/start {token}")
    await user.press(f"lang:{code}")
    await user.press("priv:yes")
    return await user.press("inv:y")


async def set_up_group(fake: FakeTelegram) -> tuple[TgUser, int, str]:
    """Admin makes an organisation, a coordinator joins and creates a group; returns ids."""
    admin = TgUser(fake, ADMIN, first_name="Ada")
    coordinator = TgUser(fake, 501, first_name="Carla")
    await admin.send("/start")
    for data in ("lang:nl", "priv:yes", "ob:role:coordinator"):
        await admin.press(data)
    token = token_in(await admin.send("/neworg Samen Hier Utrecht"))
    await join(coordinator, token, "nl")
    await coordinator.press("g:h")
    await coordinator.press("g:n")
    await coordinator.send("Welkom Amira")
    await coordinator.send("Utrecht")
    await coordinator.press("ga:m:202612")
    await coordinator.press("ga:d:20261201")
    gid = group_id_in(coordinator)
    newcomer_token = token_in(await coordinator.press(f"g:i:{gid}:n"))
    await coordinator.press(f"g:o:{gid}")  # ⬅️ Back to the group page
    return coordinator, gid, newcomer_token


async def linked(fake: FakeTelegram, member: TgUser, gid: int, chat: GroupChat) -> None:
    """A member gets a code, adds the bot to the group chat and links it."""
    await member.press("g:h")
    calls = await member.press(f"g:c:{gid}")
    code = re.search(r"/link ([0-9A-F]{8})", calls[-1]["params"]["text"])
    assert code
    await fake.bot_added_to_group(chat.chat_id, "Welkom", by_user_id=member.user_id)
    await chat.send(member, f"/link {code.group(1)}")
    await chat.shows("Welkom Amira")
