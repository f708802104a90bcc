"""How the safety net's learned model does on examples nobody trained it on: leave one
examples file out at a time, train on the rest, and count what it calls a crisis in the file
left out (its crises caught, its calm look-alikes alarmed), per threshold.

Run: .venv/bin/python -m bench.crisis_lofo [--words | --no-words]

Each examples file was written in its own round, so a file left out stands for phrasings
the model has not seen. This chooses the model's recipe and CRISIS_AT (bot/core/safety_model.py)
without touching the test half of the danger set.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bot.core import safety_model, yamlfile
from bot.core.faq.loader import everyday_questions

THRESHOLDS = (0.5, 0.575, 0.6, 0.65, 0.7, 0.75, 0.76, 0.77, 0.78, 0.79, 0.8)


def main() -> None:
    """Print recall and false alarms on the file left out, summed over all files."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", action=argparse.BooleanOptionalAction,
                        default=safety_model.WORDS, help="words beside characters")
    args = parser.parse_args()
    files = {path.name: yamlfile.parse(path.read_text(encoding="utf-8"))["items"]
             for path in sorted(Path(safety_model.FLOWS).glob(safety_model.EXAMPLES))}
    calm = [{"tier": safety_model.CALM, "text": text} for text in everyday_questions()]
    caught = dict.fromkeys(THRESHOLDS, 0)
    alarmed = dict.fromkeys(THRESHOLDS, 0)
    crises = looks = 0
    started = time.perf_counter()
    for name, items in files.items():
        rest = [item for other, its in files.items() if other != name for item in its]
        model = safety_model.Model(rest + calm, kept=False, words=args.words)
        for item in items:
            if item["tier"] == safety_model.DISTRESS:
                continue
            chance = model.judge(str(item["text"])).crisis
            crisis = item["tier"] == "crisis"
            crises, looks = crises + crisis, looks + (not crisis)
            for threshold in THRESHOLDS:
                if chance >= threshold:
                    (caught if crisis else alarmed)[threshold] += 1
    print(f"words beside characters: {args.words}; {len(files)} files, {crises} crises, "
          f"{looks} calm look-alikes left out in turn ({time.perf_counter() - started:.0f} s)")
    print("threshold  crises caught  calm called a crisis")
    for threshold in THRESHOLDS:
        print(f"{threshold:9}  {caught[threshold] / crises:13.1%}  {alarmed[threshold]:>5} "
              f"({alarmed[threshold] / looks:.1%})")


if __name__ == "__main__":
    main()
