"""The shipped list of Dutch municipalities and a forgiving matcher for typed names."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from anyascii import anyascii
from rapidfuzz import fuzz, process

SUGGEST_SCORE = 72.0
MAX_SUGGESTIONS = 3
# Names in other scripts are compared as loose consonant skeletons (see _skeleton). Fewer
# than SKELETON_MIN_EXACT consonants only ever suggest; a skeleton that equals no name is
# accepted at SKELETON_NEAR or better, if the runner-up is SKELETON_MARGIN behind.
SKELETON_SUGGEST = 75.0
SKELETON_NEAR = 90.0
SKELETON_MARGIN = 10.0
SKELETON_MIN_EXACT = 4
# Words people add around a name: 'municipality' and 'city' in Arabic, Tigrinya and Amharic.
SCRIPT_NOISE = frozenset({"بلدية", "البلدية", "مدينة", "المدينة", "ከተማ", "ምምሕዳር", "ማዘጋጃ", "ቤት"})


@dataclass(frozen=True)
class Municipality:
    """A gemeente as CBS lists it."""

    code: str
    name: str
    province: str


@dataclass(frozen=True)
class Match:
    """Either one certain municipality, or suggestions to choose from (possibly none)."""

    exact: Municipality | None
    suggestions: tuple[Municipality, ...]


def normalize(text: str) -> str:
    """Fold case, accents, punctuation and the word 'gemeente' that people often add."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = re.sub(r"[^\w]+", " ", plain).split()
    return " ".join(w for w in words if w not in {"gemeente", "gem", "municipality"})


@cache
def all_municipalities() -> dict[str, Municipality]:
    """Every municipality by CBS code."""
    return {row[0].code: row[0] for row in _rows()}


@cache
def _rows() -> tuple[tuple[Municipality, tuple[str, ...]], ...]:
    """Rows of the shipped CSV with their normalised names and aliases."""
    source = resources.files("bot.data").joinpath("municipalities.csv")
    with source.open(encoding="utf-8") as handle:
        return tuple(_parse(row) for row in csv.DictReader(handle))


def _parse(row: dict[str, str]) -> tuple[Municipality, tuple[str, ...]]:
    municipality = Municipality(row["code"], row["name"], row["province"])
    aliases = [a for a in (row.get("aliases") or "").split(";") if a.strip()]
    return municipality, tuple(normalize(n) for n in [row["name"], *aliases])


@cache
def _index() -> dict[str, str]:
    """Normalised name or alias → CBS code."""
    return {key: m.code for m, keys in _rows() for key in keys}


def match(typed: str) -> Match:
    """Find what the person meant; typos, missing accents and other scripts are fine."""
    query = normalize(typed)
    index = _index()
    if not query:
        return Match(None, ())
    if query in index:
        return Match(all_municipalities()[index[query]], ())
    if not _is_latin(query):
        return _match_other_script(query)
    return Match(None, _suggestions(query, index))


def _suggestions(query: str, index: dict[str, str]) -> tuple[Municipality, ...]:
    """Best few distinct municipalities above the score where suggestions stop being noise."""
    found = process.extract(query, index.keys(), scorer=fuzz.WRatio, limit=10)
    qualified = [(key, 100.0, 0) for key in index if key.startswith(f"{query} ")]
    codes: list[str] = []
    for key, score, _ in qualified + found:
        code = index[key]
        if score >= SUGGEST_SCORE and code not in codes:
            codes.append(code)
    return tuple(all_municipalities()[c] for c in codes[:MAX_SUGGESTIONS])


# --- Other scripts -----------------------------------------------------------------------
#
# Arabic script leaves short vowels out and writes Dutch sounds in several ways (g as خ, غ
# or ج; v as ف or ڤ), so spellings are compared as a consonant skeleton, on both the typed
# text and every Dutch name: similar sounds folded into b f k l m n r s t x, vowels inside a
# word dropped, a vowel at either end of a word kept as "a" (every script writes those).
# Amsterdam, أمستردام and ኣምስተርዳም all become "amstrtm". Ge'ez, Cyrillic, Greek and the
# rest are romanised by anyascii first. The names people use most also have explicit
# spellings in bot/data/municipality_names.csv.

# Vowels become "." until doubled letters are squeezed, so that l-e-l stays two l's.
_SKELETON_LETTERS = str.maketrans("aeiouyjbcdfghkpqstvwxz", ".......bktfxxkbkstffxs")
_DUTCH_DIGRAPHS = (("x", "ks"), ("sch", "sx"), ("ch", "x"), ("ck", "k"), ("ph", "f"),
                   ("th", "t"))
_ROMANISED_DIGRAPHS = (("x", "ks"), ("kh", "x"), ("gh", "x"), ("ch", "x"), ("sh", "sx"),
                       ("zh", "s"), ("ph", "f"), ("th", "t"))
# A w that no vowel follows ends a diphthong: Ge'ez ሃውት is romanised 'hawt'.
_GLIDE_W = re.compile(r"w(?![aeiouy])")
# Arabic-script letters (with Persian, Urdu, Pashto and Kurdish ones) straight to skeleton
# letters; "." for vowels, hamza and ayn.
_ARABIC = {
    **dict.fromkeys("اأإآٱىءئؤعويیۍےۓېۆێة", "."),
    **dict.fromkeys("بپ", "b"), **dict.fromkeys("تطثدذضٹڈ", "t"),
    **dict.fromkeys("زژسصظ", "s"), **dict.fromkeys("حخغهۀہھگګجچ", "x"),
    **dict.fromkeys("فڤ", "f"), **dict.fromkeys("قكک", "k"), **dict.fromkeys("رڑڕ", "r"),
    **dict.fromkeys("لڵ", "l"), **dict.fromkeys("نںڻ", "n"), "م": "m", "ش": "sx",
}
_FINAL_HEH = ("ه", "ہ")


