"""The safety net: reads danger however people say it, before anything else reads the text.

Two tiers. *Crisis* (a kind: suicide, self-harm, domestic violence, child abuse, sexual
violence, exploitation with danger, a medical emergency) is answered first with the numbers
for that kind. *Distress* (fear, sadness, loneliness, exhaustion without a crisis) keeps the
normal answer and adds one gentle line.

The data (flows/crisis.yaml) describes concepts, not sentences: word forms per language for
"a relative", "hits", "me", "want", "die"…, and rules that combine them ("a person + an act
of violence"). A rule fires when every concept it names occurs in the message in one
language's forms (forms valid everywhere, such as Dutch terms, count for every language)
and none of its `unless` concepts does. This is what lets it generalise: "my father hits my
little sister" is child + violent act, whatever words surround them.

Forms are matched against normalised tokens (bot/core/normalize.py): `word` is one token,
`*` stands for any letters inside a token (Arabic clitics: `*ضرب*` is يضربني and بيضربها),
spaces join consecutive tokens, and a leading `~` compares Ethiopic consonant skeletons, so
one form covers the vowel forms people type (ክሞት, ክመውት).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.core import safety_model, smalltalk, yamlfile
from bot.core.normalize import ethiopic_skeleton, normalize

CRISIS_FILE = Path(__file__).resolve().parents[2] / "flows" / "crisis.yaml"
Danger = Literal["suicide", "self_harm", "medical", "sexual_violence", "child_abuse",
                 "domestic_violence", "exploitation"]
KINDS: tuple[str, ...] = get_args(Danger)  # the order in which kinds outrank each other
LANGUAGES = ("nl", "en", "ar", "ti", "pl")
EVERY = "any"  # forms that count in every language (Dutch terms, numbers)
Tier = Literal["crisis", "distress"]


class _Rule(BaseModel):
    """One way a message says danger: all these concepts, none of those."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    tier: Tier
    kind: str | None = None
    all_of: list[str] = Field(alias="all", min_length=1)
    unless: list[str] = []

    @model_validator(mode="after")
    def _kind_fits_tier(self) -> _Rule:
        if self.tier == "crisis" and self.kind not in KINDS:
            raise ValueError(f"a crisis rule needs a kind from {', '.join(KINDS)}")
        if self.tier == "distress" and self.kind is not None:
            raise ValueError("a distress rule has no kind")
        return self


class _File(BaseModel):
    """flows/crisis.yaml, checked before the bot starts."""

    model_config = ConfigDict(extra="forbid")

    spec_version: Literal[2]
    concepts: dict[str, dict[str, list[str]]]
    rules: list[_Rule]
    # concept names that tell who the danger is about: self, other, and bystander (a role that
    # settles it: "our newcomer", "I'm her teacher", however many "me"s follow)
    reporter: dict[Literal["self", "other", "bystander"], list[str]] = {}
    # concept names whose phrases ("my phone died", "dead tired") keep the learned model from
    # calling a crisis that no rule called
    calm: list[str] = []

    @model_validator(mode="after")
    def _consistent(self) -> _File:
        for name, forms in self.concepts.items():
            unknown = set(forms) - {*LANGUAGES, EVERY}
            if unknown:
                raise ValueError(f"concept {name}: unknown language(s) {sorted(unknown)}")
        named = {c for rule in self.rules for c in [*rule.all_of, *rule.unless]}
        named |= {c for names in self.reporter.values() for c in names} | set(self.calm)
        missing = named - set(self.concepts)
        if missing:
            raise ValueError(f"rules name concepts that are not defined: {sorted(missing)}")
        unused = set(self.concepts) - named
        if unused:
            raise ValueError(f"concepts no rule uses: {sorted(unused)}")
        return self


@dataclass(frozen=True)
class Reading:
    """What the safety net concluded about one message."""

    kind: str | None  # the crisis kind, or None
    distress: bool
    about_other: bool  # the writer reports danger to someone else
    lang: str | None  # the language whose words matched, if any
    # no crisis, but the learned model is unsure: the kind to show if the person says "yes,
    # I (or someone) am in danger" to the safety question (bot/core/crisis.py)
    check: str | None = None

    @property
    def crisis(self) -> bool:
        """Whether the crisis answer comes first."""
        return self.kind is not None


