"""Crisis first: words of suicide, violence at home or a child in danger get the crisis
numbers at once, in any language and whatever the user was doing, before anything else.

The phrases live in flows/crisis.yaml so that people who know the languages can review
them; matching is on normalised text (bot/core/normalize.py), whole words only.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from bot.core.normalize import normalize
from bot.core.ports import Kind
from bot.core.router import Router, Turn
from bot.i18n import LOCALES_DIR, _, language_codes, switch_locale

PHRASES = LOCALES_DIR.parent / "flows" / "crisis.yaml"
KINDS = ("suicide", "violence_home", "child_danger")


@cache
def phrases(path: Path = PHRASES) -> dict[str, tuple[tuple[str, str], ...]]:
    """Kind → (language, normalised phrase) pairs; a malformed file stops startup."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or set(data) != set(KINDS):
        raise ValueError(f"{path}: expected exactly the kinds {', '.join(KINDS)}")
    table = {}
    for kind in KINDS:
        unknown = set(data[kind]) - set(language_codes())
        if unknown:
            raise ValueError(f"{path}: {kind}: unknown language(s) {sorted(unknown)}")
        table[kind] = tuple((lang, normalize(p)) for lang, items in data[kind].items()
                            for p in items if normalize(p))
    return table


def detect(text: str) -> tuple[str, str] | None:
    """(kind, language of the phrase) for the first crisis phrase in the text, if any."""
    padded = f" {normalize(text)} "
    for kind, pairs in phrases().items():
        for lang, phrase in pairs:
            if f" {phrase} " in padded:
                return kind, lang
    return None


def crisis_text() -> str:
    """The numbers, calm and short; 112 first because it is for danger right now."""
    # TRANSLATORS: keep every number, "113.nl" and "Veilig Thuis" exactly as they are.
    return _(
        "<b>You are not alone. Please talk to someone now.</b>\n"
        "🚨 In danger right now: call 112.\n"
        "💬 Thoughts of suicide: call 113 or 0800-0113 (free, day and night, anonymous), "
        "or chat at 113.nl.\n"
        "🏠 Violence at home, or a child in danger: call Veilig Thuis 0800-2000 (free, day "
        "and night)."
    )


async def intercept(turn: Turn) -> bool:
    """Answer a crisis before the feature that owns the input; then show where they were."""
    if turn.event.kind not in (Kind.TEXT, Kind.EDITED):
        return False
    found = detect(turn.event.text)
    if found is None:
        return False
    if turn.user.locale is None:
        switch_locale(found[1])  # no language chosen yet: answer in the one they wrote in
    turn.say(crisis_text())
    await turn.resume()
    return True


def register(router: Router) -> None:
    """Crisis detection sees every typed or edited text first."""
    phrases()  # check the phrase file at startup, not at the first crisis
    router.intercept(intercept)
