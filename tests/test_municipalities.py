"""The shipped municipality list and the forgiving matcher."""

from __future__ import annotations

import pytest

from bot.core.municipalities import all_municipalities, match, normalize


def test_list_is_complete() -> None:
    municipalities = all_municipalities()
    assert len(municipalities) == 342
    assert all(code.startswith("GM") and len(code) == 6 for code in municipalities)
    assert municipalities["GM0363"].name == "Amsterdam"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Amsterdam", "GM0363"),
        ("  amsterdam ", "GM0363"),
        ("Gemeente Utrecht", "GM0344"),
        ("den haag", "GM0518"),
        ("Den Bosch", "GM0796"),
        ("sudwest-fryslan", "GM1900"),
    ],
)
def test_exact_names_and_aliases(typed: str, code: str) -> None:
    assert normalize(typed)
    found = match(typed)
    assert found.exact is not None
    assert found.exact.code == code


TYPOS = [("Amsterdm", "Amsterdam"), ("Rotterdamm", "Rotterdam"), ("utrect", "Utrecht"),
         ("Eindhovn", "Eindhoven")]


@pytest.mark.parametrize(("typed", "expected"), TYPOS)
def test_typos_become_suggestions(typed: str, expected: str) -> None:
    found = match(typed)
    assert found.exact is None
    assert 1 <= len(found.suggestions) <= 3
    assert found.suggestions[0].name == expected


def test_ambiguous_name_suggests_both() -> None:
    names = {m.name for m in match("Bergen").suggestions}
    assert {"Bergen (NH.)", "Bergen (L.)"} <= names


@pytest.mark.parametrize("typed", ["xqzv", "", "!!!", "مدينة"])
def test_nonsense_finds_nothing(typed: str) -> None:
    found = match(typed)
    assert found.exact is None
    assert found.suggestions == ()
