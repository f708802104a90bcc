"""Accuracy of the question matcher on tests/data/faq_eval.yaml, per language.

Run: .venv/bin/python -m bench.faq_eval

The evaluation questions were written independently of the matcher's own phrase lists.
Prints top-1 and top-3 accuracy, the rate of confident wrong answers (decision "answer"
with the wrong entry) and, for out-of-scope questions, how often the bot answered anyway.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.faq.ask import build_matcher
from bot.core.faq.matcher import Matcher

EVAL = Path(__file__).resolve().parent.parent / "tests" / "data" / "faq_eval.yaml"


@dataclass
class Score:
    """Counts for one language."""

    total: int = 0
    top1: int = 0
    top3: int = 0
    confident_wrong: int = 0
    misses: list[str] = field(default_factory=list)

    def rates(self) -> tuple[float, float, float]:
        """Top-1, top-3 and confident-wrong as fractions."""
        n = max(self.total, 1)
        return self.top1 / n, self.top3 / n, self.confident_wrong / n


def evaluate(matcher: Matcher, data: dict[str, Any]) -> tuple[dict[str, Score], dict[str, Score]]:
    """Scores per language for in-scope questions, and answered-anyway for out-of-scope."""
    scores: dict[str, Score] = defaultdict(Score)
    for item in data["questions"]:
        result, score = matcher.ask(item["text"]), scores[item["lang"]]
        ids = [m.id for m in result.matches]
        score.total += 1
        score.top1 += ids[:1] == [item["expect"]] and result.decision != "unknown"
        score.top3 += item["expect"] in ids[:3] and result.decision != "unknown"
        wrong = result.decision == "answer" and ids[:1] != [item["expect"]]
        score.confident_wrong += wrong
        if ids[:1] != [item["expect"]]:
            score.misses.append(f"{item['text']} → {ids[:1]} (want {item['expect']})")
    outside: dict[str, Score] = defaultdict(Score)
    for item in data["out_of_scope"]:
        result = matcher.ask(item["text"])
        outside[item["lang"]].total += 1
        outside[item["lang"]].confident_wrong += result.decision == "answer"
    return dict(scores), dict(outside)


def main() -> None:
    """Print the table."""
    data = yaml.safe_load(EVAL.read_text(encoding="utf-8"))
    scores, outside = evaluate(build_matcher(), data)
    print("lang  questions  top-1  top-3  confident-wrong  out-of-scope answered")
    for lang in ("nl", "en", "ar", "ti"):
        top1, top3, wrong = scores[lang].rates()
        answered = outside[lang].confident_wrong / max(outside[lang].total, 1)
        print(f"{lang:4}  {scores[lang].total:9}  {top1:5.0%}  {top3:5.0%}  {wrong:15.0%}"
              f"  {answered:6.0%} of {outside[lang].total}")


if __name__ == "__main__":
    main()
