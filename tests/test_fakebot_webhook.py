"""The fake Bot API's webhooks, against a small receiver of the test's own and the real PTB Bot:
secret header, per-chat order, retries, 409 for getUpdates, and the round-robin proxy."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import Conflict

from fakebot import FakeTelegram
from fakebot.polling import TOKEN
from fakebot.proxy import RoundRobinProxy
from fakebot.webhook import SECRET_HEADER

Answer = Callable[[dict[str, Any]], int]


class Receiver:
    """A webhook endpoint that records what it got and answers with `answer(update)`."""

    def __init__(self, answer: Answer | None = None, gate: int = 0) -> None:
        self.answer = answer or (lambda _update: 200)
        self.gate = gate  # hold every post until this many were open at once
        self._enough = asyncio.Event()
        self.got: list[tuple[dict[str, Any], str | None]] = []
        self.open = 0
        self.most_open = 0
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        """Record the update and the secret header; with a gate, answer once enough posts
        were open at once (or after two seconds, when they never will be)."""
        self.open += 1
        self.most_open = max(self.most_open, self.open)
        if self.open >= self.gate:
            self._enough.set()
        try:
            update = json.loads(await request.read())
            self.got.append((update, request.headers.get(SECRET_HEADER)))
            if self.gate:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._enough.wait(), 2.0)
            return web.Response(status=self.answer(update))
        finally:
            self.open -= 1


@asynccontextmanager
async def receiving(receiver: Receiver) -> AsyncIterator[str]:
    """Serve the receiver on a free loopback port; yields its URL."""
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        yield receiver.url
    finally:
        await runner.cleanup()


def bot_for(fake: FakeTelegram) -> Bot:
    """The real PTB Bot pointed at the fake."""
    return Bot(TOKEN, base_url=f"{fake.root_url}/bot")


async def test_set_webhook_posts_updates_with_the_secret_and_blocks_get_updates(
    fake: FakeTelegram,
) -> None:
    receiver = Receiver()
    async with receiving(receiver) as url, bot_for(fake) as bot:
        await bot.set_webhook(url, secret_token="s3cret_-X", max_connections=5,
                              allowed_updates=["message", "callback_query"])
        info = await bot.get_webhook_info()
        assert (info.url, info.max_connections, info.pending_update_count) == (url, 5, 0)
        with pytest.raises(Conflict):
            await bot.get_updates()
        await fake.user_sends(11, "hallo")
        await fake.wait_for(lambda: len(receiver.got) == 1, what="the post")
        update, secret = receiver.got[0]
        assert (update["message"]["text"], secret) == ("hallo", "s3cret_-X")
        await fake.wait_for(lambda: fake.pending_update_count == 0, what="the update taken")
        await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""
        await fake.user_sends(11, "weer")
        assert [u.message.text for u in await bot.get_updates() if u.message] == ["weer"]


async def test_a_chats_updates_go_one_at_a_time_and_chats_at_once(fake: FakeTelegram) -> None:
    """Per chat the next post only after the previous got its 2xx; chats overlap."""
    receiver = Receiver(gate=3)
    async with receiving(receiver) as url, bot_for(fake) as bot:
        await bot.set_webhook(url, secret_token="x")
        for round_ in range(4):
            for chat in (21, 22, 23):
                await fake.user_sends(chat, f"{chat}-{round_}")
        await fake.wait_for(lambda: len(receiver.got) == 12, what="twelve posts")
    for chat in (21, 22, 23):
        texts = [u["message"]["text"] for u, _ in receiver.got
                 if u["message"]["chat"]["id"] == chat]
        assert texts == [f"{chat}-{r}" for r in range(4)]
    assert receiver.most_open == 3  # one per chat, three chats at once


async def test_a_refused_post_is_sent_again_until_taken(fake: FakeTelegram) -> None:
    refusals = {"left": 2}

    def answer(_update: dict[str, Any]) -> int:
        if refusals["left"]:
            refusals["left"] -= 1
            return 503
        return 200

    receiver = Receiver(answer)
    async with receiving(receiver) as url, bot_for(fake) as bot:
        await bot.set_webhook(url, secret_token="x")
        await fake.user_sends(31, "een")
        await fake.user_sends(31, "twee")
        await fake.wait_for(lambda: fake.pending_update_count == 0, what="both taken")
    texts = [u["message"]["text"] for u, _ in receiver.got]
    assert texts == ["een", "een", "een", "twee"]  # "twee" waited for "een" to be taken
    assert [p.get("status") for p in fake.webhook_posts] == [503, 503, 200, 200]


async def test_deliver_to_and_the_round_robin_proxy(fake: FakeTelegram) -> None:
    first, second = Receiver(), Receiver()
    async with receiving(first) as one, receiving(second) as two, bot_for(fake) as bot:
        base = one.removesuffix("/hook"), two.removesuffix("/hook")
        async with RoundRobinProxy(list(base)) as proxy:
            await bot.set_webhook("https://bot.example.org/hook", secret_token="x")
            fake.deliver_to(f"{proxy.url}/hook")
            for number in range(6):
                await fake.user_sends(41, f"m{number}")
            await fake.wait_for(lambda: fake.pending_update_count == 0, what="all taken")
    assert [index for index, _ in proxy.forwarded] == [0, 1, 0, 1, 0, 1]
    assert [u["message"]["text"] for u, _ in first.got] == ["m0", "m2", "m4"]
    assert [u["message"]["text"] for u, _ in second.got] == ["m1", "m3", "m5"]
