"""Text normalisation per script, so matching survives how people really type.

Arabic: diacritics and tatweel removed, alef/hamza forms unified, ى→ي, ة→ه, Arabic-Indic
digits → 0-9. Ethiopic: letters people use interchangeably folded (ሐ/ኀ→ሀ, ሠ→ሰ, ዐ→ኣ,
ፀ→ጸ, ኸ→ከ, ቐ→ቀ, and አ written for ኣ). Latin: case and accents folded, also the letters
that Unicode does not split into a letter and a mark (Polish ł→l, ø, æ, đ: by anyascii), so
"zabrał" and "zabral" are one word. Punctuation (also Ethiopic ። ፣ ፧ ፡) becomes a space.

ኸ and ቐ are how Tigrinya writes ከ and ቀ after a vowel (ብኸመይ, ክቕበል); the same word is
typed with either letter (ብከመይ, ክቅበል), so they fold into one.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

_ARABIC_MARKS = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]")
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه",
                                 "ؤ": "و", "ئ": "ي"})
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_NON_WORD = re.compile(r"[^\w]+")
# Latin letters left after accents are stripped: those with a stroke or ligature (ł, ø, æ)
_LATIN_LEFT = re.compile(r"[\u00C0-\u024F]")

# (first code point of the variant family, first code point of the family it folds into)
_ETHIOPIC_FAMILIES = ((0x1210, 0x1200), (0x1280, 0x1200), (0x1220, 0x1230),
                      (0x12D0, 0x12A0), (0x1340, 0x1338),
                      (0x12B8, 0x12A8), (0x12C0, 0x12B0),   # ኸ→ከ, and its labialised ዀ→ኰ
                      (0x1250, 0x1240), (0x1258, 0x1248))   # ቐ→ቀ, and its labialised ቘ→ቈ
# Labialised consonants (ቈ ቊ ቋ ቍ, ኰ…, ጐ…, ኈ…) sit in their own block after the plain one;
# in a consonant skeleton they count as the plain consonant: ጕዳይ and ጉዳይ are one word.
_LABIALISED = {0x1248: 0x1240, 0x1288: 0x1200, 0x12B0: 0x12A8, 0x1310: 0x1308}


def _ethiopic_table() -> dict[int, int]:
    """Each family has up to eight orders (vowel forms) at consecutive code points."""
    table = {}
    for variant, base in _ETHIOPIC_FAMILIES:
        for order in range(8):
            source, target = chr(variant + order), chr(base + order)
            if unicodedata.name(source, "") and unicodedata.name(target, ""):
                table[ord(source)] = ord(target)
    return table


_ETHIOPIC = _ethiopic_table()
_ETHIOPIC[ord("አ")] = ord("ኣ")  # Tigrinya writes ኣ; keyboards and Amharic habits give አ
_ETHIOPIC[ord("ዐ")] = ord("ኣ")  # so ዐ, folded to አ, ends where አ does


def ethiopic_skeleton(word: str) -> str:
    """Ethiopic syllables folded to their consonant (first order): ዲጂድ and ዲጂዲ agree.

    Each consonant has eight consecutive code points (its vowel orders) from U+1200 on;
    other characters are kept. Expects normalised text.
    """
    out = []
    for ch in word:
        if "\u1200" <= ch <= "\u135a":
            block = ord(ch) - (ord(ch) - 0x1200) % 8
            out.append(chr(_LABIALISED.get(block, block)))
        else:
            out.append(ch)
    return "".join(out)


def normalize(text: str) -> str:
    """One comparable form of a text in any of our scripts."""
    folded = _ARABIC_MARKS.sub("", text.casefold()).translate(_ARABIC_LETTERS)
    folded = folded.translate(_DIGITS).translate(_ETHIOPIC)
    decomposed = unicodedata.normalize("NFKD", folded)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = _LATIN_LEFT.sub(lambda found: anyascii(found.group()), plain)
    return " ".join(_NON_WORD.sub(" ", plain).split())
