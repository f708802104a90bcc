"""The matcher's learned half, trained at startup from the phrase lists.

The lexical matcher (bot/core/faq/matcher.py) needs a shared word; this model also knows
questions that share only word pieces with the phrasings: another dialect spelling, a
clitic, a misspelled Dutch term. Its probabilities are blended with the lexical scores
(weights and thresholds chosen on the dev set, docs/faq.md).
"""

from __future__ import annotations

from functools import cache

from bot.core import textmodel
from bot.core.textmodel import TextModel

NGRAMS = (2, 4)
REGULARISATION = 1e-5  # chosen on the dev set

Examples = tuple[tuple[str, str], ...]  # (entry id, phrasing)


@cache
def trained(examples: Examples) -> TextModel:
    """One model per set of phrasings (every core in a test run shares it)."""
    return textmodel.trained([text for _, text in examples], [entry for entry, _ in examples],
                               NGRAMS, REGULARISATION, balanced=False)
