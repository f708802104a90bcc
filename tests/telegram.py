"""Running the real Wegwijs PTB Application against the fake Bot API, and a user who talks to it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from bot.core.engine import Core
from bot.telegram.app import PTBApplication, build_application
from fakebot import FakeTelegram, buttons, check_telegram_html
from fakebot.polling import polling
from tests.chat import onboarding_presses, said

TOKEN = "123456:TEST"
SETTLE = 0.08  # seconds without new bot calls after which a turn counts as answered
# A pressed button is answered first and its message follows; on a loaded machine the gap
# can pass SETTLE, so after a bare answer the turn gets longer to finish.
SETTLE_AFTER_ANSWER = 0.4
BOT_OUTPUT = {"sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery",
              "sendDocument"}


@asynccontextmanager
async def running_bot(fake: FakeTelegram, core: Core) -> AsyncIterator[PTBApplication]:
    """Start Wegwijs as run_polling would (post_init included) and stop it cleanly."""
    app = build_application(core, TOKEN, fake.root_url)
    async with polling(app):
        yield app


def visible(code: str, message: str) -> str:
    """A catalog message as the user reads it on screen (HTML tags gone)."""
    return check_telegram_html(said(code, message))


@dataclass
class TgUser:
    """A person in a private chat with the bot, on the fake Telegram."""

    fake: FakeTelegram
    user_id: int
    language_code: str | None = None
    first_name: str = "Test"

    async def send(self, text: str) -> list[dict[str, Any]]:
        """Type a message; returns the bot's calls in answer."""
        return await self._turn(self.fake.user_sends(self.user_id, text,
                                                     language_code=self.language_code,
                                                     first_name=self.first_name))

    async def reply(self, message_id: int, text: str) -> list[dict[str, Any]]:
        """Answer one of the bot's messages with Telegram's Reply."""
        return await self._turn(self.fake.user_sends(self.user_id, text, reply_to=message_id,
                                                     first_name=self.first_name))

    async def press(self, data: str) -> list[dict[str, Any]]:
        """Press the newest button with this callback data."""
        return await self._turn(self.fake.user_presses(self.user_id, self._holder(data), data))

    async def onboard(self, code: str = "en", situation: str = "refugee",
                      children: str = "no") -> None:
        """/start and a complete newcomer onboarding that skips the optional questions."""
        await self.send("/start")
        for data in onboarding_presses(code, situation, children):
            await self.press(data)

    async def forge(self, data: str) -> list[dict[str, Any]]:
        """Press a button that is not on the message (old or forged callback data)."""
        message = self.fake.messages(self.user_id)[-1]
        return await self._turn(self.fake.user_presses(self.user_id, message, data))

    async def sends_kind(self, kind: str) -> list[dict[str, Any]]:
        """Send a photo, voice note, sticker, location, document or contact."""
        return await self._turn(self.fake.user_sends_kind(self.user_id, kind))

    async def edits(self, message_id: int, text: str) -> list[dict[str, Any]]:
        """Edit an earlier message of theirs."""
        return await self._turn(self.fake.user_edits(self.user_id, message_id, text))

    def screen(self) -> list[str]:
        """The visible texts of the bot's messages in this chat, oldest first, after edits."""
        return [str(m.get("text", "")) for m in self.fake.messages(self.user_id)]

    def transcript(self) -> list[str]:
        """Every text the bot sent or edited into this chat, in order (what the user saw)."""
        return [
            check_telegram_html(str(r["params"]["text"])) for r in self.fake.sent
            if r["method"] in {"sendMessage", "editMessageText"}
            and int(r["params"]["chat_id"]) == self.user_id
        ]

    def last_buttons(self) -> list[tuple[str, str]]:
        """(label, data) of the newest message with buttons."""
        for message in reversed(self.fake.messages(self.user_id)):
            if buttons(message):
                return buttons(message)
        return []

    def _holder(self, data: str) -> dict[str, Any]:
        for message in reversed(self.fake.messages(self.user_id)):
            if any(d == data for _, d in buttons(message)):
                return message
        raise AssertionError(f"no button {data!r} on screen: {self.screen()}")

    async def _turn(self, action: Any) -> list[dict[str, Any]]:
        start = len(self.fake.sent)
        await action
        await self.fake.wait_for(lambda: self._answered(start), what="an answer from the bot")
        return await self._settled(start)

    def _answered(self, start: int) -> bool:
        return bool(self._outputs(start))

    def _outputs(self, start: int) -> list[dict[str, Any]]:
        """The bot's calls since `start` that this person sees (not other chats' traffic)."""
        return [r for r in self.fake.sent[start:] if r["method"] in BOT_OUTPUT and (
            r["method"] == "answerCallbackQuery" or r["params"].get("chat_id") is None
            or int(r["params"]["chat_id"]) == self.user_id)]

    async def _settled(self, start: int) -> list[dict[str, Any]]:
        seen, quiet = -1, 0.0
        while quiet < self._quiet_needed(start):
            if seen != len(self._outputs(start)):
                seen, quiet = len(self._outputs(start)), 0.0
            await asyncio.sleep(SETTLE / 4)
            quiet += SETTLE / 4
        return self._outputs(start)

    def _quiet_needed(self, start: int) -> float:
        outputs = [r["method"] for r in self._outputs(start)]
        return SETTLE_AFTER_ANSWER if outputs[-1:] == ["answerCallbackQuery"] else SETTLE


