"""The one learned component: character n-grams and a linear model with logistic loss.

The safety net, small talk and the FAQ matcher each train one from their own hand-written
data (no downloaded weights). Character n-grams within words survive what word lists
miss: clitics, misspellings, vowel spellings, dialect forms.

Training all three takes several seconds, and a restart must not leave people waiting:
a trained model is kept on disk (scikit-learn's documented persistence, joblib), under a
name made from everything that went into it, so the next start with the same data loads
it in a fraction of a second and changed data is trained afresh. Nothing is downloaded or
committed; the folder is a cache (WEGWIJS_CACHE_DIR, else ~/.cache/wegwijs) and may be
deleted at any time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import FeatureUnion

from bot.core.normalize import normalize

log = logging.getLogger(__name__)
EPOCHS = 50
FORMAT = 1  # bumped when what is kept changes shape
UNUSED_FOR = 14 * 24 * 3600  # seconds after which a kept model nobody loaded is removed


@dataclass(frozen=True)
class TextModel:
    """A fitted vectoriser and classifier over labelled texts."""

    vectoriser: TfidfVectorizer | FeatureUnion
    classifier: SGDClassifier
    labels: tuple[str, ...]

    def probabilities(self, text: str) -> dict[str, float]:
        """Every label's probability for one text."""
        row = self.classifier.predict_proba(self.vectoriser.transform([normalize(text)]))[0]
        return {label: float(p) for label, p in zip(self.labels, row, strict=True)}


def trained(texts: Sequence[str], labels: Sequence[str], ngrams: tuple[int, int],
            regularisation: float, *, balanced: bool, words: bool = False) -> TextModel:
    """The model for these examples: kept from an earlier start, or trained now (with a
    fixed seed, so both are the same model). With `words`, whole words and word pairs count
    beside the characters."""
    shown = [normalize(text) for text in texts]
    unfitted = _unfitted(ngrams, regularisation, balanced=balanced, words=words)
    path = cache_dir() / f"{_key(shown, labels, unfitted)}.joblib"
    kept = _load(path)
    if kept is not None:
        return _column_ordered(kept)
    model = _fit(shown, labels, unfitted)
    _keep(path, model)
    return _column_ordered(model)


def train(texts: Sequence[str], labels: Sequence[str], ngrams: tuple[int, int],
          regularisation: float, *, balanced: bool, words: bool = False) -> TextModel:
    """The same model, not kept: for measurements that train many (bench/crisis_lofo.py)."""
    unfitted = _unfitted(ngrams, regularisation, balanced=balanced, words=words)
    return _column_ordered(_fit([normalize(text) for text in texts], labels, unfitted))


def _column_ordered(model: TextModel) -> TextModel:
    """The same weights stored column by column (Fortran order), so scikit-learn's
    `X @ coef_.T` reads them in place: in C order SciPy copies the whole weight matrix on
    every prediction, half of a typed message's CPU time (docs/benchmarks.md)."""
    model.classifier.coef_ = numpy.asfortranarray(model.classifier.coef_)
    return model


def cache_dir() -> Path:
    """Where trained models are kept between starts."""
    configured = os.environ.get("WEGWIJS_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "wegwijs"


Unfitted = tuple[TfidfVectorizer | FeatureUnion, SGDClassifier]


def _unfitted(ngrams: tuple[int, int], regularisation: float, *, balanced: bool,
              words: bool) -> Unfitted:
    """The vectoriser and classifier of a recipe, before they have seen any example."""
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=ngrams, sublinear_tf=True)
    vectoriser: TfidfVectorizer | FeatureUnion = chars
    if words:  # scikit-learn's own tokens: words of two letters or more ("b", "i" are noise)
        vectoriser = FeatureUnion([
            ("chars", chars),
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)),
        ])
    classifier = SGDClassifier(loss="log_loss", alpha=regularisation, max_iter=EPOCHS,
                               random_state=0, n_jobs=-1,
                               class_weight="balanced" if balanced else None)
    return vectoriser, classifier


def _fit(shown: list[str], labels: Sequence[str], unfitted: Unfitted) -> TextModel:
    vectoriser, classifier = unfitted
    classifier.fit(vectoriser.fit_transform(shown), list(labels))
    return TextModel(vectoriser, classifier, tuple(str(c) for c in classifier.classes_))


def _key(shown: list[str], labels: Sequence[str], unfitted: Unfitted) -> str:
    """A name that changes with anything that changes the model: the examples, and every
    setting of the vectoriser and classifier (their scikit-learn descriptions name them)."""
    recipe = [FORMAT, sklearn.__version__, [str(part) for part in unfitted],
              shown, [str(label) for label in labels]]
    return hashlib.sha256(json.dumps(recipe, ensure_ascii=False).encode()).hexdigest()[:32]


def _load(path: Path) -> TextModel | None:
    """A kept model, if there is a readable one (anything else: train again)."""
    try:
        model = joblib.load(path)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a half-written or foreign file: not worth a crash
        log.warning("kept model %s unreadable (%s); training again", path.name,
                    type(exc).__name__)
        return None
    if not isinstance(model, TextModel):
        return None
    os.utime(path)  # in use: not removed as stale
    return model


def _keep(path: Path, model: TextModel) -> None:
    """Write atomically (two processes may start at once); a read-only disk only costs time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        joblib.dump(model, partial)
        partial.replace(path)
        _forget_stale(path.parent)
    except OSError as exc:
        log.warning("trained model not kept (%s): the next start trains again", exc)


def _forget_stale(folder: Path) -> None:
    """Models for data that changed long ago are not needed any more."""
    cutoff = time.time() - UNUSED_FOR
    for old in folder.glob("*.joblib"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