CALM = Reading(None, False, False, None)


@dataclass(frozen=True)
class _Text:
    """A message in the two forms that forms are compared with."""

    plain: str
    skeleton: str


# Emoji that laugh or joke ("zabiję ją jak nie odda 😂"): normalising drops emoji, so they are
# read as the word "haha", which the concept `idiom` knows (a joke, as "haha" typed out is)
_LAUGHING = re.compile("[\U0001F602\U0001F923\U0001F605\U0001F606\U0001F639\U0001F61C\U0001F61D]")


def _message(text: str) -> _Text:
    """A message padded for whole-token matching, in plain and Ethiopic-skeleton form."""
    plain = normalize(text)
    if plain and _LAUGHING.search(text):
        plain += " haha"
    return _Text(f" {plain} ", f" {ethiopic_skeleton(plain)} ")


class Detector:
    """Compiled concepts and rules; built once, used for every typed or edited message."""

    def __init__(self, spec: _File) -> None:
        self.rules = sorted(spec.rules, key=_rank)
        self.patterns = {name: _compile(forms) for name, forms in spec.concepts.items()}
        self.self_words = spec.reporter.get("self", [])
        self.other_words = spec.reporter.get("other", [])
        self.bystander_words = spec.reporter.get("bystander", [])
        self.calm_words = spec.calm

    def read(self, text: str) -> Reading:
        """Crisis first (with its kind), else distress, else calm."""
        message = _message(text)
        if not message.plain.strip():
            return CALM
        found: dict[str, set[str]] = {}  # concept → languages whose forms occur
        crisis: tuple[str, str] | None = None
        distress = False
        for rule in self.rules:
            if crisis is not None and rule.tier == "crisis":
                continue
            lang = self._fires(rule, message, found)
            if lang is None:
                continue
            if rule.tier == "crisis":
                crisis = (rule.kind or "", lang)
            else:
                distress = True
                break  # distress rules come last: nothing more to learn
        if crisis is None:
            return Reading(None, distress, distress and self._about_other(message, found), None)
        return Reading(crisis[0], distress, self._about_other(message, found), crisis[1])

    def about_other(self, text: str) -> bool:
        """Whether a message reports danger to someone else (for the learned model's finds)."""
        message = _message(text)
        return self._about_other(message, {})

    def excused(self, text: str) -> bool:
        """Whether an everyday phrase ("my phone died", "dead tired") explains the danger words,
        so that the learned model does not call a crisis the rules did not call."""
        message = _message(text)
        return any(self._langs(c, message, {}) for c in self.calm_words)

    def _fires(self, rule: _Rule, message: _Text, found: dict[str, set[str]]) -> str | None:
        """The language in which every concept of the rule occurs, if there is one."""
        if any(self._langs(c, message, found) for c in rule.unless):
            return None
        shared: set[str] | None = None
        for concept in rule.all_of:
            langs = self._langs(concept, message, found)
            shared = langs if shared is None else shared & langs
            if not shared:
                return None
        return min(shared, key=LANGUAGES.index) if shared else None

    def _langs(self, concept: str, message: _Text, found: dict[str, set[str]]) -> set[str]:
        """Languages in whose forms the concept occurs (memoised per message)."""
        if concept not in found:
            found[concept] = self.patterns[concept].languages(message)
        return found[concept]

    def _about_other(self, message: _Text, found: dict[str, set[str]]) -> bool:
        """Someone else is in danger: the writer says they support or teach the person, or a
        third person is named and the writer is not the one it happens to."""
        if any(self._langs(c, message, found) for c in self.bystander_words):
            return True
        return (any(self._langs(c, message, found) for c in self.other_words)
                and not any(self._langs(c, message, found) for c in self.self_words))


@dataclass(frozen=True)
class _Concept:
    """One concept's forms per language, as regular expressions over a padded message."""

    plain: Mapping[str, re.Pattern[str]]
    skeleton: Mapping[str, re.Pattern[str]]

    def languages(self, message: _Text) -> set[str]:
        """Every language whose forms occur; forms valid everywhere give every language."""
        langs = {lang for lang, rx in self.plain.items() if rx.search(message.plain)}
        langs |= {lang for lang, rx in self.skeleton.items() if rx.search(message.skeleton)}
        return set(LANGUAGES) if EVERY in langs else langs


