"""Reaching Telegram at start: a bot that starts while the network or Telegram is down waits
for it, one log line per try, instead of stopping with a traceback.

PTB's own bootstrap retries log at debug level and back off from a fixed second; here the
first pause is a setting (WEGWIJS_CONNECT_RETRY) and every failed try says, in one line, why
and when the next one comes. A token Telegram refuses is no network problem: it stops at once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application

log = logging.getLogger(__name__)
GROWTH = 2.0  # each pause is this much longer than the one before …
LONGEST = 60.0  # … up to a minute


async def reach_telegram(application: Application[Any, Any, Any, Any, Any, Any],
                         first_wait: float) -> None:
    """Initialise the application (getMe) until Telegram answers; raises InvalidToken."""
    wait, tries = first_wait, 0
    while True:
        try:
            await application.initialize()
            if tries:
                log.info("Telegram answered after %s failed tries", tries)
            return
        except InvalidToken:
            raise
        except NetworkError as exc:  # refused, dropped, timed out, 5xx
            tries += 1
            log.warning("Telegram is not reachable (%s); next try in %s s", reason(exc),
                        f"{wait:g}", extra={"attempt": tries})
        await asyncio.sleep(wait)
        wait = min(wait * GROWTH, max(LONGEST, first_wait))


def reason(error: NetworkError) -> str:
    """The cause in a few words, without the URL (which holds the token)."""
    cause = error.__cause__
    return type(cause).__name__ if cause is not None else type(error).__name__
