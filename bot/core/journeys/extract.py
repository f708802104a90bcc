"""Babel extractor: journey texts go into the same catalogs as the rest of the bot."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from bot.core import yamlfile
from bot.core.journeys.schema import Journey


def extract_journey(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Yield every text with its msgctxt and a comment naming flows/journeys/<file>:<node>."""
    journey = Journey.model_validate(yamlfile.parse(fileobj.read().decode("utf-8")))
    name = Path(getattr(fileobj, "name", "journey.yaml")).name
    for context, node_id, text in journey.keyed_texts():
        yield 0, "pgettext", (context, text), [f"flows/journeys/{name}:{node_id}"]
