"""Time to answer one question with the matcher, over every FAQ in four languages.

Run: .venv/bin/python -m bench.faq

Uses every question of tests/data/faq_eval.yaml (in scope and out of scope), five rounds,
and prints the median and 99th percentile in milliseconds (target: p99 < 20 ms).
"""

from __future__ import annotations

import statistics
import time

import yaml

from bench.faq_eval import EVAL
from bot.core.faq.ask import build_matcher

ROUNDS = 5


def main() -> None:
    """Print the timings."""
    data = yaml.safe_load(EVAL.read_text(encoding="utf-8"))
    questions = [q["text"] for q in data["questions"] + data["out_of_scope"]]
    matcher = build_matcher()
    timings = []
    for _ in range(ROUNDS):
        for question in questions:
            started = time.perf_counter()
            matcher.ask(question)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p99 = timings[int(len(timings) * 0.99) - 1]
    print(f"{len(questions)} questions × {ROUNDS} rounds over {len(matcher.phrases)} phrases: "
          f"median {statistics.median(timings):.2f} ms, p99 {p99:.2f} ms")


if __name__ == "__main__":
    main()
