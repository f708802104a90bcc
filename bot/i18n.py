"""Translations, the per-update locale, plurals and right-to-left isolation.

The locale lives in a ContextVar so that concurrent updates, jobs and broadcasts each
render in their own recipient's language; nothing here is process-wide state except
the catalogs themselves, which are read-only after loading.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, unescape
from babel.support import Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"  # the msgids; what someone sees before a language is known
# Who has no language of their own (a helper who never chose one, a group without one)
# reads Dutch: the language every resident, volunteer and coordinator shares.
FALLBACK_LANGUAGE = "nl"

_locale: ContextVar[str] = ContextVar("wegwijs_locale", default=SOURCE_LANGUAGE)


@dataclass(frozen=True)
class Language:
    """A shipped language as the picker shows it."""

    code: str
    native_name: str
    rtl: bool


@cache
def languages() -> tuple[Language, ...]:
    """Languages in picker order, from locales/LINGUAS, so adding one is a data-only change."""
    lines = (LOCALES_DIR / "LINGUAS").read_text(encoding="utf-8").splitlines()
    codes = [line.split("#")[0].strip() for line in lines]
    return tuple(_language(code) for code in codes if code)


def _language(code: str) -> Language:
    """Native names and direction come from CLDR via Babel, not from our own tables."""
    locale = Locale.parse(code)
    name = locale.get_display_name(code) or code
    return Language(code, name[:1].upper() + name[1:], locale.character_order == "right-to-left")


def language_name(code: str) -> str:
    """A language's name in the reader's language, from CLDR: a Dutch coordinator reads
    "Arabisch", not "العربية", on an Arabic speaker's question."""
    try:
        name = Locale.parse(code).get_display_name(current_locale()) or code
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:]


def language_codes() -> tuple[str, ...]:
    """Codes of the shipped languages."""
    return tuple(lang.code for lang in languages())


def po_path(code: str) -> Path:
    """Where a language's catalog lives."""
    return LOCALES_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(code: str) -> Translations:
    """Compile a .po catalog in memory once: compiled catalogs are build output, never stale.

    Entries that need review (fuzzy: the English changed after they were translated) are
    served: the previous translation is better than English for someone who cannot read
    it. Content entries carry a msgctxt naming their node; each is also reachable by its
    English alone, so `_()` finds a journey or plan text without knowing where it is from.
    """
    catalog = _catalog(code)
    for message in list(catalog):
        if message.context and message.id and catalog.get(message.id) is None:
            catalog.add(message.id, message.string, flags=message.flags)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=True)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def _catalog(code: str) -> Catalog:
    with po_path(code).open("rb") as po_file:
        return read_po(po_file, locale=code)


@dataclass(frozen=True)
class Translated:
    """One content entry of a catalog, found by its msgctxt (the node it belongs to)."""

    english: str  # the English it was translated from
    text: str
    review: bool  # needs review: marked fuzzy, or the English has changed since


@cache
def _by_context(code: str) -> dict[str, Translated]:
    """Content entries by msgctxt; a fuzzy entry's own English is its previous msgid."""
    found = {}
    for message in _catalog(code):
        if message.context and isinstance(message.id, str) and isinstance(message.string, str) \
                and message.string:
            english = (previous_msgid(message) or message.id) if message.fuzzy else message.id
            found[message.context] = Translated(english, message.string, message.fuzzy)
    return found


def previous_msgid(message: Message) -> str | None:
    """The English a fuzzy entry was translated from: its `#| msgid`. Babel reads those lines
    back as translator comments starting with "|", wrapped at spaces, so the quoted parts
    are joined again here."""
    if message.previous_id:
        return str(message.previous_id[0])
    lines = [c[1:].strip() for c in message.user_comments if c.startswith("|")]
    if not lines or not lines[0].startswith("msgid "):
        return None
    quoted = _QUOTED.findall(" ".join(lines).removeprefix("msgid "))
    return "".join(unescape(f'"{part}"') for part in quoted)


_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def content_translation(code: str, context: str | None, english: str) -> Translated | None:
    """A text's translation by its node (its msgctxt): also when the English changed since
    (then `review` is set, and the previous translation is still served); None if new.
    Texts in code have no msgctxt and are found by their English."""
    if code == SOURCE_LANGUAGE:
        return Translated(english, english, False)
    found = _by_context(code).get(context) if context else None
    if found is not None:
        return Translated(found.english, found.text, found.review or found.english != english)
    return _plain(code).get(english)


