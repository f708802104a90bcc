"""How the dashboard shows things: languages by their own names, places by name, moments
in the operator's time zone and in the viewer's language, and Telegram HTML as text."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_timedelta

from bot.core.municipalities import all_municipalities
from bot.i18n import _, current_locale, languages

_TAG = re.compile(r"<[^>]+>")
_ICON = re.compile(r"^\W+\s+")  # the emoji a bot button starts with


def label(msgid: str) -> str:
    """A bot button's label in the viewer's language, without its emoji (a table is no
    keyboard, and screen readers would read the emoji's name)."""
    return _ICON.sub("", _(msgid))


def language(code: str) -> str:
    """A language by its own name ("العربية"); '' is "not chosen"."""
    found = next((lang.native_name for lang in languages() if lang.code == code), None)
    return found or (code if code else _("not chosen"))


def place(code: str) -> str:
    """A municipality by name; '' is "not told"."""
    town = all_municipalities().get(code)
    return town.name if town else (code if code else _("not told"))


def moment(at: datetime | None, zone: ZoneInfo) -> str:
    """A date and time as the viewer reads them."""
    if at is None:
        return "–"
    return format_datetime(at.astimezone(zone), "d MMM yyyy HH:mm", locale=current_locale())


def waited(since: datetime, now: datetime) -> str:
    """How long something has waited ("3 hours")."""
    return format_timedelta(max(now - since, timedelta()), threshold=1.5,
                            locale=current_locale())


def plain(telegram_html: str) -> str:
    """What a Telegram message shows, without its tags (the template escapes it again)."""
    return html.unescape(_TAG.sub("", telegram_html))
