"""`python main.py ask [--lang xx] [--json] ["question"]`: what the matcher makes of a question.

Without a question it reads one per line from standard input and prints one JSON line
per question, so content editors can test a whole list at once.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import TextIO

from bot.core.faq.loader import load_faq
from bot.core.faq.matcher import Matcher, Result
from bot.core.journeys.loader import load_journeys


def build_matcher() -> Matcher:
    """The matcher over the shipped entries; translations are not needed to match."""
    journeys = load_journeys(translations=False)
    return Matcher(load_faq(journeys, translations=False).values())


def as_json(result: Result) -> str:
    """One line, as the issue describes: lang, decision, matches with scores."""
    return json.dumps({"lang": result.lang, "decision": result.decision,
                       "matches": [{"id": m.id, "score": m.score} for m in result.matches]},
                      ensure_ascii=False)


def as_text(question: str, result: Result) -> str:
    """For a person at a terminal."""
    lines = [f"question: {question}", f"language: {result.lang}",
             f"decision: {result.decision}"]
    lines += [f"  {m.score:.2f}  {m.id}" for m in result.matches]
    return "\n".join(lines)


def run(questions: list[str], lang: str | None, as_json_lines: bool, stdin: TextIO,
        stdout: TextIO) -> int:
    """Answer the given question, or every line of standard input."""
    matcher = build_matcher()
    batch = not questions
    for question in _questions(questions, stdin):
        result = matcher.ask(question, lang)
        stdout.write((as_json(result) if as_json_lines or batch else as_text(question, result))
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
