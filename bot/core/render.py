"""Safe message building: user text is always escaped before it meets our HTML."""

from __future__ import annotations

import re
from html import escape, unescape
from typing import Any

from bot.i18n import isolate_latin, localize_direction

_TAG = re.compile(r"<[^>]*>")


def format_html(template: str, **values: Any) -> str:
    """Fill a translated HTML template with escaped values."""
    escaped = {key: escape(str(value), quote=False) for key, value in values.items()}
    return template.format(**escaped)


def finish(text: str) -> str:
    """Last step before a text leaves the core: bidi isolation for right-to-left readers."""
    return localize_direction(text)


def shown_length(text: str, markup: bool = False) -> int:
    """How long Telegram counts a text at most: in UTF-16 units (an emoji is two), after the
    bidi isolation a right-to-left reader's copy gets (each Latin run gains two marks).

    `text` is plain, as typed (it will be escaped), unless `markup`: then it is our HTML,
    whose tags do not count.
    """
    source = text if markup else escape(text, quote=False)
    shown = unescape(_TAG.sub("", isolate_latin(source)))
    return len(shown.encode("utf-16-le")) // 2
