"""The one learned component: character n-grams and a linear model with logistic loss.

The safety net, small talk and the FAQ matcher each train one at startup from their own
hand-written data (no downloaded weights). Character n-grams within words survive what
word lists miss: clitics, misspellings, vowel spellings, dialect forms.
"""

from __future__ import annotations

from collections.abc import Sequence

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier

from bot.core.normalize import normalize

EPOCHS = 50


class TextModel:
    """A vectoriser and a classifier over labelled texts; deterministic (fixed seed)."""

    def __init__(self, texts: Sequence[str], labels: Sequence[str], ngrams: tuple[int, int],
                 regularisation: float, balanced: bool) -> None:
        self.vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=ngrams,
                                          sublinear_tf=True)
        self.classifier = SGDClassifier(loss="log_loss", alpha=regularisation,
                                        max_iter=EPOCHS, random_state=0,
                                        class_weight="balanced" if balanced else None)
        self.classifier.fit(self.vectoriser.fit_transform([normalize(t) for t in texts]),
                            list(labels))
        self.labels = [str(label) for label in self.classifier.classes_]

    def probabilities(self, text: str) -> dict[str, float]:
        """Every label's probability for one text."""
        row = self.classifier.predict_proba(self.vectoriser.transform([normalize(text)]))[0]
        return {label: float(p) for label, p in zip(self.labels, row, strict=True)}
