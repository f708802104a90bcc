"""The console adapter, driven the way the README says: a pipe into `python main.py chat`."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.console.chat import to_plain
from tests.chat import said

ROOT = Path(__file__).resolve().parent.parent
# agree, newcomer, refugee, children: yes, Utrecht, a month
ONBOARDING = "{picker}\n1\n1\n1\n1\nUtrecht\n2\n"
WAIT = 180  # seconds a console may take for a session, or for one answer (a loaded machine)


def run_chat(tmp_path: Path, url: str, stdin: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "chat", *args], input=stdin, env=env,
        cwd=tmp_path, capture_output=True, text=True, encoding="utf-8", timeout=WAIT, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


@pytest.mark.parametrize(("picker", "code"), [("1", "nl"), ("2", "en"), ("3", "pl"), ("4", "ar"),
                                              ("5", "ti")])
def test_piped_onboarding_in_each_language(tmp_path: Path, empty_db_url: str, picker: str,
                                           code: str) -> None:
    out = run_chat(tmp_path, empty_db_url, ONBOARDING.format(picker=picker))
    assert "[3] Polski" in out and "[4] العربية" in out and "[5] ትግርኛ" in out
    assert to_plain(said(code, "Which fits you best?")) in out
    assert to_plain(said(code, "Thank you! You are all set.")) in out
    assert "Utrecht" in out


def test_state_survives_between_console_sessions(tmp_path: Path, empty_db_url: str) -> None:
    run_chat(tmp_path, empty_db_url, "5\n1\n")  # Tigrinya, privacy accepted, then the process ends
    out = run_chat(tmp_path, empty_db_url, "1\n")  # a new process: continues at "who are you?"
    assert to_plain(said("ti", "Who are you?")) in out
    assert to_plain(said("ti", "Which fits you best?")) in out


def test_lang_option_and_free_text(tmp_path: Path, empty_db_url: str) -> None:
    out = run_chat(tmp_path, empty_db_url, "hello\n/help\n", "--lang", "ar", "--user", "7")
    assert to_plain(said("ar", "Please choose one of the buttons below.")) in out
    assert "112" in out and "0800-2000" in out


def test_links_keep_their_address_in_the_terminal() -> None:
    assert to_plain('See <a href="https://x.nl/a?b=1&amp;c=2">the page</a> &amp; <b>more</b>') == (
        "See the page (https://x.nl/a?b=1&c=2) & more")


class Console:
    """`python main.py chat` with standard input piped, a line at a time, reading what it
    prints as it comes (waiting for the text expected, never for a time)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process, self.seen = process, ""

    @classmethod
    async def start(cls, workdir: Path, url: str, *args: str) -> Console:
        env = {**os.environ, "DATABASE_URL": url, "WEGWIJS_ADMIN_IDS": "1"}
        env.pop("TELEGRAM_BOT_TOKEN", None)
        process = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "main.py"), "chat", *args, cwd=workdir, env=env,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
        return cls(process)

    async def until(self, text: str, whole: bool = True) -> str:
        """Everything printed from now until `text` has been printed, and the message it is
        in (`whole`: up to the blank line that ends every message)."""
        assert self.process.stdout is not None
        start = len(self.seen)
        while text not in self.seen[start:] or (whole and not self.seen.endswith("\n\n")):
            try:
                line = await asyncio.wait_for(self.process.stdout.readline(), WAIT)
            except TimeoutError:
                line = b""
            assert line, f"no {text!r} from the console; it printed:\n{self.seen[start:]}"
            self.seen += line.decode()
        return self.seen[start:]

    async def type(self, line: str, until: str) -> str:
        """Type a line; what the console printed for it, up to `until`."""
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        await self.process.stdin.drain()
        await self.until(f"> {line}\n", whole=False)
        return await self.until(until)

    async def press(self, label: str, until: str) -> str:
        """Type the number of the newest button whose label is `label`."""
        numbers = re.findall(rf"\[(\d+)\] {re.escape(label)}", self.seen)
        assert numbers, f"no button {label!r} in:\n{self.seen[-1500:]}"
        return await self.type(numbers[-1], until)

    async def end(self) -> str:
        """End of input: the console stops; what it still printed."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        out, err = await asyncio.wait_for(self.process.communicate(), WAIT)
        assert self.process.returncode == 0, err.decode()
        assert "Traceback" not in err.decode(), err.decode()
        return out.decode()


def plain(code: str, message: str) -> str:
    return to_plain(said(code, message)).replace("\u2066", "").replace("\u2069", "")


async def test_one_console_plays_a_coordinator_answering_a_newcomer(
        tmp_path: Path, empty_db_url: str) -> None:
    console = await Console.start(tmp_path, empty_db_url, "--lang", "en", "--name", "Ada")
    await console.until("Do you agree?")
    await console.press(plain("en", "✅ I agree"), plain("en", "Who are you?"))
    await console.press(plain("en", "I am a coordinator"), "]")
    invite = await console.type("/neworg Samen Hier", "start=i_")
    token = re.search(r"start=(i_[A-Za-z0-9_-]+)", invite)
    assert token
    await console.type("/as 2 Cora", "👤 Cora (2)")
    await console.type(f"/start {token.group(1)}", "ትግርኛ")
    await console.press("English", "Do you agree?")
    await console.press(plain("en", "✅ I agree"), plain("en", "✅ Join"))
    await console.press(plain("en", "✅ Join"), "👥")
    await console.press(plain("en", "👥 Groups"), plain("en", "➕ New group"))
    await console.press(plain("en", "➕ New group"), "\n\n")
    await console.type("Welkom Amira", "\n\n")
    await console.type("Utrecht", plain("en", "Not known yet"))
    await console.press(plain("en", "Not known yet"), "Welkom Amira")
    await console.type("/as 3 نور", "👤 نور (3)")
    await console.type("/start", "ትግርኛ")
    await console.press("العربية", "]")
    for label in ("✅ I agree", "I am new in the Netherlands", "Refugee with a residence permit",
                  "No"):
        await console.press(plain("ar", label), "]")
    await console.type("Utrecht", plain("ar", "Earlier, or skip"))
    await console.press(plain("ar", "Earlier, or skip"), "]")
    asked = await console.type("هل يمكنني أخذ قطتي إلى المدرسة؟", "]")
    if plain("ar", "🙋 Ask a person") not in asked:
        await console.press(plain("ar", "None of these"), plain("ar", "🙋 Ask a person"))
    card = await console.press(plain("ar", "🙋 Ask a person"), plain("en", "✍️ Answer"))
    assert "📨 → Cora (2)" in card  # the question card, shown as it is sent to Cora
    assert "From نور (Arabic):" in card and "قطتي" in card  # in Cora's language: English
    await console.type("/as 2", "👤 Cora (2)")
    await console.press(plain("en", "✍️ Answer"), "قطتي")
    arrived = await console.type("Nee, katten mogen niet mee naar school.", "→ نور (3)")
    assert "📨 → نور (3)" in arrived and "katten" in arrived.split("→ نور (3)")[1]
    rest = await console.end()
    assert "Traceback" not in rest


def test_files_go_to_a_temporary_folder_and_the_calendar_is_a_grid(
        tmp_path: Path, empty_db_url: str) -> None:
    # English, agree, newcomer, refugee, no children, Utrecht, earlier; then a new
    # appointment (after the monthly check-in on the list) at the gemeente: the calendar.
    out = run_chat(tmp_path, empty_db_url,
                   "2\n1\n1\n1\n2\nUtrecht\n13\n/mydata\n/reminders\n2\n1\n", "--name", "Sara")
    saved = re.search(r"📎 (\S+\.json)", out)
    assert saved, out
    path = Path(saved.group(1))
    assert path.parent != tmp_path and path.exists() and "Sara" in path.read_text()
    assert list(tmp_path.glob("*.json")) == []  # nothing in the working directory
    calendar = out[out.rindex(to_plain(said("en", "On which day?"))):]
    weeks = [line for line in calendar.splitlines() if len(re.findall(r"\[\d+\] \d", line)) >= 5]
    assert 3 <= len(weeks) <= 6  # a week a line
    assert len(calendar.splitlines()) <= 12  # not 45 numbered items
