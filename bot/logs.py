"""Structured log lines that never carry a user's words, their Telegram id, or the token."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TextIO

_keys = [b"wegwijs-console"]  # the pseudonym key: derived from the token when there is one
_secrets: list[str] = []

# Fields a caller may attach with `extra=`; anything else stays out of the line.
FIELDS = ("user", "update", "kind", "count", "error", "attempt")


def pseudonym(telegram_id: int) -> str:
    """Log lines can be joined per person without saying who the person is."""
    digest = hmac.new(_keys[0], str(telegram_id).encode(), hashlib.sha256).hexdigest()
    return f"u-{digest[:12]}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line, so logs can be searched without parsing prose."""

    def format(self, record: logging.LogRecord) -> str:
        """Time, level, logger, message and the allowed extra fields, with secrets masked."""
        line: dict[str, object] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update({k: getattr(record, k) for k in FIELDS if hasattr(record, k)})
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__name__  # the type only: values can quote text
        return mask(json.dumps(line, ensure_ascii=False, default=str))


def mask(text: str) -> str:
    """The bot token appears in Bot API URLs; it must never reach a log file."""
    for secret in _secrets:
        text = text.replace(secret, "<secret>")
    return text


def configure(token: str | None, level: int = logging.INFO, stream: TextIO | None = None,
              secrets: Sequence[str] = ()) -> None:
    """Set up the root logger once per process: JSON lines, token (and other secrets, such
    as the webhook's) masked, ids keyed."""
    _secrets[:] = [secret for secret in (token, *secrets) if secret]
    if token:
        _keys[0] = hashlib.sha256(b"wegwijs-log:" + token.encode()).digest()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # request lines carry the token
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
