"""Wegwijs: `python main.py` runs the Telegram bot with a token, the console chat without."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())
