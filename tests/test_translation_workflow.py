"""Editing English never blocks the bot: the previous translation is served, marked
"needs review", until a translator updates it (locales/README.md)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.catalogs import carry_over
from bot.console.chat import to_plain
from bot.i18n import content_translation, previous_msgid, use_locale

ROOT = Path(__file__).resolve().parent.parent
OLD = "DigiD is your login for government websites, like Mijn toeslagen."
NEW = "DigiD is the login for government websites, for example Mijn toeslagen."
CONTEXT = "journey:first_steps:digid:text"
# Dutch, newcomer, refugee, children: yes, Utrecht, a month; My steps → First steps → DigiD
TO_DIGID = "1\n1\n1\n1\n1\nUtrecht\n2\n/steps\n1\n2\n"


def test_a_changed_english_text_keeps_its_translation_for_review() -> None:
    before = Catalog(locale="nl")
    before.add("Old English", "Oud Nederlands", context="journey:j:n:text")
    before.add("Same English", "Zelfde Nederlands")  # a catalog from before contexts
    after = Catalog(locale="nl")
    after.add("New English", "", context="journey:j:n:text")
    after.add("Same English", "", context="journey:j:m:text")
    after.add("Brand new", "", context="journey:j:k:text")
    carry_over(after, before)
    changed = after.get("New English", context="journey:j:n:text")
    assert changed is not None and changed.string == "Oud Nederlands"
    assert changed.fuzzy and changed.previous_id == ["Old English"]
    moved = after.get("Same English", context="journey:j:m:text")
    assert moved is not None and moved.string == "Zelfde Nederlands" and not moved.fuzzy
    new = after.get("Brand new", context="journey:j:k:text")
    assert new is not None and new.string == ""  # nothing to keep: a translator must act


def test_changed_back_needs_no_review() -> None:
    before = Catalog(locale="nl")
    before.add("Second", "Eerste vertaling", context="c", flags=["fuzzy"], previous_id="First")
    after = Catalog(locale="nl")
    after.add("First", "", context="c")
    carry_over(after, before)
    again = after.get("First", context="c")
    assert again is not None and again.string == "Eerste vertaling" and not again.fuzzy


def test_a_stale_catalog_still_serves_the_translation_by_node() -> None:
    """English edited, `main.py catalogs` not yet run: found by msgctxt, needs review."""
    shipped = _english_step((ROOT / "flows/journeys/first_steps.yaml").read_text("utf-8"))
    current = content_translation("nl", CONTEXT, shipped)
    edited = content_translation("nl", CONTEXT, shipped.replace(OLD, NEW))
    assert current is not None and not current.review
    assert edited is not None and edited.review and edited.text == current.text
    assert content_translation("ar", "journey:nowhere:x:text", "Never translated") is None
    with use_locale("en"):
        english = content_translation("en", CONTEXT, NEW)
        assert english is not None and english.text == NEW and not english.review


def copy_of_the_bot(tmp_path: Path) -> Path:
    """The code and content in a temporary folder, so the shipped files stay as they are."""
    copy = tmp_path / "wegwijs"
    for name in ("bot", "flows", "locales"):
        shutil.copytree(ROOT / name, copy / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.joblib"))
    for name in ("main.py", "babel.cfg"):
        shutil.copy(ROOT / name, copy / name)
    return copy


def run(copy: Path, db: str, *args: str, stdin: str = "") -> str:
    env = {**os.environ, "PYTHONPATH": str(copy), "DATABASE_URL": db}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    done = subprocess.run([sys.executable, "main.py", *args], input=stdin, env=env, cwd=copy,
                          capture_output=True, text=True, encoding="utf-8", timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


@pytest.mark.slow
def test_editing_one_english_sentence_keeps_the_bot_and_the_translation(
        tmp_path: Path) -> None:
    copy = copy_of_the_bot(tmp_path)
    journey = copy / "flows" / "journeys" / "first_steps.yaml"
    text = journey.read_text(encoding="utf-8")
    assert OLD in text
    journey.write_text(text.replace(OLD, NEW), encoding="utf-8")
    found = content_translation("nl", CONTEXT, _english_step(text))  # what readers had
    assert found is not None
    first_line = to_plain(found.text).splitlines()[1]  # the Dutch of the edited sentence

    db = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    shown = run(copy, db, "chat", stdin=TO_DIGID)  # before `catalogs`: it starts, and serves
    assert first_line in shown

    status = run(copy, db, "catalogs")
    assert "nl: " in status and " 0 missing, 1 need review" in status
    with (copy / "locales" / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        entry = read_po(handle, locale="nl").get(_english_step(text.replace(OLD, NEW)),
                                                 context=CONTEXT)
    assert entry is not None and entry.fuzzy and previous_msgid(entry) == _english_step(text)
    assert "| nl | journey | first_steps:digid |" in run(copy, db, "content-report")
    shown = run(copy, f"sqlite+aiosqlite:///{tmp_path / 'again.db'}", "chat", stdin=TO_DIGID)
    assert first_line in shown  # after `catalogs`: still the translation, until reviewed


def _english_step(journey_text: str) -> str:
    """The DigiD step's English as the catalogs hold it (the YAML block, stripped)."""
    nodes = yaml.safe_load(journey_text)["nodes"]
    return str(next(n for n in nodes if n["id"] == "digid")["text"]).strip()
