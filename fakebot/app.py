"""The HTTP side: the aiohttp app on 127.0.0.1, routing each call to its method, and
Telegram's response envelope; start/stop and the network going away and coming back."""

from __future__ import annotations

import copy
import logging
from types import TracebackType
from typing import Any, Final, Self

from aiohttp import web

from fakebot.errors import ApiError, Drop, JsonDict, bad_request, error_response
from fakebot.faults import Faults
from fakebot.methods import BotMethods, Handler
from fakebot.params import read_params

_log = logging.getLogger(__name__)

_UNRECORDED_METHODS: Final = frozenset({"getUpdates"})  # polling would drown the record


class HttpServer(BotMethods, Faults):
    """Serves {root}/bot{token}/{method} as Telegram does, faults included."""

    def __init__(self) -> None:
        super().__init__()
        self.token: str | None = None
        self.tokens_seen: set[str] = set()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._methods = self._method_table()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Listen on a free loopback port; nothing ever leaves the machine."""
        await self._listen(0)

    async def stop(self) -> None:
        """Release pending long polls first so the server shuts down at once."""
        await self.disconnect()
        self._port = None

    async def disconnect(self) -> None:
        """The network goes away: connections are refused until reconnect().

        Chats, queued updates and every record are kept, as Telegram keeps them while a
        bot cannot reach it; the port is kept for reconnect().
        """
        self._closing = True
        self._signal.fire()
        await self._stop_posting()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None

    async def reconnect(self) -> None:
        """The network is back: listen again on the same port, with the same state."""
        if self._port is None:
            raise RuntimeError("FakeTelegram never ran; call start() first")
        await self._listen(self._port)
        if self.webhook is not None:
            self._start_pushing()

    @property
    def online(self) -> bool:
        """Whether the server accepts connections now."""
        return self._runner is not None

    async def _listen(self, port: int) -> None:
        """Serve the Bot API on 127.0.0.1:port (0: any free port)."""
        self._closing = False
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def root_url(self) -> str:
        """The value for TELEGRAM_API_BASE_URL, e.g. http://127.0.0.1:43127."""
        if self._port is None:
            raise RuntimeError("FakeTelegram is not running; call start() first")
        return f"http://127.0.0.1:{self._port}"

    # ------------------------------------------------------------------ HTTP layer

    async def _handle(self, request: web.Request) -> web.Response:
        """Serve POST/GET {root}/bot{token}/{method} with Telegram's response envelope."""
        self.token = request.match_info["token"]
        self.tokens_seen.add(self.token)
        name, handler = self._resolve(request.match_info["method"])
        try:
            params = await read_params(request)
        except ApiError as error:
            return error_response(error)
        except ValueError as error:  # e.g. a truncated multipart body
            return error_response(bad_request(f"can't parse request: {error}"))
        fault = self.fault(name, params) if handler is not None else None
        if isinstance(fault, Drop):
            return self._cut(request, name, params)
        self.requests.append((name, params))
        self._signal.fire()
        try:
            result = await self._execute(name, handler, params, fault)
        except ApiError as error:
            self._note_failure(name, params, error)
            return error_response(error)
        except Exception as error:
            _log.exception("fake Telegram server failed on %s", name)
            crash = ApiError(500, f"Internal Server Error: fake server bug: {error!r}")
            self._note_failure(name, params, crash)
            return error_response(crash)
        finally:
            self._signal.fire()
        return web.json_response({"ok": True, "result": result})

    def _cut(self, request: web.Request, name: str, params: JsonDict) -> web.Response:
        """Close the connection without an answer (the response is never written)."""
        self.dropped.append({"method": name, "params": params})
        self._signal.fire()
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=204)

    def _resolve(self, method: str) -> tuple[str, Handler | None]:
        """Canonical name and handler; unknown methods keep their spelling and get None."""
        entry = self._methods.get(method.lower())
        return entry if entry is not None else (method, None)

    async def _execute(
        self, name: str, handler: Handler | None, params: JsonDict, fault: ApiError | None
    ) -> Any:
        """Injected errors win over the real handler, like a flaky network would."""
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        if fault is not None:
            raise fault
        self._enforce_limits(name, params)
        await self._wait_if_stalled(name, params)
        await self._round_trip(params)
        result = await handler(params)
        if name not in _UNRECORDED_METHODS:
            self.sent.append({"method": name, "params": params, "result": copy.deepcopy(result)})
        return result

    def _note_failure(self, name: str, params: JsonDict, error: ApiError) -> None:
        """Keep failures next to successes so a timeout message can explain what went wrong."""
        self.failures.append(
            {"method": name, "params": params, **error.payload()},
        )
