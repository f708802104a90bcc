"""Console chat: bot messages printed, buttons as a numbered grid, numbers press them.

Like the Telegram adapter, the console is the bot's sender: after every line (and every
second while someone types at a terminal) it does the timed work and takes what the
outbox holds, so answers from a helper, task notices, reminders and broadcasts show up
as they are sent, each under the name of the person it is for (unless a Telegram token
is set: then a Telegram bot may share the database and sends them). `/as N [name]` plays
another person in the same console (a coordinator, then the newcomer); each person's
last buttons stay theirs. Files (.ics, /mydata) go to a temporary folder, whose path is
printed. When standard input is not a terminal, lines are read until end of input, so a
whole conversation can be scripted with a pipe.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
import tempfile
import time
from pathlib import Path
from typing import TextIO

from bot.core.engine import Core
from bot.core.outbox import Outgoing, Result
from bot.core.ports import Button, Document, Incoming, Keyboard, Kind, Outcome, Venue

_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.DOTALL)
_AS = re.compile(r"^/as(?:\s+(\d{1,15})(?:\s+(.+))?)?$", re.IGNORECASE)
LOOK_EVERY = 1.0  # seconds between looks at the outbox while someone types at a terminal
JOBS_EVERY = 30.0  # seconds between looks for durable jobs (as the Telegram timer does)


def to_plain(text: str) -> str:
    """Telegram HTML to terminal text: links keep their address, other tags go."""
    linked = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    return html.unescape(_TAG.sub("", linked))


def grid(keyboard: Keyboard, first: int = 1) -> tuple[list[str], list[Button]]:
    """A keyboard as lines: one row a line, numbers to press, rows of several buttons in
    columns (a calendar is a month on eight lines, not 45 numbered items). A blank button,
    or one doing the same as a button already numbered (a calendar's weekday names), gets
    no number of its own."""
    numbered: list[Button] = []
    cells: list[list[str]] = []
    for row in keyboard:
        cells.append([])
        for button in row:
            label = to_plain(button.label).strip()
            if label and button.data not in {b.data for b in numbered}:
                numbered.append(button)
                cells[-1].append(f"[{first + len(numbered) - 1}] {label}")
            else:
                cells[-1].append(label)
    wide = max((len(c) for row in cells if len(row) > 1 for c in row), default=0)
    lines = ["  " + ("  ".join(c.ljust(wide) for c in row) if len(row) > 1 else row[0])
             for row in cells if any(row)]  # a week of days past: no line
    return [line.rstrip() for line in lines], numbered


class ConsoleChat:
    """The people this console plays, talking to the core, and the outbox's messages."""

    def __init__(self, core: Core, user_id: int, stdin: TextIO, stdout: TextIO,
                 name: str | None = None, *, sender: bool = True) -> None:
        self.core, self.user_id, self.sender = core, user_id, sender
        self.stdin, self.stdout = stdin, stdout
        self.names: dict[int, str] = {user_id: name or f"User {user_id}"}
        self.buttons: dict[int, list[Button]] = {}
        self.folder: Path | None = None  # where files go, made at the first one
        self.lock = asyncio.Lock()  # one turn or one look at the outbox at a time
        self.message_ids = int(time.time())  # ids the outbox keeps for later edits
        self.jobs_looked = 0.0

    async def run(self, lang: str | None) -> None:
        """Open like Telegram does (/start, or a pressed language), then read until EOF."""
        first = self._press(f"lang:{lang}") if lang else self._command("/start")
        await self._send(first)
        looking = asyncio.create_task(self._look_now_and_then()) \
            if self.sender and self.stdin.isatty() else None
        try:
            while (line := await self._read_line()) is not None:
                if line.strip():
                    await self._line(line.strip())
        finally:
            if looking is not None:
                looking.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await looking

    async def _line(self, line: str) -> None:
        """`/as` switches the person; anything else goes to the core as that person."""
        found = _AS.match(line)
        if found is None:
            await self._send(self._interpret(line))
        elif found[1] is None:
            self._say(f"/as N [name]: play user N. Now: {self._who(self.user_id)}.\n")
        else:
            async with self.lock:
                self._switch(int(found[1]), found[2])

    def _switch(self, user_id: int, name: str | None) -> None:
        """Play another person; their last buttons are theirs to press again."""
        self.user_id = user_id
        self.names[user_id] = (name or "").strip() or self.names.get(user_id) \
            or f"User {user_id}"
        lines, numbered = grid(tuple((b,) for b in self.buttons.get(user_id, [])))
        self.buttons[user_id] = numbered
        self._say("\n".join([f"👤 {self._who(user_id)}", *lines]) + "\n\n")

    async def _read_line(self) -> str | None:
        """A line from the terminal or the pipe; None at end of input."""
        if self.stdin.isatty():
            self._say("> ")
        line = await asyncio.to_thread(self.stdin.readline)
        if not line:
            return None
        if not self.stdin.isatty():
            self._say(f"> {line.rstrip()}\n")
        return line

    def _interpret(self, line: str) -> Incoming:
        """A number presses that button; a /word is a command; anything else is text."""
        shown = self.buttons.get(self.user_id, [])
        if line.isdigit() and 1 <= int(line) <= len(shown):
            return self._press(shown[int(line) - 1].data)
        if line.startswith("/"):
            return self._command(line)
        return Incoming(self.user_id, self.user_id, Kind.TEXT, text=line,
                        first_name=self.names[self.user_id])

    def _press(self, data: str) -> Incoming:
        return Incoming(self.user_id, self.user_id, Kind.BUTTON, data=data,
                        first_name=self.names[self.user_id])

    def _command(self, line: str) -> Incoming:
        name, _, args = line[1:].partition(" ")
        return Incoming(self.user_id, self.user_id, Kind.COMMAND, command=name.lower(),
                        text=args, first_name=self.names[self.user_id])

    async def _send(self, event: Incoming) -> None:
        """One turn, then what it (or the time) queued for anyone."""
        async with self.lock:
            self._show(await self.core.handle(event))
            if self.sender:
                await self._look()

    def _show(self, outcome: Outcome) -> None:
        """Print the answer; the last message with buttons decides what numbers press."""
        if outcome.toast:
            self._say(f"(i) {to_plain(outcome.toast)}\n")
        for reply in outcome.replies:
            self._message(self.user_id, reply.text, reply.keyboard, document=reply.document,
                          venue=reply.venue)

    def _message(self, chat_id: int, text: str, keyboard: Keyboard, *,
                 document: Document | None = None, heading: str = "",
                 venue: Venue | None = None) -> None:
        """One message; its buttons become the numbers of the person it is for."""
        lines = [heading] if heading else []
        lines.append(to_plain(text))
        if venue is not None:  # a place: where a map app would open
            lines.append(f"  📍 {venue.title}, {venue.address} "
                         f"({venue.latitude}, {venue.longitude})")
        if document is not None:
            lines.append(f"  📎 {self._save(document)}")
        rows, numbered = grid(keyboard)
        if numbered and chat_id > 0:
            self.buttons[chat_id] = numbered
        self._say("\n".join([*lines, *rows]) + "\n\n")

    def _save(self, document: Document) -> Path:
        """A file goes to this console's temporary folder, never the working directory."""
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="wegwijs-"))
        path = self.folder / Path(document.filename).name
        path.write_bytes(document.data)
        return path

    async def _look_now_and_then(self) -> None:
        """At a terminal: reminders and other timed messages arrive while nobody types."""
        while True:
            await asyncio.sleep(LOOK_EVERY)
            async with self.lock:
                await self._look()

    async def _look(self) -> None:
        """The timed work (jobs every half minute), then every message the outbox lets go
        now, shown and reported sent, as the Telegram sender does."""
        await self.core.tick()
        if time.monotonic() - self.jobs_looked >= JOBS_EVERY or not self.stdin.isatty():
            self.jobs_looked = time.monotonic()
            await self.core.run_due_jobs()
        while items := await self.core.claim(limit=50):
            for item in items:
                self._outgoing(item)
                await self.core.report(item, Result.sent(item.message_id or self._new_id()))

    def _outgoing(self, item: Outgoing) -> None:
        """A message the bot sends by itself: for whom, and whether it redraws an old one."""
        mark = "✏️" if item.message_id is not None else "📨"
        self._message(item.chat_id, item.reply.text, item.reply.keyboard,
                      heading=f"{mark} → {self._who(item.chat_id)}")

    def _who(self, chat_id: int) -> str:
        """A person this console plays (by name) or another chat (by number)."""
        if chat_id in self.names:
            return f"{self.names[chat_id]} ({chat_id})"
        return f"chat {chat_id}"

    def _new_id(self) -> int:
        self.message_ids += 1
        return self.message_ids

    def _say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

