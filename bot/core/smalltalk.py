"""Small talk: greetings, thanks, "ok", "good", "who are you"… recognised before the
question matcher, so that "fine" never gets the inburgering-fines answer.

The phrases are data (flows/smalltalk.yaml). A message is small talk when every word is
covered by a phrase or a filler word (longest phrase first, one typo allowed in longer
words); its intent is the strongest one used. Emoji-only messages are small talk too.
A short message the phrases do not cover goes to a character n-gram model trained at
startup on the same phrases against every FAQ phrasing: it names small talk only when it is
sure (LEARNED_AT, set on the dev set so that no question there is taken for small talk).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict
from rapidfuzz.distance import Levenshtein

from bot.core import textmodel, yamlfile
from bot.core.faq.loader import everyday_questions
from bot.core.normalize import normalize
from bot.core.textmodel import TextModel

SMALLTALK_FILE = Path(__file__).resolve().parents[2] / "flows" / "smalltalk.yaml"
INTENTS = ("bad", "good", "thanks", "goodbye", "who_are_you", "are_you_human", "help",
           "greeting", "yes", "no", "ok")  # strongest first: "hi, thanks" is thanks
EMOJI = "emoji"  # an emoji-only message whose emoji says nothing we know
_WORD = re.compile(r"\w")
_FILLER = "filler"
TROUBLED = frozenset({"bad", "help"})  # intents that may open a message about trouble
MAX_WORDS = 12  # a longer message is never only small talk
LEARNED_WORDS = 8  # the model only judges messages this short
LEARNED_AT = 0.8  # its probability of small talk that counts
QUESTION = "question"


class _File(BaseModel):
    """flows/smalltalk.yaml, checked at startup."""

    model_config = ConfigDict(extra="forbid")

    spec_version: Literal[1]
    intents: dict[str, dict[str, list[str]]]
    fillers: dict[str, list[str]]
    emoji: dict[str, list[str]]


@dataclass(frozen=True)
class Talk:
    """What a small-talk message says: its intent and every intent it touched."""

    intent: str
    touched: frozenset[str]


class Recogniser:
    """Phrases by their first word, for a greedy longest-first cover of a message."""

    def __init__(self, spec: _File) -> None:
        unknown = (set(spec.intents) | set(spec.emoji)) - set(INTENTS)
        if unknown:
            raise ValueError(f"{SMALLTALK_FILE}: unknown intents {sorted(unknown)}")
        self.phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for intent, langs in spec.intents.items():
            self._add(intent, (p for forms in langs.values() for p in forms))
        self._add(_FILLER, (p for forms in spec.fillers.values() for p in forms))
        for entries in self.phrases.values():
            entries.sort(key=lambda e: -len(e[0]))
        self.words = [w for w in self.phrases if len(w) >= 4]
        self.emoji = {e: intent for intent, marks in spec.emoji.items() for e in marks}
        self.examples = tuple(sorted({(i, " ".join(p)) for entries in self.phrases.values()
                                      for p, i in entries if i != _FILLER}))

    def _add(self, intent: str, phrases: Iterable[str]) -> None:
        for phrase in phrases:
            words = tuple(normalize(phrase).split())
            if words:
                self.phrases.setdefault(words[0], []).append((words, intent))

    def read(self, text: str, learned: bool = True) -> Talk | None:
        """The small talk in a message, or None when it says more than that (without
        `learned`, only the phrases decide: for button labels, read on every typed answer)."""
        if not _WORD.search(text):
            return self._emoji(text)
        words = normalize(text).split()
        if not words or len(words) > MAX_WORDS:
            return None
        used: set[str] = set()
        at = 0
        while at < len(words):
            step = self._phrase_at(words, at)
            if step is None:
                short = learned and len(words) <= LEARNED_WORDS
                return self._learned(words) if short else None
            length, intents = step
            used |= intents
            at += length
        touched = frozenset(used - {_FILLER})
        if not touched:
            return None
        return Talk(min(touched, key=INTENTS.index), touched)

    def _phrase_at(self, words: list[str], at: int) -> tuple[int, set[str]] | None:
        """The longest phrase that starts at this word (the word may have one typo), with
        every intent it belongs to ("تمام" is both fine and ok)."""
        for first in self._spellings(words[at]):
            fitting = [(p, i) for p, i in self.phrases.get(first, ()) if _fits(p, words, at)]
            if fitting:
                longest = len(fitting[0][0])
                return longest, {i for p, i in fitting if len(p) == longest}
        return None

    def _learned(self, words: list[str]) -> Talk | None:
        """The model's reading of a short message no phrase covers."""
        text = " ".join(words)
        chances = learned(self.examples).probabilities(text)
        intent = max((i for i in chances if i != QUESTION), key=lambda i: chances[i])
        if 1.0 - chances[QUESTION] < LEARNED_AT:
            return None
        return Talk(intent, frozenset({intent}))

    def _spellings(self, word: str) -> list[str]:
        if word in self.phrases or len(word) < 4:
            return [word]
        return [w for w in self.words if Levenshtein.distance(w, word, score_cutoff=1) <= 1][:3]

    def _emoji(self, text: str) -> Talk | None:
        marks = [ch for ch in text if not ch.isspace()]
        if not marks:
            return None
        found = {self.emoji[m] for m in (text.strip(), *marks) if m in self.emoji}
        intent = min(found, key=INTENTS.index) if found else EMOJI
        return Talk(intent, frozenset(found) or frozenset({EMOJI}))


def _fits(phrase: tuple[str, ...], words: list[str], at: int) -> bool:
    """The phrase's later words follow exactly (its first word was matched already)."""
    return tuple(words[at + 1:at + len(phrase)]) == phrase[1:]


@cache
def learned(phrases: tuple[tuple[str, str], ...]) -> TextModel:
    """Small-talk intents against every FAQ phrasing (the label QUESTION): one model per
    phrase set, trained (or loaded from the disk cache) when the feature registers."""
    questions = everyday_questions()
    return textmodel.trained([text for _, text in phrases] + questions,
                     [intent for intent, _ in phrases] + [QUESTION] * len(questions),
                     (1, 4), 3e-5, balanced=True)


def load(path: Path = SMALLTALK_FILE) -> Recogniser:
    """Read and check the phrase file."""
    return Recogniser(_File.model_validate(yamlfile.parse(path.read_text(encoding="utf-8"))))


@cache
def recogniser() -> Recogniser:
    """The shipped recogniser, built once."""
    return load()


def read(text: str) -> Talk | None:
    """Small talk in a message, if that is all it is."""
    return recogniser().read(text)
