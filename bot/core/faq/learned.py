"""The matcher's learned half: character n-grams over every phrasing, trained at startup.

The lexical matcher (bot/core/faq/matcher.py) needs a shared word; this model also knows
questions that share only word pieces with the phrasings: another dialect spelling, a
clitic, a misspelled Dutch term. It is trained from the phrase lists themselves (no
downloaded weights), once per set of entries, and its probabilities are blended with the
lexical scores (weights and thresholds chosen on the dev set, docs/faq.md).
"""

from __future__ import annotations

from functools import cache

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier

from bot.core.normalize import normalize

NGRAMS = (2, 4)
REGULARISATION = 1e-5  # chosen on the dev set; training takes about half a second
EPOCHS = 50

Examples = tuple[tuple[str, str], ...]  # (entry id, phrasing)


class Learned:
    """A vectoriser and a linear model (logistic loss, stochastic gradient) over entry ids."""

    def __init__(self, examples: Examples) -> None:
        self.vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS,
                                          sublinear_tf=True)
        self.classifier = SGDClassifier(loss="log_loss", alpha=REGULARISATION,
                                        max_iter=EPOCHS, random_state=0)
        self.classifier.fit(self.vectoriser.fit_transform([normalize(t) for _, t in examples]),
                            [entry for entry, _ in examples])
        self.ids = [str(entry) for entry in self.classifier.classes_]

    def probabilities(self, text: str) -> dict[str, float]:
        """Every entry's probability for one question."""
        row = self.classifier.predict_proba(self.vectoriser.transform([normalize(text)]))[0]
        return {entry: float(p) for entry, p in zip(self.ids, row, strict=True)}


@cache
def trained(examples: Examples) -> Learned:
    """One model per set of phrasings (every core in a test run shares it)."""
    return Learned(examples)
