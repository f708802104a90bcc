"""A round-robin reverse proxy on 127.0.0.1, as a test's load balancer in front of instances.

Request N goes to backend N mod k and its answer comes back unchanged; a backend that
cannot be reached gives 502, as a load balancer without health checks would.
"""

from __future__ import annotations

import itertools
from types import TracebackType
from typing import Final, Self

import aiohttp
from aiohttp import web

HOP_BY_HOP: Final = frozenset({"host", "connection", "keep-alive", "transfer-encoding",
                               "content-length"})


class RoundRobinProxy:
    """Forwards every request to the next backend in turn."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self.forwarded: list[tuple[int, int]] = []  # (backend index, status) per request
        self._turns = itertools.count()
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self._port: int | None = None

    @property
    def url(self) -> str:
        """http://127.0.0.1:<port>; the path of a request is passed on as it is."""
        assert self._port is not None, "the proxy is not running"
        return f"http://127.0.0.1:{self._port}"

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self._client = aiohttp.ClientSession()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, traceback: TracebackType | None) -> None:
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        """Pass the request to the backend whose turn it is, and its answer back."""
        index = next(self._turns) % len(self.backends)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        assert self._client is not None
        try:
            async with self._client.request(
                    request.method, self.backends[index] + request.rel_url.path_qs,
                    headers=headers, data=await request.read()) as answer:
                body = await answer.read()
                status, kind = answer.status, answer.content_type
        except aiohttp.ClientError:
            self.forwarded.append((index, 502))
            return web.Response(status=502, text="backend unreachable")
        self.forwarded.append((index, status))
        return web.Response(status=status, body=body, content_type=kind)
