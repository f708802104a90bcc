"""Where the dashboard is served: on its own port beside long polling (a uvicorn server
started and stopped with the PTB Application), or on the webhook's server (webhook mode:
its routes are mounted next to the webhook's, bot/telegram/webhook.py)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Generator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from bot.config import Dashboard as DashboardConfig
from bot.core.engine import Core
from bot.core.journeys.schema import Journey
from bot.web.app import mounted
from bot.web.pages import build_pages
from bot.web.site import Dashboard

STOP_WAIT = 5  # seconds a stop waits for the requests in flight
PTBApp = Any  # telegram.ext.Application (this module stays free of the Telegram adapter)


def routes(core: Core, config: DashboardConfig, wake: Callable[[], None],
           journeys: dict[str, Journey]) -> list[BaseRoute]:
    """The dashboard's routes, to mount on a server."""
    return mounted(Dashboard(core, config, wake, journeys), build_pages())


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: PTB's run_polling stops the bot, and the
    bot's stop stops this server."""

    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """The bot handles SIGTERM and SIGINT."""
        yield


def listen(config: DashboardConfig) -> socket.socket:
    """Bound before the bot starts, so a taken port stops startup with a clear line."""
    assert config.host is not None and config.port is not None
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    return socket.create_server((config.host, config.port), family=family)


def standalone(routes: list[BaseRoute], sock: socket.socket) -> DashboardServer:
    """The dashboard's own server (polling mode)."""
    return DashboardServer(Starlette(routes=routes), sock)


class DashboardServer:
    """A uvicorn server of its own, for polling mode (no access log: URLs hold tokens)."""

    def __init__(self, app: Starlette, sock: socket.socket) -> None:
        self.sock = sock
        self.server = _Server(uvicorn.Config(
            app, lifespan="off", log_config=None, access_log=False,
            timeout_graceful_shutdown=STOP_WAIT))
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Serve in the background of the bot's event loop."""
        self._task = asyncio.create_task(self.server.serve(sockets=[self.sock]),
                                         name="dashboard")

    async def stop(self) -> None:
        """Finish the requests in flight, then stop listening."""
        self.server.should_exit = True
        if self._task is not None:
            await self._task
        self.sock.close()


def attach(application: PTBApp, server: DashboardServer) -> None:
    """Start the server after the bot's startup and stop it before the bot's stop."""
    started: Callable[[PTBApp], Awaitable[None]] | None = application.post_init
    stopping: Callable[[PTBApp], Awaitable[None]] | None = application.post_stop

    async def post_init(app: PTBApp) -> None:
        if started is not None:
            await started(app)
        server.start()

    async def post_stop(app: PTBApp) -> None:
        await server.stop()
        if stopping is not None:
            await stopping(app)

    application.post_init = post_init
    application.post_stop = post_stop
