"""The console adapter, driven the way the README says: a pipe into `python main.py chat`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.console.chat import to_plain
from tests.chat import said

ROOT = Path(__file__).resolve().parent.parent
# agree, newcomer, refugee, children: yes, Utrecht, a month
ONBOARDING = "{picker}\n1\n1\n1\n1\nUtrecht\n2\n"


def run_chat(tmp_path: Path, url: str, stdin: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "chat", *args], input=stdin, env=env,
        cwd=tmp_path, capture_output=True, text=True, encoding="utf-8", timeout=60, check=False,
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
