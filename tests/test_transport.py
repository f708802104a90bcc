"""The aiohttp transport fails the way PTB's own does: TimedOut and NetworkError, promptly."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.telegram.transport import AiohttpRequest

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def server(handler: Handler) -> AsyncIterator[str]:
    """A raw TCP server on 127.0.0.1 that misbehaves as `handler` says; yields its URL."""
    listening = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/bot"
    finally:
        listening.close()


@asynccontextmanager
async def transport(read_timeout: float = 5.0) -> AsyncIterator[AiohttpRequest]:
    """An initialised transport, shut down afterwards."""
    request = AiohttpRequest(read_timeout=read_timeout)
    await request.initialize()
    try:
        yield request
    finally:
        await request.shutdown()


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    await asyncio.sleep(30)  # never answers


async def _hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.close()


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(next((line.split(b":")[1] for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length")), b"0"))
    body = await reader.readexactly(length)
    reply = b'{"ok":true,"result":"' + body.replace(b'"', b"'") + b'"}'
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                 + str(len(reply)).encode() + b"\r\n\r\n" + reply)
    await writer.drain()
    writer.close()


async def test_a_server_that_never_answers_is_timed_out() -> None:
    async with server(_silent) as url, transport(read_timeout=0.3) as request:
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await request.post(f"{url}TOKEN/getMe")
    assert time.monotonic() - started < 3


async def test_a_caller_can_ask_for_a_longer_wait_as_long_polling_does() -> None:
    async with server(_silent) as url, transport(read_timeout=0.1) as request:
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await request.post(f"{url}TOKEN/getMe", read_timeout=0.6)
    assert time.monotonic() - started >= 0.6


async def test_a_dropped_connection_is_a_network_error() -> None:
    async with server(_hang_up) as url, transport() as request:
        with pytest.raises(NetworkError) as raised:
            await request.post(f"{url}TOKEN/getMe")
    assert not isinstance(raised.value, TimedOut)
    assert "aiohttp." in str(raised.value)


async def test_nobody_listening_is_a_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again before the request
    async with transport() as request:
        with pytest.raises(NetworkError):
            await request.post(f"http://127.0.0.1:{port}/botTOKEN/getMe")


async def test_parameters_arrive_form_encoded() -> None:
    async with server(_answer) as url, transport() as request:
        bot = Bot("123:TEST", base_url=url, request=request, get_updates_request=request)
        result = await bot.do_api_request("echoForm", {"chat_id": 7, "text": "سلام & hi"})
    assert result == "chat_id=7&text=%D8%B3%D9%84%D8%A7%D9%85+%26+hi"


async def test_a_request_before_initialize_is_refused() -> None:
    with pytest.raises(NetworkError, match="not initialized"):  # PTB wraps the RuntimeError
        await AiohttpRequest().post("http://127.0.0.1:9/botTOKEN/getMe")
