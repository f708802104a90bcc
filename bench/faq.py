"""Time to read one typed question as the bot does, over every FAQ in four languages.

Run: .venv/bin/python -m bench.faq

Uses every question of the test set (in scope and out of scope), five rounds,
and prints the median and 99th percentile in milliseconds (target: p99 < 20 ms).
"""

from __future__ import annotations

import statistics
import time

from bench.faq_eval import load
from bot.core.faq.ask import build_matcher, read

ROUNDS = 5


def main() -> None:
    """Print the timings."""
    data = load("test")
    questions = [q["text"] for q in data["questions"] + data["out_of_scope"]]
    matcher = build_matcher()
    timings = []
    for _ in range(ROUNDS):
        for question in questions:
            started = time.perf_counter()
            read(matcher, question)  # the bot's whole order: safety net, small talk, matcher
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p99 = timings[int(len(timings) * 0.99) - 1]
    print(f"{len(questions)} questions × {ROUNDS} rounds over {len(matcher.phrases)} phrases: "
          f"median {statistics.median(timings):.2f} ms, p99 {p99:.2f} ms")


if __name__ == "__main__":
    main()
