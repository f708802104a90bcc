"""Matches a typed question to FAQ entries, offline, in every language of the phrase lists.

Language: by script (Arabic, Ethiopic), else by vocabulary (Dutch, English, Polish, Tigrinya
in Latin letters). Text: normalised per script (bot/core/normalize.py), light stemming,
typos corrected against the known vocabulary. Ranking: IDF-weighted overlap (an F1 of
query coverage and phrase coverage) against every way people ask each entry. Outcome:
a confident answer, "did you mean" with up to three entries, or "I don't know".
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import snowballstemmer
from babel import Locale
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.core.faq import learned
from bot.core.faq.schema import Entry
from bot.core.faq.terms import known_spellings
from bot.core.normalize import ethiopic_skeleton, normalize
from bot.i18n import language_codes

Decision = Literal["answer", "suggest", "unknown"]
ANSWER_SCORE, ANSWER_MARGIN, SURE_SCORE = 0.5, 0.12, 0.8  # re-tuned on dev with 62 entries
SUGGEST_SCORE = 0.25
SUPPORT_SCORE = 0.3  # lexical score or model probability the winner needs on its own
LEARNED_WEIGHT = 0.5  # share of the learned model's probability in the blended score
COMMON_SHARE = 0.25  # a word used by more than a quarter of the entries names no topic
MAX_SUGGESTIONS = 3
# Crisis entries are answered by the safety net (bot/core/safety.py), never by matching
# common words: "I am good" must not be a confident crisis.suicide.
SAFETY_PREFIX = "crisis."
_ARABIC = re.compile(r"[\u0600-\u06FF]")
_ETHIOPIC = re.compile(r"[\u1200-\u137F]")
_STEMMERS = {"ar": snowballstemmer.stemmer("arabic"), "nl": snowballstemmer.stemmer("dutch"),
             "en": snowballstemmer.stemmer("english")}


@dataclass(frozen=True)
class Match:
    """An entry and how well the question fits it (0–1)."""

    id: str
    score: float


@dataclass(frozen=True)
class Result:
    """What the matcher concluded about one question."""

    lang: str
    decision: Decision
    matches: tuple[Match, ...]


@dataclass(frozen=True)
class _Phrase:
    entry: str
    lang: str
    tokens: frozenset[str]


def tokens(text: str, lang: str | None = None) -> set[str]:
    """Normalised, stemmed tokens, the same whatever language the text is in.

    Latin words get both their Dutch and their English stem: Dutch terms turn up inside
    English and Tigrinya questions ("do i need zorgverzekering"), and must match there.
    Text known to be in another language with a Snowball stemmer (Polish) gets that stem
    too: "płaca minimalna" and "o płacy minimalnej" meet, and the others' tokens stay as
    they were.
    Dutch terms spelled in Ethiopic script or transliterated (ሁርቶስላግ, hausarts) become the
    Dutch term first, and Tigrinya words typed in Latin letters one spelling (kemei → kemey;
    bot/core/faq/terms.py).
    """
    own = _stemmer(lang) if lang and lang not in _STEMMERS else None
    return {stem for word in known_spellings(normalize(text).split()) for stem in _stems(word, own)}


def _stems(word: str, own: Any = None) -> set[str]:
    if _ARABIC.search(word):
        return {str(_STEMMERS["ar"].stemWord(word))}
    if _ETHIOPIC.search(word):
        return {word, _skeleton(word)}
    stems = {str(_STEMMERS["nl"].stemWord(word)), str(_STEMMERS["en"].stemWord(word))}
    return stems | {str(own.stemWord(word))} if own is not None else stems


@cache
def _stemmer(lang: str) -> Any:
    """Snowball's stemmer for a language, found by its English name in CLDR ("Polish"), so
    a new language with a Snowball stemmer needs no code; None for those without one."""
    name = (Locale.parse(lang).english_name or "").lower()
    return snowballstemmer.stemmer(name) if name in snowballstemmer.algorithms() else None


def _skeleton(word: str) -> str:
    """The word's consonants (ዲጂድ and ዲጂዲ agree), marked so it never equals a word."""
    return ethiopic_skeleton(word) + "~"


