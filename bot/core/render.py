"""Safe message building: user text is always escaped before it meets our HTML."""

from __future__ import annotations

from html import escape
from typing import Any

from bot.i18n import localize_direction


def format_html(template: str, **values: Any) -> str:
    """Fill a translated HTML template with escaped values."""
    escaped = {key: escape(str(value), quote=False) for key, value in values.items()}
    return template.format(**escaped)


def finish(text: str) -> str:
    """Last step before a text leaves the core: bidi isolation for right-to-left readers."""
    return localize_direction(text)
