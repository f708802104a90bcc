"""The answers a newcomer gives about themselves, with their labels in every language."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.i18n import N_, current_locale

ROLES = {
    "newcomer": N_("I am new in the Netherlands"),
    "member": N_("I help in a sponsor group"),
    "coordinator": N_("I am a coordinator"),
}

SITUATIONS = {
    "refugee": N_("Refugee with a residence permit"),
    "family": N_("I came to join my family"),
    "eu": N_("I came from the EU to work"),
    "other": N_("Something else"),
}

ARRIVAL_MONTHS_SHOWN = 12


def recent_months(now: datetime, zone: ZoneInfo) -> list[str]:
    """The last twelve months as YYYY-MM, newest first, in local time."""
    today = now.astimezone(zone).date()
    months = []
    year, month = today.year, today.month
    for _ in range(ARRIVAL_MONTHS_SHOWN):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def month_label(value: str) -> str:
    """A YYYY-MM value as the reader's own month name and year."""
    year, month = (int(part) for part in value.split("-"))
    return format_date(date(year, month, 1), "MMMM y", locale=current_locale())
