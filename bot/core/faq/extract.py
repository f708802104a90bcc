"""Babel extractor: FAQ questions and answers go into the same catalogs as everything else."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from bot.core import yamlfile
from bot.core.faq.schema import FaqFile


def extract_faq(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Yield question and answer of every entry, with a comment naming file and id."""
    parsed = FaqFile.model_validate(yamlfile.parse(fileobj.read().decode("utf-8")))
    name = Path(getattr(fileobj, "name", "faq.yaml")).name
    for entry in parsed.entries:
        for context, text in entry.keyed_texts():
            yield 0, "pgettext", (context, text), [f"flows/faq/{name}:{entry.id}"]
