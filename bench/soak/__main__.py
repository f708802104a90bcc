"""The command line: `python -m bench.soak --duration 180` (see bench/soak/__init__.py)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import bench.soak
from bench.soak.run import Options, soak


def main() -> None:
    """Print the figures; docs/soak.md records them with the command."""
    about = bench.soak.__doc__
    parser = argparse.ArgumentParser(prog="python -m bench.soak",
                                     description=about.splitlines()[0] if about else None)
    parser.add_argument("--duration", type=float, default=180, help="seconds of activity")
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--think", type=float, default=10,
                        help="mean seconds between one person's actions")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--busy-timeout", type=float, default=0.5,
                        help="the bot's SQLite busy timeout (production: 10 s)")
    parser.add_argument("--calm", type=float, default=240,
                        help="at most this many seconds for the bot to send what it owes")
    parser.add_argument("--keep", type=Path, help="keep the database and the bot's log here")
    args = parser.parse_args()
    options = Options(args.duration, args.users, args.think, args.seed, args.busy_timeout,
                      args.calm, args.keep)
    raise SystemExit(1 if asyncio.run(soak(options)) else 0)


if __name__ == "__main__":
    main()