def _compile(forms: Mapping[str, Iterable[str]]) -> _Concept:
    plain: dict[str, re.Pattern[str]] = {}
    skeleton: dict[str, re.Pattern[str]] = {}
    for lang, items in forms.items():
        loose = [ethiopic_skeleton(_form(f[1:])) for f in items if f.startswith("~")]
        exact = [_form(f) for f in items if not f.startswith("~")]
        if any(exact):
            plain[lang] = _regex(f for f in exact if f)
        if any(loose):
            skeleton[lang] = _regex(f for f in loose if f)
    return _Concept(plain, skeleton)


def _form(form: str) -> str:
    """A form normalised like a message, keeping its `*` wildcards."""
    parts = form.split("*")
    return "*".join(_spaced(part, normalize(part)) for part in parts)


def _spaced(raw: str, folded: str) -> str:
    """Keep the space that separates a wildcard from the next word ("*قتل حالي"), also when
    the space is all there is between two wildcards ("~ጎሮሮ* *ሓብጥ*": two tokens)."""
    if not folded:
        return " " if raw and raw.isspace() else folded
    return f"{' ' if raw[:1].isspace() else ''}{folded}{' ' if raw[-1:].isspace() else ''}"


def _regex(forms: Iterable[str]) -> re.Pattern[str]:
    """Whole tokens only; `*` inside a form is any run of letters within that token."""
    parts = sorted({re.escape(f).replace(r"\*", r"\w*") for f in forms}, key=len, reverse=True)
    return re.compile(f" (?:{'|'.join(parts)}) ")


def _rank(rule: _Rule) -> int:
    """Crisis rules in the order of KINDS, distress after all of them."""
    return KINDS.index(rule.kind) if rule.tier == "crisis" and rule.kind else len(KINDS)


def load(path: Path = CRISIS_FILE) -> Detector:
    """Read and check the concept file; a broken file stops startup with the reason."""
    data = yamlfile.parse(path.read_text(encoding="utf-8"))
    try:
        return Detector(_File.model_validate(data))
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc


@cache
def detector() -> Detector:
    """The shipped detector, built once per process."""
    return load()


def read(text: str) -> Reading:
    """What the bot runs on every typed or edited message (and `main.py ask` too).

    The rules first; the learned model (bot/core/safety_model.py) only adds what they miss.
    """
    rules = detector().read(text)
    if rules.crisis or not normalize(text) or all_is_well(text):
        return rules
    if _LAUGHING.search(text):  # a joke ("I'll kill her 😂") is asked about, not ignored
        serious = detector().read(_LAUGHING.sub("", text))
        if serious.kind is not None:
            return Reading(None, rules.distress, serious.about_other, serious.lang,
                           check=serious.kind)
    judged = safety_model.model().judge(text)
    troubled, unsure = (judged.troubled >= safety_model.DISTRESS_AT,
                        judged.crisis >= safety_model.CHECK_AT)
    # "my phone died": neither a crisis nor a 113 line (looked up only when the model speaks)
    excused = (troubled or unsure) and detector().excused(text)
    distress = rules.distress or (troubled and not excused)
    if not unsure or excused:
        return Reading(None, distress, rules.about_other, None)
    about_other = detector().about_other(text)
    if judged.crisis >= safety_model.CRISIS_AT:
        return Reading(judged.kind, distress, about_other, _script(text))
    return Reading(None, distress, about_other, _script(text), check=judged.kind)


def all_is_well(text: str) -> bool:
    """Nothing but small-talk phrases that say all is well ("كلشي تمام، الله يخليك"): the model
    must not ask such a person whether they are in danger (a "not good" may, so it is read)."""
    talk = smalltalk.recogniser().read(text, learned=False)
    return talk is not None and not talk.touched & smalltalk.TROUBLED


def _script(text: str) -> str | None:
    """The language a script tells for sure (to answer before a language is chosen)."""
    if re.search(r"[\u0600-\u06FF]", text):
        return "ar"
    return "ti" if re.search(r"[\u1200-\u137F]", text) else None
