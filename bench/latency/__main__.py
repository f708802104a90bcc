"""The command line: `python -m bench.latency` (see bench/latency/__init__.py)."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

import bench.latency
from bench.latency.measure import measure
from bench.latency.plan import Options
from bench.latency.report import quiet_logging, report


def _parse(argv: Sequence[str] | None = None) -> Options:
    """The command line as Options."""
    about = bench.latency.__doc__
    parser = argparse.ArgumentParser(prog="python -m bench.latency",
                                     description=about.splitlines()[0] if about else None)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--people", type=int, default=500, help="onboarded people who act")
    parser.add_argument("--rate", type=float, default=50.0, help="updates per second")
    parser.add_argument("--broadcast", type=int, default=5000, help="broadcast recipients")
    parser.add_argument("--reminders", type=int, default=300, help="reminders due in the run")
    parser.add_argument("--latency", type=float, default=0.030,
                        help="seconds the fake Bot API adds to every call")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    return Options(args.duration, args.people, args.rate, args.broadcast, args.reminders,
                   args.latency, args.seed)


def main() -> None:
    """Print the numbers against their goals."""
    options = _parse()
    tally = quiet_logging()
    report(asyncio.run(measure(options)), tally)


if __name__ == "__main__":
    main()
