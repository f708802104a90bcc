"""Recall of the safety net per kind and language, and how often it cries wolf.

Run: .venv/bin/python -m bench.crisis_eval [--set dev|test|holdout] [--misses]

The sets (tests/data/danger_dev.yaml, danger_test.yaml) were written by someone who had
not seen flows/crisis.yaml. Tune on dev; the test half is only reported.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core import safety, safety_model

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
LANGS = ("nl", "en", "ar", "ti", "pl")


@dataclass
class Report:
    """Counts over one evaluation set."""

    crisis: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, lang) → total
    caught: Counter[tuple[str, str]] = field(default_factory=Counter)  # … caught as crisis
    asked: int = 0  # crisis messages not caught that got the safety question instead
    right_kind: int = 0
    distress: Counter[str] = field(default_factory=Counter)
    distress_seen: Counter[str] = field(default_factory=Counter)  # distress or crisis
    calm: Counter[str] = field(default_factory=Counter)
    false_crisis: Counter[str] = field(default_factory=Counter)
    false_distress: Counter[str] = field(default_factory=Counter)
    false_check: int = 0  # ordinary messages and small talk that got the safety question
    distress_checked: int = 0  # distress messages that got the safety question
    about_other: int = 0
    about_other_right: int = 0
    self_as_other: int = 0  # the writer's own crisis read as a report about someone else
    misses: list[str] = field(default_factory=list)

    def recall(self) -> float:
        """Share of crisis messages answered with the crisis answer."""
        return sum(self.caught.values()) / max(sum(self.crisis.values()), 1)

    def reached(self) -> float:
        """Share of crisis messages that got the crisis answer or the safety question."""
        return (sum(self.caught.values()) + self.asked) / max(sum(self.crisis.values()), 1)

    def false_check_rate(self) -> float:
        """Share of ordinary messages and small talk that got the safety question."""
        return self.false_check / max(sum(self.calm.values()), 1)

    def false_crisis_rate(self) -> float:
        """Share of ordinary messages and small talk answered as a crisis."""
        return sum(self.false_crisis.values()) / max(sum(self.calm.values()), 1)

    def distress_recall(self) -> float:
        """Share of distress messages that get at least the gentle line."""
        return sum(self.distress_seen.values()) / max(sum(self.distress.values()), 1)


def load(name: str) -> list[dict[str, Any]]:
    """One half of the danger set."""
    data = yaml.safe_load((DATA / f"danger_{name}.yaml").read_text(encoding="utf-8"))
    items: list[dict[str, Any]] = data["items"]
    return items


def evaluate(items: list[dict[str, Any]]) -> Report:
    """Run the shipped detector over every item."""
    report = Report()
    for item in items:
        reading, lang = safety.read(item["text"]), item["lang"]
        if item["tier"] == "crisis":
            _crisis(report, item, reading)
        elif item["tier"] == "distress":
            report.distress[lang] += 1
            report.distress_seen[lang] += reading.distress or reading.crisis or bool(reading.check)
            report.distress_checked += bool(reading.check)
            if not (reading.distress or reading.crisis):
                report.misses.append(f"distress {lang}: {item['text']}")
        else:
            report.calm[lang] += 1
            report.false_crisis[lang] += reading.crisis
            report.false_distress[lang] += reading.distress and not reading.crisis
            report.false_check += bool(reading.check)
            if reading.check:
                report.misses.append(f"asked {reading.check} {lang}: {item['text']}")
            if reading.crisis:
                report.misses.append(f"FALSE {reading.kind} {lang}: {item['text']}")
    return report


def _crisis(report: Report, item: dict[str, Any], reading: safety.Reading) -> None:
    key = (item["kind"], item["lang"])
    report.crisis[key] += 1
    report.caught[key] += reading.crisis
    report.right_kind += reading.kind == item["kind"]
    report.asked += bool(reading.check)
    if item.get("about") == "other" and reading.crisis:
        report.about_other += 1
        report.about_other_right += reading.about_other
    if item.get("about") == "self" and reading.crisis:
        report.self_as_other += reading.about_other
    if not reading.crisis:
        asked = " (asked)" if reading.check else ""
        report.misses.append(f"missed{asked} {item['kind']} {item['lang']}: {item['text']}")


def table(report: Report) -> str:
    """Recall per kind and language, then the rates."""
    lines = ["kind               " + "  ".join(f"{lang:>8}" for lang in LANGS)]
    for kind in safety.KINDS:
        cells = []
        for lang in LANGS:
            total = report.crisis[(kind, lang)]
            cells.append(f"{report.caught[(kind, lang)]:>3}/{total:<3}" if total else "   -    ")
        lines.append(f"{kind:18} " + "  ".join(f"{c:>8}" for c in cells))
    total = sum(report.crisis.values())
    calm = sum(report.calm.values())
    lines += [
        "",
        f"crisis recall      {report.recall():.1%} of {total}"
        f" (kind right {report.right_kind / max(total, 1):.1%})",
        f"… or the question  {report.reached():.1%}"
        f" (crisis answer, or the safety question with 112 and 113: {report.asked} more)",
        f"distress recall    {report.distress_recall():.1%} of {sum(report.distress.values())}"
        f" (distress line, safety question ({report.distress_checked}) or crisis answer)",
        f"false crisis       {report.false_crisis_rate():.1%} of {calm} ordinary and small talk",
        f"false question     {report.false_check_rate():.1%} of {calm}"
        " (the safety question on an ordinary message or small talk)",
        f"false distress     {sum(report.false_distress.values()) / max(calm, 1):.1%} of {calm}",
        f"about someone else {report.about_other_right}/{report.about_other} reports recognised,"
        f" {report.self_as_other} writers' own crises read as about someone else",
    ]
    return "\n".join(lines)


def tune(items: list[dict[str, Any]]) -> str:
    """The learned model's thresholds that catch most on this half (dev) while false crises
    stay ≤ 1% and false distress lines ≤ 5% of ordinary messages, counting the questions of
    the FAQ dev set as ordinary messages too."""
    faq = yaml.safe_load((DATA / "faq_dev.yaml").read_text(encoding="utf-8"))
    items = items + [{"tier": "none", "text": q["text"], "faq": True} for q in
                     faq["questions"] + faq["smalltalk"] + faq["out_of_scope"]
                     if not str(q.get("expect", "")).startswith("crisis.")]
    rules = [safety.detector().read(item["text"]) for item in items]
    judged = [_shipped(item["text"]) for item in items]
    steps = [round(0.3 + 0.025 * i, 3) for i in range(27)]
    crisis_at = max(steps, key=lambda t: _tuned(items, rules, judged, t, 2.0))
    # the shipped CRISIS_AT is chosen by leaving examples files out (bench/crisis_lofo.py):
    # dev, where the rules catch every crisis, would take the lowest that stays within limits
    shipped = safety_model.CRISIS_AT
    distress_at = max(steps, key=lambda t: _tuned(items, rules, judged, shipped, t))
    check_at = min((t for t in steps if t < shipped and _asks_fit(items, rules, judged, t)),
                   default=shipped)
    return (f"CRISIS_AT = {crisis_at} on dev alone (shipped: {shipped}, see bench.crisis_lofo); "
            f"at {shipped}: DISTRESS_AT = {distress_at}, CHECK_AT = {check_at}")


def _asks_fit(items: list[dict[str, Any]], rules: list[safety.Reading],
              judged: list[safety_model.Judgement], check_at: float) -> bool:
    """Whether the safety question from this threshold up stays rare on calm messages:
    ≤ 1% of everyday questions (the FAQ dev set), ≤ 3% of the danger set's look-alikes."""
    asked = [not r.crisis and check_at <= j.crisis < safety_model.CRISIS_AT
             for r, j in zip(rules, judged, strict=True)]  # a crisis the model calls is no question
    for faq, limit in ((True, 0.01), (False, 0.03)):
        calm = [i for i, item in enumerate(items)
                if item["tier"] == "none" and item.get("faq", False) == faq]
        if sum(asked[i] for i in calm) > limit * len(calm):
            return False
    return True


