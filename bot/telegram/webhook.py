"""Webhook mode: a Starlette app on uvicorn takes Telegram's posts and answers /healthz.

Built as PTB's "custom webhook" example builds it (the Application without an Updater),
with what the example leaves out: the secret header is checked, an update is stored in
the inbox and committed before Telegram hears 200 (bot/telegram/inbox.py handles it
after), and a stop lets the updates in flight finish. The dashboard's routes (bot/web)
share the same server.

SIGTERM or SIGINT: new webhook posts get 503 (Telegram sends them again, to another
instance or to this one restarted), uvicorn stops listening and finishes the requests in
flight, the inbox workers finish the updates they hold, then the sender, the timer and the
database stop as in polling mode. The webhook stays registered: other instances serve on.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
import socket
from collections.abc import Generator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Update

from bot.config import Webhook
from bot.core.engine import Core
from bot.telegram.app import Background, PTBApplication
from bot.telegram.inbox import Inbox

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
MAX_BODY = 1_000_000  # bytes; an update is a few kilobytes
PING_TIMEOUT = 2.0  # seconds /healthz waits for the database
REQUEST_WAIT = 5  # seconds a stop waits for the requests in flight (they only store a row)


class Routes:
    """The webhook and /healthz; `stopping` turns both away during a graceful stop."""

    def __init__(self, application: PTBApplication, core: Core, inbox: Inbox,
                 secret: str) -> None:
        self.application, self.core, self.inbox = application, core, inbox
        self._secret = secret.encode()
        self.stopping = False

    async def webhook(self, request: Request) -> Response:
        """403 without the right secret, 400 for what is no update, 200 once it is stored."""
        if self.stopping:
            return PlainTextResponse("stopping", status_code=503)
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self._secret):
            return PlainTextResponse("forbidden", status_code=403)
        body = await _body(request)
        if body is None:
            return PlainTextResponse("too large", status_code=413)
        parsed = self._update(body)
        if parsed is None:
            return PlainTextResponse("not an update", status_code=400)
        try:
            await self.inbox.receive(*parsed)
        except Exception as exc:  # not stored: Telegram sends it again later
            log.error("update not stored: %s", type(exc).__name__,
                      extra={"error": type(exc).__name__})
            return PlainTextResponse("not stored", status_code=500)
        return Response(status_code=200)

    def _update(self, body: bytes) -> tuple[dict[str, Any], Update] | None:
        """The JSON and PTB's Update, or None for anything Telegram would not send."""
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or type(data.get("update_id")) is not int:
                return None
            return data, Update.de_json(data, self.application.bot)
        except Exception:  # malformed JSON or a shape PTB cannot read
            return None

    async def health(self, _request: Request) -> JSONResponse:
        """200 when this instance can do its work; 503 when not, or while stopping."""
        report: dict[str, Any] = {"instance": self.inbox.instance}
        database_ok = await self._database(report)
        background: Background = self.application.bot_data["background"]
        timer, line = background.timer, background.line
        report["scheduler"] = {"running": bool(timer and timer.scheduler.running)}
        report["sender"] = {"running": background.running and background.sender is not None,
                            "line": "up" if line is None or line.up else "down"}
        report["inbox"]["running"] = self.inbox.running
        healthy = (database_ok and not self.stopping and report["scheduler"]["running"]
                   and report["sender"]["running"] and self.inbox.running)
        report["status"] = "stopping" if self.stopping else "ok" if healthy else "failing"
        return JSONResponse(report, status_code=200 if healthy else 503)

    async def _database(self, report: dict[str, Any]) -> bool:
        """SELECT 1 and the inbox backlog, each within a short timeout."""
        try:
            await self.core.db.ping(PING_TIMEOUT)
            async with asyncio.timeout(PING_TIMEOUT):
                backlog = await self.inbox.backlog()
        except Exception as exc:
            report["database"] = {"ok": False, "error": type(exc).__name__}
            report["inbox"] = {}
            return False
        report["database"] = {"ok": True}
        oldest = backlog.oldest
        age = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
        report["inbox"] = {"waiting": backlog.waiting, "busy": backlog.busy,
                           "oldest_age_seconds": round(max(age, 0.0), 3)}
        return True


