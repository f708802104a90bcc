"""`python -m bot.core.journeys.check`: list every problem in the journey files."""

from __future__ import annotations

import sys

from bot.core.content import JourneyError, load_journeys


def main() -> int:
    """Exit 1 and print the problems, or print what was loaded."""
    translations = "--no-translations" not in sys.argv
    try:
        journeys = load_journeys(translations=translations)
    except JourneyError as error:
        print(error)
        return 1
    for journey in journeys.values():
        print(f"{journey.journey}: {len(journey.nodes)} nodes ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
