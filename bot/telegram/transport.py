"""How the bot talks HTTP to the Bot API: PTB's `BaseRequest` over an aiohttp client session.

PTB's default, `HTTPXRequest`, re-checks every pooled connection (a socket poll each) on
every request (encode/httpcore#924, not released in httpcore 1.0.9). With eight chats
handled at once, the pool holds eight connections, and that scan cost more CPU per
update than the database turn (docs/benchmarks.md). aiohttp keeps its idle connections
in a queue per host and parses HTTP in C. PTB documents `BaseRequest` as the way to plug
in another HTTP library; its own error types are raised, so the bot's retry logic and
the rate limiter see exactly what they would see with httpx.
"""

from __future__ import annotations

import ssl
from typing import Any

import aiohttp
import certifi
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

CONNECTIONS = 256  # PTB's own default pool size
READ_TIMEOUT = 5.0  # seconds; PTB's defaults, so behaviour matches HTTPXRequest
WRITE_TIMEOUT = 5.0
CONNECT_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0
MEDIA_WRITE_TIMEOUT = 20.0


class AiohttpRequest(BaseRequest):
    """One aiohttp session per PTB request object (PTB uses two: updates, and the rest)."""

    def __init__(self, connections: int = CONNECTIONS, read_timeout: float = READ_TIMEOUT) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        """The default wait for an answer (PTB adds the long-poll time for getUpdates)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """The session belongs to the running loop, so it is made here, not in __init__."""
        if self._session is None or self._session.closed:
            # The same certificate authorities httpx trusts, whatever the machine has installed.
            trusted = ssl.create_default_context(cafile=certifi.where())
            connector = aiohttp.TCPConnector(limit=self._connections, ssl=trusted)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets no cookies
                trust_env=True)  # HTTPS_PROXY and NO_PROXY apply, as they did with httpx

    async def shutdown(self) -> None:
        """Close pooled connections; calling it twice is harmless."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(  # noqa: PLR0917 (BaseRequest's signature)
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One HTTP call; aiohttp's failures become PTB's TimedOut and NetworkError."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = bool(request_data and request_data.contains_files)
        timeout = _timeout(read=read_timeout, write=write_timeout, connect=connect_timeout,
                           pool=pool_timeout, default_read=self._read_timeout, files=files)
        try:
            async with self._session.request(method, url, data=_body(request_data),
                                             timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's timeouts subclass it
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


def _given(value: Any, default: float | None) -> float | None:
    """PTB passes DEFAULT_NONE when the caller did not choose a timeout."""
    return default if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value


def _timeout(*, read: Any, write: Any, connect: Any, pool: Any, default_read: float,
             files: bool) -> aiohttp.ClientTimeout:
    """aiohttp has no write timeout, so the whole call is bounded by the four together.

    Waiting for a free connection and connecting count as one phase, as in aiohttp.
    """
    phases = (_given(pool, POOL_TIMEOUT), _given(connect, CONNECT_TIMEOUT),
              _given(write, MEDIA_WRITE_TIMEOUT if files else WRITE_TIMEOUT),
              _given(read, default_read))
    return aiohttp.ClientTimeout(total=_sum(phases), connect=_sum(phases[:2]),
                                 sock_read=phases[3])


def _sum(phases: tuple[float | None, ...]) -> float | None:
    """No limit if any phase has none."""
    return None if None in phases else sum(p for p in phases if p is not None)


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """Form fields, as PTB sends them; multipart when there are files."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return request_data.json_parameters
    form = aiohttp.FormData(request_data.json_parameters)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
