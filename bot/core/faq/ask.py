"""`python main.py ask [--lang xx] [--json] ["question"]`: what the matcher makes of a question.

Without a question it reads one per line from standard input and prints one JSON line
per question, so content editors can test a whole list at once.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from bot.core import safety, smalltalk
from bot.core.content import load_journeys
from bot.core.faq.loader import load_faq
from bot.core.faq.matcher import Matcher, Result


@dataclass(frozen=True)
class Reading:
    """What the bot makes of one typed message, in the order the bot decides it."""

    result: Result  # the matcher's view (its decision is replaced below when it does not apply)
    decision: str  # answer | suggest | unknown | crisis | smalltalk
    safety: safety.Reading
    talk: smalltalk.Talk | None


def read(matcher: Matcher, text: str, lang: str | None = None) -> Reading:
    """The same order as the bot: the safety net, then small talk, then the matcher."""
    danger = safety.read(text)
    talk = None if danger.crisis else smalltalk.read(text)
    result = matcher.ask(text, lang)
    decision = "crisis" if danger.crisis else "smalltalk" if talk else result.decision
    return Reading(result, decision, danger, talk)


def build_matcher() -> Matcher:
    """The matcher over the shipped entries; translations are not needed to match."""
    journeys = load_journeys(translations=False)
    return Matcher(load_faq(journeys, translations=False).values())


def as_json(reading: Reading) -> str:
    """One line: lang, decision, crisis kind, distress, safety question, small-talk intent,
    matches."""
    result = reading.result
    return json.dumps({"lang": result.lang, "decision": reading.decision,
                       "crisis_kind": reading.safety.kind, "distress": reading.safety.distress,
                       "about_other": reading.safety.about_other,
                       "safety_check": reading.safety.check,
                       "smalltalk": reading.talk.intent if reading.talk else None,
                       "matches": [{"id": m.id, "score": m.score} for m in result.matches]},
                      ensure_ascii=False)


def as_text(question: str, reading: Reading) -> str:
    """For a person at a terminal."""
    lines = [f"question: {question}", f"language: {reading.result.lang}",
             f"decision: {reading.decision}"]
    if reading.safety.kind:
        lines.append(f"crisis kind: {reading.safety.kind}")
    if reading.safety.check:
        lines.append(f"safety question: yes (if yes: {reading.safety.check})")
    if reading.safety.distress:
        lines.append("distress: yes (the gentle line follows the answer)")
    if reading.talk:
        lines.append(f"small talk: {reading.talk.intent}")
    lines += [f"  {m.score:.2f}  {m.id}" for m in reading.result.matches]
    return "\n".join(lines)


def run(questions: list[str], lang: str | None, as_json_lines: bool, stdin: TextIO,
        stdout: TextIO) -> int:
    """Answer the given question, or every line of standard input."""
    matcher = build_matcher()
    batch = not questions
    for question in _questions(questions, stdin):
        reading = read(matcher, question, lang)
        stdout.write((as_json(reading) if as_json_lines or batch else as_text(question, reading))
                     + "\n")
    return 0


def _questions(given: list[str], stdin: TextIO) -> Iterator[str]:
    if given:
        yield " ".join(given)
        return
    yield from (line.strip() for line in stdin if line.strip())


def main(questions: list[str], lang: str | None, json_lines: bool) -> int:
    """Entry point for the CLI."""
    return run(questions, lang, json_lines, sys.stdin, sys.stdout)
