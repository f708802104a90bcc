"""Console chat: bot messages printed, buttons as a numbered list, numbers press them.

When standard input is not a terminal, lines are read until end of input, so a whole
conversation can be scripted with a pipe.
"""

from __future__ import annotations

import asyncio
import html
import re
from pathlib import Path
from typing import TextIO

from bot.core.engine import Core
from bot.core.ports import Button, Incoming, Kind, Outcome

_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.DOTALL)


def to_plain(text: str) -> str:
    """Telegram HTML to terminal text: links keep their address, other tags go."""
    linked = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    return html.unescape(_TAG.sub("", linked))


class ConsoleChat:
    """One console user talking to the core."""

    def __init__(self, core: Core, user_id: int, stdin: TextIO, stdout: TextIO) -> None:
        self.core, self.user_id = core, user_id
        self.stdin, self.stdout = stdin, stdout
        self.buttons: list[Button] = []

    async def run(self, lang: str | None) -> None:
        """Open like Telegram does (/start, or a pressed language), then read until EOF."""
        first = self._press(f"lang:{lang}") if lang else self._command("/start")
        await self._send(first)
        while (line := await self._read_line()) is not None:
            if line.strip():
                await self._send(self._interpret(line.strip()))

    async def _read_line(self) -> str | None:
        """A line from the terminal or the pipe; None at end of input."""
        if self.stdin.isatty():
            self.stdout.write("> ")
            self.stdout.flush()
        line = await asyncio.to_thread(self.stdin.readline)
        if not line:
            return None
        if not self.stdin.isatty():
            self.stdout.write(f"> {line.rstrip()}\n")
        return line

    def _interpret(self, line: str) -> Incoming:
        """A number presses that button; a /word is a command; anything else is text."""
        if line.isdigit() and 1 <= int(line) <= len(self.buttons):
            return self._press(self.buttons[int(line) - 1].data)
        if line.startswith("/"):
            return self._command(line)
        return Incoming(self.user_id, self.user_id, Kind.TEXT, text=line)

    def _press(self, data: str) -> Incoming:
        return Incoming(self.user_id, self.user_id, Kind.BUTTON, data=data)

    def _command(self, line: str) -> Incoming:
        name, _, args = line[1:].partition(" ")
        return Incoming(self.user_id, self.user_id, Kind.COMMAND, command=name.lower(), text=args)

    async def _send(self, event: Incoming) -> None:
        self._show(await self.core.handle(event))

    def _show(self, outcome: Outcome) -> None:
        """Print the answer; the last message with buttons decides what numbers press."""
        if outcome.toast:
            self.stdout.write(f"(i) {to_plain(outcome.toast)}\n")
        for reply in outcome.replies:
            self.stdout.write(to_plain(reply.text) + "\n")
            if reply.venue is not None:  # a place: where a map app would open
                place = reply.venue
                self.stdout.write(f"  📍 {place.title}, {place.address} "
                                  f"({place.latitude}, {place.longitude})\n")
            if reply.document is not None:  # a calendar file: saved next to the database
                Path(reply.document.filename).write_bytes(reply.document.data)
                self.stdout.write(f"  📎 {reply.document.filename}\n")
            flat = [button for row in reply.keyboard for button in row]
            if flat:
                self.buttons = flat
            for number, button in enumerate(flat, start=1):
                self.stdout.write(f"  [{number}] {to_plain(button.label)}\n")
            self.stdout.write("\n")
        self.stdout.flush()
