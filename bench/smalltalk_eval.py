"""How often small talk is recognised, and how often a question is taken for small talk.

Run: .venv/bin/python -m bench.smalltalk_eval [--set dev|test] [--misses]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from bot.core import smalltalk
from bot.i18n import language_codes

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def expected(item: dict[str, Any]) -> str:
    """The intent an item expects (YAML 1.1 reads a bare yes/no as a boolean)."""
    value = item["expect"]
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def load(name: str) -> dict[str, Any]:
    """One half of the FAQ and small-talk set."""
    data: dict[str, Any] = yaml.safe_load((DATA / f"faq_{name}.yaml").read_text(encoding="utf-8"))
    return data


def evaluate(data: dict[str, Any]) -> tuple[Counter[str], Counter[str], Counter[str], list[str]]:
    """Per language: small talk seen, recognised (right intent), questions taken for talk."""
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    taken: Counter[str] = Counter()
    misses = []
    for item in data["smalltalk"]:
        talk, want = smalltalk.read(item["text"]), expected(item)
        total[item["lang"]] += 1
        hit = talk is not None and (want == smalltalk.EMOJI or want in talk.touched)
        right[item["lang"]] += hit
        if not hit:
            misses.append(f"{item['lang']} {want}: {item['text']} → {talk}")
    for item in data["questions"] + data["out_of_scope"]:
        if smalltalk.read(item["text"]) is not None:
            taken[item["lang"]] += 1
            misses.append(f"TAKEN {item['lang']}: {item['text']}")
    return total, right, taken, misses


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", choices=("dev", "test"), default="dev")
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    data = load(args.set)
    total, right, taken, misses = evaluate(data)
    questions = Counter(i["lang"] for i in data["questions"] + data["out_of_scope"])
    print(f"small talk, {args.set} set")
    print("lang  small talk  recognised  questions taken for small talk")
    for lang in language_codes():
        print(f"{lang:4}  {total[lang]:10}  {right[lang] / max(total[lang], 1):10.0%}"
              f"  {taken[lang]} of {questions[lang]}")
    if args.misses:
        print("\n".join(misses))


if __name__ == "__main__":
    main()