def _is_latin(query: str) -> bool:
    """Latin text keeps the original matcher, so its behaviour cannot drift."""
    return all(ch.isascii() or not ch.isalpha() or "LATIN" in unicodedata.name(ch, "")
               for ch in query)


def _is_arabic(word: str) -> bool:
    """Arabic-script words need their own letter rules; a generic romaniser writes vowels."""
    return any("\u0600" <= ch <= "\u06ff" for ch in word)


def _skeleton(typed: str) -> str:
    """A loose consonant key, so that spellings in any script of one name coincide."""
    return _squeeze("".join(_initial(_arabic_word(w) if _is_arabic(w) else _romanised_word(w))
                            for w in typed.split()))


def _name_skeletons(name: str) -> set[str]:
    """A Dutch name's keys, also as written without its short vowels or the w of 'uw'."""
    spelled = ["".join(_initial(_dutch_word(w)) for w in variant.split())
               for variant in (name, name.replace("uw", "u"))]
    return {_squeeze(s) for s in spelled} | {_squeeze(s.replace(".", "")) for s in spelled}


def _initial(letters: str) -> str:
    """Scripts write a vowel that starts or ends a word, so it stays in the key, as 'a'."""
    return re.sub(r"^\.+|\.+$", "a", letters)


def _dutch_word(word: str) -> str:
    """Dutch spelling: ch and g are one sound, and Bosch ends in a plain s."""
    letters = re.sub(r"[^a-z]", "", anyascii(word).lower())
    if letters.endswith("sch"):
        letters = letters[:-2]
    return _fold(letters, _DUTCH_DIGRAPHS)


def _romanised_word(word: str) -> str:
    """Ge'ez, Cyrillic, Greek and others through anyascii, whose kh, gh and sh are sounds."""
    romanised = re.sub(r"^['`]", "a", anyascii(word).lower())  # Ge'ez እ is a bare glottal
    return _fold(re.sub(r"[^a-z]", "", romanised), _ROMANISED_DIGRAPHS)


def _fold(letters: str, digraphs: tuple[tuple[str, str], ...]) -> str:
    """Digraphs, then single letters, onto the skeleton alphabet."""
    for digraph, folded in digraphs:
        letters = letters.replace(digraph, folded)
    return _GLIDE_W.sub("", letters).translate(_SKELETON_LETTERS)


def _arabic_word(word: str) -> str:
    """Waw starts a word as a consonant and is a vowel elsewhere; a final heh is a vowel."""
    if word[:1] == "و":
        word = "ف" + word[1:]
    if len(word) > 1 and word.endswith(_FINAL_HEH):
        word = word[:-1] + "ة"
    return "".join(_ARABIC.get(ch) or _romanised_word(ch) for ch in word)


def _squeeze(letters: str) -> str:
    """Doubled consonants are one sound, and scripts write them once or twice."""
    return re.sub(r"(.)\1+", r"\1", letters).replace(".", "")


@cache
def _spellings() -> dict[str, str]:
    """Normalised Arabic and Ge'ez spelling → CBS code, from the shipped list."""
    source = resources.files("bot.data").joinpath("municipality_names.csv")
    with source.open(encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter=";")
        return {normalize(row["spelling"]): row["code"] for row in rows}


@cache
def _skeletons() -> tuple[tuple[str, str], ...]:
    """(skeleton, CBS code) for every name, alias and spelling, computed once."""
    latin = [(skeleton, m.code) for m, keys in _rows() for key in keys
             for skeleton in _name_skeletons(key)]
    other = [(_skeleton(key), code) for key, code in _spellings().items()]
    return tuple((key, code) for key, code in latin + other if key)


def _match_other_script(query: str) -> Match:
    """A listed spelling first; Cyrillic or Greek may spell the Dutch name; then skeletons."""
    query = " ".join(w for w in query.split() if w not in SCRIPT_NOISE)
    code = _spellings().get(query) or _index().get(normalize(anyascii(query)))
    if code:
        return Match(all_municipalities()[code], ())
    return _skeleton_match(_skeleton(query))


def _skeleton_match(key: str) -> Match:
    """Certain only when one municipality is clearly closest; otherwise suggestions."""
    if not key:
        return Match(None, ())
    ranked = _skeleton_scores(key)
    (best, top), runner_up = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0.0)
    consonants = len(key) - key.count("a")
    if _clear_winner(consonants, top, runner_up):
        return Match(all_municipalities()[best], ())
    floor = SKELETON_SUGGEST if consonants >= SKELETON_MIN_EXACT else 100.0
    codes = [code for code, score in ranked if score >= floor][:MAX_SUGGESTIONS]
    return Match(None, tuple(all_municipalities()[c] for c in codes))


def _skeleton_scores(key: str) -> list[tuple[str, float]]:
    """Each municipality's best skeleton similarity, best first."""
    best: dict[str, float] = {}
    for candidate, code in _skeletons():
        best[code] = max(best.get(code, 0.0), fuzz.ratio(key, candidate))
    return sorted(best.items(), key=lambda item: -item[1])


def _clear_winner(consonants: int, top: float, runner_up: float) -> bool:
    """Short skeletons collide with ordinary words; a near miss must also be long and alone."""
    if consonants < SKELETON_MIN_EXACT:
        return False
    if top == 100.0:
        return runner_up < 100.0
    clear = top >= SKELETON_NEAR and top - runner_up >= SKELETON_MARGIN
    return clear and consonants > SKELETON_MIN_EXACT