@dataclass
class GroupChat:
    """A Telegram group chat on the fake server, where several people act."""

    fake: FakeTelegram
    chat_id: int

    async def send(self, user: TgUser, text: str) -> None:
        """A member writes in the group (commands reach the bot)."""
        await self.fake.user_sends(user.user_id, text, chat_id=self.chat_id,
                                   first_name=user.first_name)

    async def reply(self, user: TgUser, message_id: int, text: str) -> None:
        """A member answers one of the bot's messages with Telegram's Reply."""
        await self.fake.user_sends(user.user_id, text, chat_id=self.chat_id, reply_to=message_id,
                                   first_name=user.first_name)

    def message_with(self, fragment: str) -> int:
        """The id of the newest bot message containing `fragment`."""
        return next(int(m["message_id"]) for m in reversed(self.fake.messages(self.chat_id))
                    if fragment in str(m.get("text", "")))

    async def press(self, user: TgUser, data: str) -> str:
        """Press a button and wait until the bot has answered it and gone quiet."""
        start = len(self.fake.sent)
        query = await self.press_now(user, data)
        await self.fake.next_callback_answer(query)
        seen = -1
        while seen != len(self.fake.sent) or seen == start:
            seen = len(self.fake.sent)
            await asyncio.sleep(SETTLE)
        return query

    async def press_now(self, user: TgUser, data: str) -> str:
        """A member presses a button on the newest group message that has it (no waiting)."""
        for message in reversed(self.fake.messages(self.chat_id)):
            if any(d == data for _, d in buttons(message)):
                return await self.fake.user_presses(user.user_id, message, data)
        raise AssertionError(f"no button {data!r} in the group chat: {self.texts()}")

    async def press_stale(self, user: TgUser, prefix: str, data: str) -> str:
        """Press `data` on the message starting with `prefix`, as an old copy of it still had."""
        message = next(m for m in reversed(self.fake.messages(self.chat_id))
                       if str(m.get("text", "")).startswith(prefix))
        return await self.fake.user_presses(user.user_id, message, data)

    def texts(self) -> list[str]:
        """The group chat's bot messages as they are now (after edits)."""
        return [str(m.get("text", "")) for m in self.fake.messages(self.chat_id)]

    def calls(self) -> list[dict[str, Any]]:
        """Every message the bot put into or edited in this chat."""
        return [r for r in self.fake.sent if r["method"] in {"sendMessage", "editMessageText"}
                and int(r["params"]["chat_id"]) == self.chat_id]

    async def shows(self, fragment: str, timeout: float = 8.0) -> None:
        """Wait until some message in the chat contains `fragment`."""
        await self.fake.wait_for(lambda: any(fragment in t for t in self.texts()), timeout,
                                 what=f"{fragment!r} in the group chat")