def _shipped(text: str) -> safety_model.Judgement:
    """The model's view as the bot uses it: an everyday phrase the rules know ("my phone died")
    leaves it no crisis to call, and small talk that says all is well is not shown to it."""
    judged = safety_model.model().judge(text)
    if safety.detector().excused(text) or safety.all_is_well(text):
        return safety_model.Judgement(judged.kind, 0.0, judged.troubled)
    return judged


def _tuned(items: list[dict[str, Any]], rules: list[safety.Reading],
           judged: list[safety_model.Judgement], crisis_at: float, distress_at: float) -> float:
    """Recall (crisis, then distress) with the limits as a hard condition; -1 past them."""
    crisis = [r.crisis or j.crisis >= crisis_at for r, j in zip(rules, judged, strict=True)]
    troubled = [c or r.distress or j.troubled >= distress_at
                for c, r, j in zip(crisis, rules, judged, strict=True)]
    calm = [i for i, item in enumerate(items) if item["tier"] == "none"]
    if sum(crisis[i] for i in calm) > 0.01 * len(calm):
        return -1.0
    if sum(troubled[i] and not crisis[i] for i in calm) > 0.05 * len(calm):
        return -1.0
    hits = [crisis[i] for i, item in enumerate(items) if item["tier"] == "crisis"]
    seen = [troubled[i] for i, item in enumerate(items) if item["tier"] == "distress"]
    return sum(hits) / len(hits) + sum(seen) / len(seen) / 1000 - distress_at / 1e6


def ordinary() -> str:
    """How many everyday questions of the FAQ sets get the crisis answer or the safety
    question (dev and test)."""
    lines = []
    for half in ("dev", "test"):
        data = yaml.safe_load((DATA / f"faq_{half}.yaml").read_text(encoding="utf-8"))
        texts = [q["text"] for q in data["questions"] + data["smalltalk"] + data["out_of_scope"]
                 if not str(q.get("expect", "")).startswith("crisis.")]
        readings = [safety.read(text) for text in texts]
        alarms = sum(r.crisis for r in readings)
        asked = sum(bool(r.check) for r in readings)
        lines.append(f"faq {half}: {alarms} of {len(texts)} ordinary messages "
                     f"({alarms / len(texts):.1%}) got the crisis answer, {asked} "
                     f"({asked / len(texts):.1%}) the safety question")
    return "\n".join(lines)


def main() -> None:
    """Print the table for one half (dev by default)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", choices=("dev", "test", "holdout"), default="dev")
    parser.add_argument("--misses", action="store_true", help="list what went wrong")
    parser.add_argument("--ordinary", action="store_true",
                        help="false crises on the ordinary questions of the FAQ sets")
    parser.add_argument("--tune", action="store_true",
                        help="print the learned model's thresholds that fit this half best")
    args = parser.parse_args()
    if args.tune:
        print(tune(load(args.set)))
        return
    if args.ordinary:
        print(ordinary())
        return
    report = evaluate(load(args.set))
    print(f"danger set: {args.set}")
    print(table(report))
    if args.misses:
        print("\n".join(["", *report.misses]))


if __name__ == "__main__":
    main()
