"""The text models predict exactly what scikit-learn's own layout predicts, while keeping
their weights column by column (SciPy then does not copy them on every prediction), and a
model kept on disk is only reused for exactly the same recipe."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy
import pytest

from bot.core.textmodel import trained

TEXTS = ["waar is de huisarts", "hoe krijg ik huurtoeslag", "my landlord does not fix it",
         "متى يأتي البدل المالي", "ናይ ገዛ ክራይ ክንደይ እዩ", "where do I learn dutch",
         "ik zoek een taalcafé", "help with the rent"]
LABELS = ["health", "money", "housing", "money", "housing", "language", "language", "money"]


def test_column_ordered_weights_give_the_same_probabilities(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WEGWIJS_CACHE_DIR", str(tmp_path))
    for _start in ("trained now", "kept from the first start"):
        model = trained(TEXTS, LABELS, (2, 4), 1e-4, balanced=False)
        assert model.classifier.coef_.flags.f_contiguous
        as_fitted = copy.deepcopy(model)
        as_fitted.classifier.coef_ = numpy.ascontiguousarray(model.classifier.coef_)
        for text in [*TEXTS, "huisarts afspraak", "البدل", "dutch lessons"]:
            assert model.probabilities(text) == pytest.approx(
                as_fitted.probabilities(text), abs=1e-12)


def test_a_changed_setting_trains_a_new_model_instead_of_loading_the_kept_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WEGWIJS_CACHE_DIR", str(tmp_path))
    chars = trained(TEXTS, LABELS, (2, 4), 1e-4, balanced=False)
    both = trained(TEXTS, LABELS, (2, 4), 1e-4, balanced=False, words=True)
    other = trained(TEXTS, LABELS, (2, 4), 1e-3, balanced=False, words=True)
    assert len(list(tmp_path.glob("*.joblib"))) == 3
    assert "words" not in str(chars.vectoriser) and "words" in str(both.vectoriser)
    assert other.classifier.alpha == 1e-3