class Matcher:
    """An index over every phrasing of every entry; built once at startup."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        entries = list(entries)
        self.phrases = [_Phrase(e.id, lang, frozenset(tokens(text, lang)))
                        for e in entries if not e.id.startswith(SAFETY_PREFIX)
                        for lang, texts in e.match.items()
                        for text in [*texts, e.question if lang == "en" else ""] if text]
        # Weights come from how many entries use a word, not how many phrasings: "digid"
        # is in fifty phrasings of one entry, and that makes it telling, not common.
        per_entry = {(p.entry, t) for p in self.phrases for t in p.tokens}
        counts = Counter(t for _entry, t in per_entry)
        total = len({p.entry for p in self.phrases})
        self.idf = {t: math.log(1 + total / n) for t, n in counts.items()}
        self.vocab: dict[str, set[str]] = {}
        for phrase in self.phrases:
            self.vocab.setdefault(phrase.lang, set()).update(phrase.tokens)
        self.words = sorted(self.idf)
        self.unknown_weight = sorted(self.idf.values())[len(self.idf) // 2] if self.idf else 1.0
        self.content_weight = math.log(1 + 1 / COMMON_SHARE)
        # Which phrasings use a word: only those can score above zero for a question.
        self.using: dict[str, list[int]] = {}
        for index, phrase in enumerate(self.phrases):
            for token in phrase.tokens:
                self.using.setdefault(token, []).append(index)
        examples = tuple((e.id, text) for e in entries
                         if not e.id.startswith(SAFETY_PREFIX)
                         for _lang, texts in sorted(e.match.items()) for text in texts)
        # a model needs two topics to tell apart (tests build matchers of one or two entries)
        self.learned = learned.trained(examples) if len({e for e, _ in examples}) > 1 else None

    def ask(self, text: str, lang_hint: str | None = None) -> Result:
        """Rank the entries for one question and decide what to do."""
        lang = self.language(text, lang_hint)
        query = self._corrected(tokens(text, lang))
        lexical = self._rank(query)
        learned_view = self.learned.probabilities(text) if self.learned else {}
        ranked = self._blend(lexical, learned_view)
        decision = _decide(ranked, _support(ranked, lexical, learned_view))
        return Result(lang, decision, tuple(ranked[:MAX_SUGGESTIONS]))

    @staticmethod
    def _blend(lexical: list[Match], learned: dict[str, float]) -> list[Match]:
        """Lexical score and the model's probability, weighted (LEARNED_WEIGHT on dev)."""
        scores = {m.id: (1 - LEARNED_WEIGHT) * m.score for m in lexical}
        for entry, p in learned.items():
            scores[entry] = scores.get(entry, 0.0) + LEARNED_WEIGHT * p
        return sorted((Match(e, round(s, 3)) for e, s in scores.items() if s > 0),
                      key=lambda m: -m.score)

    def language(self, text: str, hint: str | None = None) -> str:
        """Script first; for Latin letters, the language whose words the text uses most."""
        if _ARABIC.search(text):
            return "ar"
        if _ETHIOPIC.search(text):
            return "ti"
        words = tokens(text)
        weights = {lang: sum(self.idf[w] for w in words if w in self.vocab[lang])
                   for lang in language_codes() if lang in self.vocab and lang != "ar"}
        best = max(weights, key=lambda lang: (weights[lang], lang == hint), default="en")
        return best if weights.get(best, 0) > 0 else (hint or "en")

    def _corrected(self, query: set[str]) -> set[str]:
        """Replace unknown words by the nearest known word (one or two typos)."""
        fixed = set()
        for word in query:
            if word in self.idf or len(word) < 4:
                fixed.add(word)
                continue
            near = process.extractOne(word, self.words, scorer=Levenshtein.distance,
                                      score_cutoff=1 if len(word) < 8 else 2)
            fixed.add(near[0] if near else word)
        return fixed

    def _rank(self, query: set[str]) -> list[Match]:
        best: dict[str, float] = {}
        sharing = sorted({i for token in query for i in self.using.get(token, ())})
        for phrase in (self.phrases[i] for i in sharing):
            score = self._score(query, phrase.tokens)
            if score > best.get(phrase.entry, 0.0):
                best[phrase.entry] = score
        return sorted((Match(e, round(s, 3)) for e, s in best.items() if s > 0),
                      key=lambda m: -m.score)

    def _score(self, query: set[str], phrase: frozenset[str]) -> float:
        """F1 of IDF-weighted coverage: how much of the question and the phrase agree.

        Sharing only common words ("what", "is", "how") is no match: at least one shared
        word must be a content word, one that occurs in few phrases.
        """
        common = query & phrase
        if not common or max(self.idf[t] for t in common) < self.content_weight:
            return 0.0
        shared = sum(self.idf[t] for t in common)
        asked = sum(self.idf.get(t, self.unknown_weight) for t in query)
        said = sum(self.idf[t] for t in phrase)
        recall, precision = shared / asked, shared / said
        return 2 * recall * precision / (recall + precision)


def _support(ranked: list[Match], lexical: list[Match], learned_view: dict[str, float]) -> float:
    """How well either half backs the blended winner on its own: a shared content word
    (lexical score) or the model's own probability. Blending two weak views is no answer."""
    if not ranked:
        return 0.0
    top = ranked[0].id
    word = next((m.score for m in lexical if m.id == top), 0.0)
    return max(word, learned_view.get(top, 0.0))


def _decide(ranked: list[Match], support: float = 1.0) -> Decision:
    """Answer only when one entry clearly wins; suggest when something is close and one of
    the two halves backs it; otherwise admit it."""
    if not ranked or ranked[0].score < SUGGEST_SCORE or support < SUPPORT_SCORE:
        return "unknown"
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    top = ranked[0].score
    if top >= SURE_SCORE or (top >= ANSWER_SCORE and top - runner_up >= ANSWER_MARGIN):
        return "answer"
    return "suggest"
