"""Showing where facts come from: flows/sources.yaml, rendered for journeys and answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

from babel.dates import format_date

from bot.core.content import known_sources
from bot.core.render import format_html
from bot.i18n import _, current_locale


@dataclass(frozen=True)
class Sourced:
    """Where a text's facts come from, when a person last checked them, and for a ⚠️ fact
    (changes yearly, pending, old source) the date by which to check it again."""

    sources: tuple[str, ...]
    last_checked: date
    review_by: date | None = None


def sources_text(tags: list[str], checked: date) -> str:
    """Titles (the pages' own, untranslated), links, and the date a person last checked."""
    footer = format_html(_("Last checked: {date}"),
                         date=format_date(checked, "long", locale=current_locale()))
    return "\n".join([_("<b>Sources</b>"), *(_source_line(tag) for tag in tags), footer])


def _source_line(tag: str) -> str:
    source = known_sources()[tag]
    title = escape(source["title"], quote=False)
    url = source.get("url")
    return f'• <a href="{escape(url)}">{title}</a>' if url else f"• {title}"