async def _body(request: Request) -> bytes | None:
    """The request's body, or None when it is larger than any update (not read whole)."""
    declared = request.headers.get("content-length", "0")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    body = await request.body()
    return body if len(body) <= MAX_BODY else None


def web_app(routes: Routes, path: str, more: Sequence[BaseRoute] = ()) -> Starlette:
    """The one web server of an instance: the webhook, /healthz, and `more` (the
    dashboard's routes, bot/web)."""
    return Starlette(routes=[
        Route(path, routes.webhook, methods=["POST"]),
        Route("/healthz", routes.health, methods=["GET"]),
        *more,
    ])


class Server(uvicorn.Server):
    """uvicorn, minus its own signal handling: it would re-raise SIGTERM once it stops
    serving and end the process before the inbox, the sender and the database stop."""

    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """Our stop (`serve_webhook`) handles SIGTERM and SIGINT."""
        yield


def listen(host: str, port: int) -> socket.socket:
    """Bound and listening before the webhook is registered: early posts wait in the
    backlog instead of being refused (raises OSError if the port is taken)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, reuse_port=False)


class WebhookService:
    """One instance in webhook mode: the PTB Application, the inbox and the web server."""

    def __init__(self, application: PTBApplication, core: Core, config: Webhook,
                 sock: socket.socket | None = None, more: Sequence[BaseRoute] = ()) -> None:
        self.application, self.config = application, config
        self.sock = sock or listen(config.host, config.port)
        self.inbox = Inbox(core, self._process, config.lease)
        self.routes = Routes(application, core, self.inbox, config.secret)
        self.server = Server(uvicorn.Config(web_app(self.routes, config.path, more),
                                            lifespan="off", log_config=None, access_log=False,
                                            timeout_graceful_shutdown=REQUEST_WAIT))

    @property
    def port(self) -> int:
        """The port it listens on (the configured one, or the one the system chose for 0)."""
        return int(self.sock.getsockname()[1])

    async def _process(self, data: dict[str, Any]) -> None:
        """One stored update through PTB's handlers (and its error handler)."""
        await self.application.process_update(Update.de_json(data, self.application.bot))

    async def run(self) -> None:
        """Start, register the webhook, serve until `stop`, then stop in order."""
        await self.application.initialize()
        try:
            await _start(self.application, self.inbox)
            await self.application.bot.set_webhook(
                self.config.url, secret_token=self.config.secret,
                allowed_updates=ALLOWED_UPDATES, max_connections=self.config.max_connections)
            if not self.routes.stopping:
                await self.server.serve(sockets=[self.sock])
        finally:
            self.routes.stopping = True
            self.sock.close()
            await _stop(self.application, self.inbox)

    def stop(self, force: bool = False) -> None:
        """Begin the graceful stop (`force`: do not wait for the requests in flight)."""
        self.routes.stopping = True
        self.server.should_exit = True
        self.server.force_exit = self.server.force_exit or force


async def serve_webhook(application: PTBApplication, core: Core, config: Webhook,
                        sock: socket.socket | None = None,
                        more: Sequence[BaseRoute] = ()) -> None:
    """Webhook mode until SIGTERM or SIGINT (a second SIGINT: without waiting); `more`
    routes share the server (the dashboard)."""
    service = WebhookService(application, core, config, sock, more)
    loop = asyncio.get_running_loop()

    def stop(signum: int) -> None:
        log.info("stopping (%s)", signal.Signals(signum).name)
        service.stop(force=service.routes.stopping and signum == signal.SIGINT)

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop, signum)
    try:
        await service.run()
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)


async def _start(application: PTBApplication, inbox: Inbox) -> None:
    """Migrations, the core's startup, the sender and the timer (post_init), then the
    inbox workers."""
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    inbox.start()


async def _stop(application: PTBApplication, inbox: Inbox) -> None:
    """The updates in flight first, then what polling mode stops too."""
    await inbox.stop()
    if application.running:
        await application.stop()
    if application.post_stop is not None:
        await application.post_stop(application)
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
