"""The consistency checks: the database against itself and against what the fake received."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.soak.fake import SoakFake
from bench.soak.people import Ledger
from bot.core.engine import KEPT_REPLY
from bot.storage.models import Base

Found = dict[str, list[str]]


def check(path: Path, fake: SoakFake, ledger: Ledger, log_text: str) -> Found:
    """Every inconsistency, by check, with a few examples each."""
    db = sqlite3.connect(path)
    try:
        found: Found = {}
        for name, rule in CHECKS:
            found[name] = rule(db, fake, ledger, log_text)
        return found
    finally:
        db.close()


def integrity(db: sqlite3.Connection, *_: Any) -> list[str]:
    """SQLite's own checks: the file, and every foreign key."""
    bad = [r[0] for r in db.execute("PRAGMA integrity_check") if r[0] != "ok"]
    return bad + [str(r) for r in db.execute("PRAGMA foreign_key_check")]


def orphans(db: sqlite3.Connection, *_: Any) -> list[str]:
    """Rows pointing at a row that does not exist, for every foreign key in the models, and
    task boards listing tasks that do not exist."""
    bad = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            child, parent = fk.parent, fk.column
            count = db.execute(
                f"SELECT COUNT(*) FROM {table.name} c LEFT JOIN {parent.table.name} p "
                f"ON c.{child.name} = p.{parent.name} "
                f"WHERE c.{child.name} IS NOT NULL AND p.{parent.name} IS NULL").fetchone()[0]
            if count:
                bad.append(f"{table.name}.{child.name}: {count}")
    tasks = {r[0] for r in db.execute("SELECT id FROM tasks")}
    for post, ids in db.execute("SELECT id, task_ids FROM outbox WHERE kind = 'tasks'"):
        missing = set(json.loads(ids) or []) - tasks
        if missing:
            bad.append(f"outbox {post} lists missing tasks {sorted(missing)}")
    return bad


def tasks(db: sqlite3.Connection, fake: SoakFake, ledger: Ledger, _log: str) -> list[str]:
    """Every confirmed task exists once; done has a time, claimed has someone; every open
    task of a linked group is on a board in its chat."""
    titles = Counter(r[0] for r in db.execute("SELECT title FROM tasks WHERE title LIKE 'Soak%'"))
    bad = [f"lost task {t}" for t in sorted(ledger.tasks) if titles[t] == 0]
    bad += [f"task {t} stored {n} times" for t, n in titles.items() if n > 1]
    bad += [f"done task {r[0]} without done_at" for r in db.execute(
        "SELECT id FROM tasks WHERE status = 'done' AND done_at IS NULL")]
    bad += [f"claimed task {r[0]} without anyone" for r in db.execute(
        "SELECT id FROM tasks t WHERE status = 'claimed' AND NOT EXISTS "
        "(SELECT 1 FROM task_assignees a WHERE a.task_id = t.id)")]
    boards: defaultdict[int, set[int]] = defaultdict(set)
    for chat, ids in db.execute("SELECT chat_id, task_ids FROM outbox WHERE kind = 'tasks'"):
        boards[chat] |= set(json.loads(ids) or [])
    for task, chat in db.execute("SELECT t.id, g.chat_id FROM tasks t JOIN groups g "
                                 "ON g.id = t.group_id WHERE g.chat_id IS NOT NULL"):
        if task not in boards[chat]:
            bad.append(f"task {task} not on its group chat's board")
    return bad


def reminders(db: sqlite3.Connection, fake: SoakFake, ledger: Ledger, _log: str) -> list[str]:
    """Every confirmed appointment has its reminder; a due reminder has been decided; a
    reminder the database calls sent arrived exactly once, any other never."""
    saved = Counter(r[0] for r in db.execute(
        "SELECT a.text FROM appointments a JOIN reminders r ON r.appointment_id = a.id "
        "WHERE a.status = 'active' AND r.lead = 'hour'"))
    bad = [f"appointment {t} has {saved[t]} hour reminders"
           for t, (at, seen) in sorted(ledger.appointments.items())
           if saved[t] > 1 or (saved[t] == 0 and at - timedelta(hours=1) > seen)]
    arrived = _reminder_messages(fake)
    now = datetime.now(UTC).isoformat(sep=" ")
    for number, state, due in db.execute("SELECT id, state, due_at FROM reminders"):
        if state in ("sending", "interrupted") or (state == "scheduled" and str(due) < now):
            bad.append(f"reminder {number} stuck in {state} (due {due})")
        if arrived[number] != (1 if state == "sent" else 0):
            bad.append(f"reminder {number} is {state} and arrived {arrived[number]} times")
    return bad


def _reminder_messages(fake: SoakFake) -> Counter[int]:
    """Reminders the fake received, by id (a reminder carries the 💤 r:h:<id> button)."""
    found: Counter[int] = Counter()
    for record in fake.sent:
        if record["method"] != "sendMessage":
            continue
        rows = (record["params"].get("reply_markup") or {}).get("inline_keyboard", [])
        data = [b.get("callback_data", "") for row in rows for b in row]
        if data and data[0].startswith("r:h:") and "r:o:" not in " ".join(data):
            found[int(data[0].split(":")[2])] += 1
    return found


