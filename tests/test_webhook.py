"""Webhook mode in this process: the real PTB Application behind Starlette and uvicorn, fed
by the fake Bot API's webhook posts (and by the test's own requests, forged or repeated)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import select

from bot.core.engine import Core
from bot.storage.models import InboxUpdate
from bot.telegram.webhook import SECRET_HEADER, WebhookService
from fakebot import FakeTelegram
from tests.databases import discard, sqlite_path
from tests.telegram import WEBHOOK_SECRET, TgUser, running_webhook, visible, watch_of


def webhook_url(service: WebhookService) -> str:
    """Where the running service takes Telegram's posts."""
    return f"http://127.0.0.1:{service.port}/telegram"


async def post(url: str, body: bytes | str, secret: str | None) -> int:
    """One POST as Telegram (or someone pretending) would make it; the status."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with aiohttp.ClientSession() as client, client.post(
            url, data=body, headers=headers) as answer:
        return answer.status


def an_update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    """A private text message as Telegram posts it."""
    person = {"id": user_id, "is_bot": False, "first_name": "Test"}
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 1_765_000_000, "text": text,
        "from": person, "chat": {"id": user_id, "type": "private", "first_name": "Test"},
        **({"entities": [{"type": "bot_command", "offset": 0, "length": len(text)}]}
           if text.startswith("/") else {})}}


async def inbox_rows(core: Core) -> list[InboxUpdate]:
    """Every row of the inbox."""
    async with core.db.session() as session:
        return list(await session.scalars(select(InboxUpdate).order_by(InboxUpdate.update_id)))


async def test_requests_without_the_secret_or_with_a_broken_body_change_nothing(
    fake: FakeTelegram, core: Core,
) -> None:
    """No secret or a wrong one: 403; not an update: 400; nothing stored, nobody answered."""
    await fake.add_chat(77)
    async with running_webhook(fake, core) as service:
        url = webhook_url(service)
        body = json.dumps(an_update(5, 77, "/start"))
        assert await post(url, body, None) == 403
        assert await post(url, body, "wrong") == 403
        assert await post(url, body, WEBHOOK_SECRET[:-1]) == 403
        for broken in ("not json", "[]", '{"update_id": "5"}', '{"message": {}}',
                       '{"update_id": 6, "message": {"text": 3}}'):
            assert await post(url, broken, WEBHOOK_SECRET) == 400, broken
        user = TgUser(fake, 78)
        await user.send("/start")  # through the fake's webhook, with the secret
        assert user.last_buttons()[0] == ("Nederlands", "lang:nl")
        assert [row.update_id for row in await inbox_rows(core)] == [
            fake.webhook_posts[-1]["update_id"]]
    assert fake.messages(77) == []
    assert {int(r["params"]["chat_id"]) for r in fake.sent if "chat_id" in r["params"]} == {78}


async def test_an_update_sent_twice_is_handled_once(fake: FakeTelegram, core: Core) -> None:
    """Telegram re-sends an update whose answer it missed: stored once, answered once."""
    await fake.add_chat(81)
    async with running_webhook(fake, core) as service:
        url = webhook_url(service)
        body = json.dumps(an_update(7, 81, "/start"))
        statuses = await asyncio.gather(*(post(url, body, WEBHOOK_SECRET) for _ in range(3)))
        assert statuses == [200, 200, 200]
        await watch_of(fake).handled(7, 81, 0)
        user = TgUser(fake, 81)
        await user.press("lang:en")  # after the /start in this chat's order
        assert await post(url, body, WEBHOOK_SECRET) == 200  # again, once it was handled
        await user.press("priv:yes")
        rows = await inbox_rows(core)
    pickers = [text for text in user.transcript() if "Choose your language" in text]
    assert len(pickers) == 1, user.transcript()
    assert visible("en", "Who are you?") in user.screen()[-1]
    assert (rows[0].update_id, rows[0].state, rows[0].attempts) == (7, "done", 1)
    assert all(row.state == "done" for row in rows)


async def test_healthz_reports_and_turns_away_while_stopping(
    fake: FakeTelegram, core: Core,
) -> None:
    async with running_webhook(fake, core) as service:
        await TgUser(fake, 91).send("/start")
        health = f"http://127.0.0.1:{service.port}/healthz"
        async with aiohttp.ClientSession() as client:
            async with client.get(health) as answer:
                assert answer.status == 200
                report = await answer.json()
            assert report["status"] == "ok"
            assert report["database"] == {"ok": True}
            assert report["scheduler"] == {"running": True}
            assert report["sender"] == {"running": True, "line": "up"}
            assert report["inbox"] == {"waiting": 0, "busy": 0, "oldest_age_seconds": 0.0,
                                       "running": True}
            service.routes.stopping = True  # what SIGTERM sets first
            async with client.get(health) as answer:
                assert (answer.status, (await answer.json())["status"]) == (503, "stopping")
            assert await post(webhook_url(service), json.dumps(an_update(9, 91, "hoi")),
                              WEBHOOK_SECRET) == 503
    assert 9 not in [row.update_id for row in await inbox_rows(core)]


async def test_healthz_is_503_when_the_database_is_gone(
    fake: FakeTelegram, core: Core, db_url: str,
) -> None:
    """The database vanishes under a running instance (PostgreSQL: dropped, its
    connections ended; SQLite: the file deleted): /healthz says so with 503."""
    async with running_webhook(fake, core) as service:
        health = f"http://127.0.0.1:{service.port}/healthz"
        await core.db.engine.dispose()
        if db_url.startswith("sqlite"):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_path(db_url)}{suffix}").unlink(missing_ok=True)
        else:
            discard(db_url)
        async with aiohttp.ClientSession() as client, client.get(health) as answer:
            report = await answer.json()
            assert (answer.status, report["status"]) == (503, "failing")
        assert report["database"]["ok"] is False
