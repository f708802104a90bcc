"""The dashboard without a browser: its settings, and in webhook mode its routes on the
webhook's own server (next to the webhook and /healthz); one login link works once."""

from __future__ import annotations

import asyncio
import re
import socket
from pathlib import Path

import aiohttp
import pytest

from bot.app import Content
from bot.config import ConfigError, Webhook, load_settings
from bot.core import dashboard as login_links
from bot.core.engine import Core
from bot.storage import dashboard as repo
from bot.storage.models import User
from bot.telegram.app import build_application
from bot.telegram.webhook import WebhookService
from bot.web.server import routes, standalone
from fakebot import FakeTelegram
from fakebot.polling import TOKEN
from tests.telegram import TURN_TIMEOUT, WEBHOOK_SECRET

HOOK = "https://bot.example.org/telegram"


def test_the_dashboard_is_off_unless_configured(tmp_path: Path) -> None:
    none = tmp_path / "none.env"
    assert load_settings({}, env_file=none).dashboard is None
    own = load_settings({"WEGWIJS_DASHBOARD_LISTEN": "127.0.0.1:8080"}, env_file=none)
    assert own.dashboard is not None
    assert (own.dashboard.url, own.dashboard.path, own.dashboard.secure) == (
        "http://127.0.0.1:8080", "", False)
    shared = load_settings({"WEGWIJS_WEBHOOK_URL": HOOK, "WEGWIJS_WEBHOOK_SECRET": "s",
                            "WEGWIJS_DASHBOARD_URL": "https://bot.example.org/dashboard/"},
                           env_file=none).dashboard
    assert shared is not None
    assert (shared.path, shared.secure, shared.port) == ("/dashboard", True, None)


@pytest.mark.parametrize(("env", "variable"), [
    ({"WEGWIJS_DASHBOARD_URL": "https://x.example/d"}, "WEGWIJS_DASHBOARD_LISTEN"),
    ({"WEGWIJS_DASHBOARD_LISTEN": "8080"}, "WEGWIJS_DASHBOARD_LISTEN"),
    ({"WEGWIJS_DASHBOARD_LISTEN": "127.0.0.1:1", "WEGWIJS_DASHBOARD_URL": "x.example"},
     "WEGWIJS_DASHBOARD_URL"),
])
def test_dashboard_settings_refuse_to_start_naming_the_variable(
    tmp_path: Path, env: dict[str, str], variable: str,
) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(env, env_file=tmp_path / "none.env")
    assert variable in str(error.value)


async def test_in_webhook_mode_the_dashboard_shares_the_webhooks_server(
    fake: FakeTelegram, core: Core, content: Content,
) -> None:
    """/healthz and the dashboard answer on one port; a login link logs in once."""
    app = build_application(core, TOKEN, fake.root_url, webhook=True)
    sock = socket.create_server(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    config = Webhook(f"http://127.0.0.1:{port}/telegram", "127.0.0.1", port, WEBHOOK_SECRET)
    dashboard = load_settings({"WEGWIJS_WEBHOOK_URL": config.url,
                               "WEGWIJS_WEBHOOK_SECRET": WEBHOOK_SECRET,
                               "WEGWIJS_DASHBOARD_URL": f"http://127.0.0.1:{port}/dashboard"},
                              env_file=Path("absent.env")).dashboard
    assert dashboard is not None
    service = WebhookService(app, core, config, sock,
                             routes(core, dashboard, lambda: None, content.journeys))
    running = asyncio.create_task(service.run())
    try:
        await fake.wait_for(lambda: fake.webhook is not None, TURN_TIMEOUT, what="the webhook")
        async with core.db.session() as session:
            person = User(telegram_id=4242, locale="en", state="menu", first_name="Ada")
            session.add(person)
            await session.flush()
            token = await login_links.issue(session, person, core.clock())
        root = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as client:
            async with client.get(f"{root}/healthz") as health:
                assert health.status in (200, 503)  # it answers; healthy or not is its own
            async with client.get(f"{root}/dashboard/") as home:
                assert home.status == 200
                assert "/dashboard" in await home.text()
                assert "default-src 'self'" in home.headers["content-security-policy"]
            async with client.post(f"{root}/dashboard/login", data={"token": token},
                                   allow_redirects=False) as login:
                assert login.status == 303
                cookie = login.headers["set-cookie"]
                assert re.search(r"(?i)httponly", cookie) and re.search(r"(?i)samesite=strict",
                                                                        cookie)
                assert "Path=/dashboard" in cookie and "Max-Age=43200" in cookie
            async with client.post(f"{root}/dashboard/login", data={"token": token},
                                   allow_redirects=False) as again:
                assert again.status == 400
    finally:
        service.stop()
        await running


async def test_wrong_login_links_are_slowed_down(core: Core, content: Content) -> None:
    """Ten wrong links from one place: then 429, also for a good one, and nothing used."""
    sock = socket.create_server(("127.0.0.1", 0))
    root = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = load_settings({"WEGWIJS_DASHBOARD_LISTEN": root.removeprefix("http://")},
                           env_file=Path("absent.env")).dashboard
    assert config is not None
    server = standalone(routes(core, config, lambda: None, content.journeys), sock)
    server.start()
    async with core.db.session() as session:
        person = User(telegram_id=4242, locale="nl", state="menu", first_name="Ada")
        session.add(person)
        await session.flush()
        token = await login_links.issue(session, person, core.clock())
    try:
        async with aiohttp.ClientSession() as client:
            for attempt in range(10):
                async with client.get(f"{root}/login/wrong{attempt:017d}") as wrong:
                    assert wrong.status == 400
            async with client.get(f"{root}/login/{token}") as good:
                assert good.status == 429
            async with client.post(f"{root}/login", data={"token": token}) as pressed:
                assert pressed.status == 429
    finally:
        await server.stop()
    async with core.db.session() as session:
        assert await repo.login_valid(session, login_links.hash_token(token), core.clock())