def broadcasts(db: sqlite3.Connection, fake: SoakFake, ledger: Ledger, _log: str) -> list[str]:
    """Each delivery the database calls sent arrived exactly once; no other ever did."""
    texts = {number: text for number, text in db.execute(
        "SELECT id, json_extract(texts, '$.nl') FROM broadcasts")}
    bad = [f"broadcast {t} lost" for t in sorted(ledger.broadcasts)
           if t not in texts.values()]
    per_chat = _texts_by_chat(fake)
    for number, chat, state in db.execute("SELECT broadcast_id, chat_id, state FROM deliveries"):
        copies = sum(texts[number] in text for text in per_chat[chat]) if texts[number] else 0
        if state in ("pending", "sending"):
            bad.append(f"delivery {number}/{chat} stuck in {state}")
        elif copies != (1 if state == "sent" else 0):
            bad.append(f"delivery {number}/{chat} is {state} and arrived {copies} times")
    return bad


def _texts_by_chat(fake: SoakFake) -> defaultdict[int, list[str]]:
    """The text of every new message the fake received, by chat."""
    found: defaultdict[int, list[str]] = defaultdict(list)
    for record in fake.sent:
        if record["method"] == "sendMessage":
            found[int(record["params"]["chat_id"])].append(str(record["result"].get("text")))
    return found


def outbox(db: sqlite3.Connection, fake: SoakFake, ledger: Ledger, _log: str) -> list[str]:
    """Every post the database calls sent is a message the fake has; none is left owed; no
    post's message arrived more often than posts with that text were sent.

    A reply kept for later (ref "reply") is an ordinary answer whose text the same chat can
    rightly get again as a direct reply ("I added this to your question"), so only its
    arrival is checked, not how often its text came.
    """
    first = {(int(r["params"]["chat_id"]), int(r["result"]["message_id"])):
             str(r["result"].get("text")) for r in fake.sent if r["method"] == "sendMessage"}
    arrived = Counter((chat, text) for chat, texts in _texts_by_chat(fake).items()
                      for text in texts)
    posted: Counter[tuple[int, str]] = Counter()
    bad = []
    for post, chat, message, state, revision, sent, ref in db.execute(
            "SELECT id, chat_id, message_id, state, revision, sent_revision, ref FROM outbox"):
        if state == "active" and revision > sent:
            bad.append(f"post {post} to {chat} still owed")
        if message is not None and (chat, message) not in first:
            bad.append(f"post {post}: message {message} never arrived in {chat}")
        elif message is not None and ref != KEPT_REPLY:
            posted[(chat, first[(chat, message)])] += 1
    bad += [f"a post arrived {arrived[key]} times in {key[0]} for {n} posts"
            for key, n in posted.items() if arrived[key] > n]
    return bad


def questions(db: sqlite3.Connection, fake: SoakFake, ledger: Ledger, _log: str) -> list[str]:
    """Every question handed over exists once; an answer is stored once and reached the
    person exactly once."""
    asked = Counter(r[0] for r in db.execute(
        "SELECT text FROM questions WHERE status != 'draft'"))
    bad = [f"question {q} handed over {asked[q]} times" for q in sorted(ledger.questions)
           if asked[q] != 1]
    per_chat = _texts_by_chat(fake)
    for number, answer, owner, blocked in db.execute(
            "SELECT q.id, q.answer, u.telegram_id, u.blocked_at FROM questions q JOIN users u "
            "ON u.id = q.user_id WHERE q.answer IS NOT NULL"):
        posts = [m for (m,) in db.execute("SELECT message_id FROM outbox WHERE chat_id = ? AND "
                                          "keyboard LIKE ?", (owner, f'%"q:ok:{number}"%'))]
        copies = sum(answer in text for text in per_chat[owner])
        if not posts and blocked is None:
            bad.append(f"answer to question {number} was never queued")
        elif copies != sum(m is not None for m in posts):
            bad.append(f"answer to question {number}: {len(posts)} posts, arrived {copies} times")
    stored = " ".join(r[0] for r in db.execute("SELECT answer FROM questions "
                                               "WHERE answer IS NOT NULL"))
    bad += [f"answer {a} stored twice" for a in ledger.answers if stored.count(a) > 1]
    return bad


def private_logs(db: sqlite3.Connection, fake: SoakFake, ledger: Ledger, log_text: str
                 ) -> list[str]:
    """No line of the bot's log holds anything a person typed."""
    return [f"log mentions {t}" for t in sorted(ledger.typed) if t in log_text]


CHECKS: list[tuple[str, Callable[[sqlite3.Connection, SoakFake, Ledger, str], list[str]]]] = [
    ("database integrity and foreign keys", integrity),
    ("orphan rows", orphans),
    ("tasks lost, doubled or inconsistent", tasks),
    ("appointments and reminders (lost, stuck, sent twice or unrecorded)", reminders),
    ("broadcast deliveries (stuck, sent twice or unrecorded)", broadcasts),
    ("outbox posts (owed, missing, sent twice)", outbox),
    ("questions and answers (lost, doubled, delivered twice)", questions),
    ("typed text in the bot's log", private_logs),
]