@cache
def _plain(code: str) -> dict[str, Translated]:
    """Translated entries without a context, by English (and catalogs from before contexts)."""
    return {m.id: Translated(m.id, m.string, m.fuzzy) for m in _catalog(code)
            if not m.context and isinstance(m.id, str) and isinstance(m.string, str)
            and m.string}


def pgettext(context: str, message: str) -> str:
    """A content text (journey, FAQ, plan) in the reader's language, found by its node:
    editing the English never leaves a reader without the translation they had."""
    found = content_translation(current_locale(), context, message)
    return found.text if found is not None else message


def current_locale() -> str:
    """The language of whoever this update or job is for."""
    return _locale.get()


@contextmanager
def use_locale(code: str) -> Iterator[None]:
    """Render everything inside the block in one recipient's language."""
    token = _locale.set(code if code in language_codes() else SOURCE_LANGUAGE)
    try:
        yield
    finally:
        _locale.reset(token)


def switch_locale(code: str) -> None:
    """Change language mid-update (the user just chose one); use_locale's exit restores."""
    _locale.set(code if code in language_codes() else SOURCE_LANGUAGE)


def _(message: str) -> str:
    """Translate into the current recipient's language."""
    return translations(current_locale()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate with the catalog's own Plural-Forms (six forms in Arabic)."""
    return translations(current_locale()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction where it is defined; translate it where it is shown."""
    return message


def is_rtl(code: str | None = None) -> bool:
    """Whether a language is written right to left."""
    wanted = code or current_locale()
    return any(lang.rtl for lang in languages() if lang.code == wanted)


def backward(label: str = "") -> str:
    """A Back or Previous label whose arrow points where the reader came from (right in Arabic)."""
    return _arrowed("➡️" if is_rtl() else "⬅️", label)


def forward(label: str = "") -> str:
    """A Next or Continue label whose arrow points the way the reader reads on."""
    return _arrowed("⬅️" if is_rtl() else "➡️", label)


def _arrowed(arrow: str, label: str) -> str:
    """Arrows are never part of a translation: the direction comes from the language."""
    return f"{arrow} {label}" if label else arrow


# Bidi isolation ---------------------------------------------------------------------------

LRI, PDI = "\u2066", "\u2069"
_TOKENS = re.compile(r"(<[^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);)")
# A leading + belongs to an international phone number (+31 900 8020): inside the isolate,
# or a right-to-left paragraph shows it after the digits.
_WORD = r"(?:\+(?=\d)|/)?[A-Za-z0-9\u00C0-\u024F][A-Za-z0-9\u00C0-\u024F'’\-./:@_+%=?#~]*"
_LATIN_RUN = re.compile(rf"{_WORD}(?:[ ,]+{_WORD})*")
_TRAILING = ".,:;?!)"


def isolate_latin(text: str) -> str:
    """Wrap Latin-script runs (names, DigiD, dates, numbers, URLs) in LRI…PDI.

    In a right-to-left paragraph a run like "DigiD." otherwise shows its full stop on the
    wrong side, and "0800-2000" can be reordered. HTML tags and entities are left intact.
    """
    parts = _TOKENS.split(text)
    return "".join(p if _TOKENS.fullmatch(p) else _LATIN_RUN.sub(_wrap, p) for p in parts)


def _wrap(match: re.Match[str]) -> str:
    """Keep sentence punctuation outside the isolate, where the RTL paragraph expects it."""
    run = match.group(0)
    core = run.rstrip(_TRAILING)
    return f"{LRI}{core}{PDI}{run[len(core):]}"


def localize_direction(text: str) -> str:
    """Apply isolation only where it is needed: in right-to-left languages."""
    return isolate_latin(text) if is_rtl() else text


# Short labels -----------------------------------------------------------------------------

ELLIPSIS = "…"
_SPACE = re.compile(r"\s+")
_LOOSE_END = " ,;:–—-(/"  # what a cut leaves dangling before the "…"


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters where it can be: cut after a whole word, with "…".

    Never inside a word, and in right-to-left languages never inside a Latin run ("Mijn
    toeslagen"), which is isolated as one piece: "الـhuisa…" helps nobody. When even the
    first word (or run) does not fit, it is kept whole.
    """
    if len(text) <= limit:
        return text
    runs = [m.span() for m in _LATIN_RUN.finditer(text)] if is_rtl() else []
    cuts = [m.start() for m in _SPACE.finditer(text)
            if not any(start < m.start() < end for start, end in runs)]
    heads = [text[:cut].rstrip(_LOOSE_END) for cut in cuts]
    fitting = [head for head in heads if head and len(head) < limit]
    head = fitting[-1] if fitting else next((h for h in heads if h), text)
    return head + ELLIPSIS if head != text else text
