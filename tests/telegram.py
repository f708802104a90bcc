"""Running the real Wegwijs PTB Application against the fake Bot API, and a user who talks to it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import TypeHandler

from bot.config import Webhook
from bot.core.engine import Core
from bot.core.outbox import Lane
from bot.storage import outbox
from bot.telegram.app import PTBApplication, build_application
from bot.telegram.webhook import WebhookService, listen
from fakebot import FakeTelegram, buttons, check_telegram_html
from fakebot.polling import TOKEN, polling
from tests.chat import onboarding_presses, said

AFTER_THE_BOT = 1  # PTB handler group that runs once the bot's own (group 0) has finished
TURN_TIMEOUT = 15.0  # seconds a turn may take before the test fails (a loaded CI machine)
# Seconds `python main.py` may take to start: ~10 s of CPU (content, text models), far
# longer when the suite's workers and other jobs share a few cores.
PROCESS_STARTUP = 90.0
WEBHOOK_SECRET = "test-secret_0123456789"
BOT_OUTPUT = {"sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery",
              "sendDocument", "sendVenue"}


class Watch:
    """Which updates the running bot has finished with, so a test waits for that event
    (and for the messages they queued) instead of for a quiet spell of guessed length."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.finished: set[int | str] = set()
        self._changed = asyncio.Event()

    async def record(self, update: Update, _context: object) -> None:
        """Runs in a handler group after the bot's own, so the update was fully handled."""
        self.finished.add(update.update_id)
        if update.callback_query is not None:
            self.finished.add(update.callback_query.id)
        self._changed.set()
        self._changed = asyncio.Event()

    async def handled(self, key: int | str, _chat_id: int, _start: int) -> None:
        """Until the update (by update id, or callback query id) went through every handler."""
        async with asyncio.timeout(TURN_TIMEOUT):
            while key not in self.finished:
                await self._changed.wait()
        await self.delivered()

    async def delivered(self) -> None:
        """Until the outbox owes nothing that is due now (broadcasts aside: they take long)."""
        async with asyncio.timeout(TURN_TIMEOUT):
            while await self._owed():
                await asyncio.sleep(0.01)

    async def _owed(self) -> int:
        async with self.core.db.session() as session:
            return await outbox.owed(session, self.core.clock(), below_lane=Lane.BROADCAST)


class Quiet:
    """For a bot in another process, which the test cannot hook into: its answer in the chat,
    then a quiet spell (only the few tests that start `python main.py` wait like this)."""

    SPELL = 0.4  # seconds without output in the chat after which the turn counts as done

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake

    async def handled(self, _key: int | str, chat_id: int, start: int) -> None:
        """Until something came back in this chat and then nothing more for a while."""
        await self.fake.wait_for(lambda: bool(outputs(self.fake, chat_id, start)),
                                 TURN_TIMEOUT, what="an answer from the bot")
        seen, quiet = -1, 0.0
        while quiet < self.SPELL:
            if seen != len(outputs(self.fake, chat_id, start)):
                seen, quiet = len(outputs(self.fake, chat_id, start)), 0.0
            await asyncio.sleep(self.SPELL / 8)
            quiet += self.SPELL / 8


_WATCHES: dict[int, Watch | Quiet] = {}  # id(fake) -> how to know the bot is done with a turn


@asynccontextmanager
async def running_bot(fake: FakeTelegram, core: Core) -> AsyncIterator[PTBApplication]:
    """Start Wegwijs as run_polling would (post_init included) and stop it cleanly."""
    app = build_application(core, TOKEN, fake.root_url)
    watch = Watch(core)
    app.add_handler(TypeHandler(Update, watch.record), group=AFTER_THE_BOT)
    _WATCHES[id(fake)] = watch
    try:
        async with polling(app):
            yield app
    finally:
        _WATCHES.pop(id(fake), None)


@asynccontextmanager
async def running_webhook(fake: FakeTelegram, core: Core, lease: timedelta = timedelta(
        seconds=60)) -> AsyncIterator[WebhookService]:
    """Start Wegwijs in webhook mode in this process (on a free port) and stop it cleanly."""
    app = build_application(core, TOKEN, fake.root_url, webhook=True)
    watch = Watch(core)
    app.add_handler(TypeHandler(Update, watch.record), group=AFTER_THE_BOT)
    sock = listen("127.0.0.1", 0)
    port = int(sock.getsockname()[1])
    config = Webhook(f"http://127.0.0.1:{port}/telegram", "127.0.0.1", port, WEBHOOK_SECRET,
                     lease)
    service = WebhookService(app, core, config, sock)
    running = asyncio.create_task(service.run())
    _WATCHES[id(fake)] = watch
    try:
        await fake.wait_for(lambda: fake.webhook is not None or running.done(),
                            TURN_TIMEOUT, what="the webhook to be set")
        if running.done():
            await running  # it failed to start: raise why
        yield service
    finally:
        _WATCHES.pop(id(fake), None)
        service.stop()
        await running


@contextmanager
def watching_process(fake: FakeTelegram) -> Iterator[None]:
    """Turns against a bot that runs as a separate process end on a quiet spell."""
    _WATCHES[id(fake)] = Quiet(fake)
    try:
        yield
    finally:
        _WATCHES.pop(id(fake), None)


def watch_of(fake: FakeTelegram) -> Watch | Quiet:
    """The bot running against this fake (tests drive users only while one runs)."""
    found = _WATCHES.get(id(fake))
    assert found is not None, "no bot is running against this fake (use running_bot)"
    return found


def outputs(fake: FakeTelegram, chat_id: int, start: int) -> list[dict[str, Any]]:
    """The bot's calls since `start` that one chat sees (not other chats' traffic)."""
    return [r for r in fake.sent[start:] if r["method"] in BOT_OUTPUT and (
        r["method"] == "answerCallbackQuery" or r["params"].get("chat_id") is None
        or int(r["params"]["chat_id"]) == chat_id)]


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

    async def _turn(self, action: Awaitable[dict[str, Any] | str]) -> list[dict[str, Any]]:
        """Do something, then wait until the bot handled it and sent what it owes."""
        start = len(self.fake.sent)
        pushed = await action
        key = pushed if isinstance(pushed, str) else int(pushed["update_id"])
        await watch_of(self.fake).handled(key, self.user_id, start)
        return outputs(self.fake, self.user_id, start)


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
        """Press a button and wait until the bot has handled it and sent what it owes."""
        start = len(self.fake.sent)
        query = await self.press_now(user, data)
        await watch_of(self.fake).handled(query, self.chat_id, start)
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
