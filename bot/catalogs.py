"""Catalog maintenance: extract every string, update each language, report what is missing.

`python main.py catalogs` is the one command translators and developers run after
changing text; it wraps `pybabel extract` and `pybabel update`, fixes the Plural-Forms
headers Babel gets wrong, and fills the English catalog (English is the source text).

Content texts (journeys, FAQ, plan) carry a msgctxt naming their place. When their English
changes, the previous translation is kept, marked fuzzy ("needs review") with the English it
was made for as its previous msgid (`#| msgid`): standard gettext, which Poedit and other
tools show as a diff. Only an entry with no translation at all counts as missing.
"""

from __future__ import annotations

from contextlib import chdir
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

from bot.i18n import LOCALES_DIR, SOURCE_LANGUAGE, language_codes, po_path, previous_msgid

ROOT = LOCALES_DIR.parent
TEMPLATE = LOCALES_DIR / "messages.pot"

# Babel orders Arabic's forms 4 and 5 unlike CLDR and has no rule for Tigrinya.
PLURAL_FORMS = {
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3"
          " : n%100>=11 ? 4 : 5);",
    "ti": "nplurals=2; plural=(n > 1);",
}


@dataclass(frozen=True)
class CatalogStatus:
    """How complete one language is."""

    code: str
    total: int
    missing: int
    fuzzy: int  # needs review: served, listed in the content report


def extract() -> None:
    """Collect every marked string from the code into the template."""
    with chdir(ROOT):  # references in the catalogs stay relative: bot/core/menu.py
        _pybabel("extract", "-F", "babel.cfg", "-k", "N_", "--add-location=file",
                 "-c", "TRANSLATORS:", "--sort-output", "--project=Wegwijs",
                 "--copyright-holder=Wegwijs contributors", "-o", str(TEMPLATE), ".")


def update(code: str) -> None:
    """Merge the template into one language's catalog, creating it when new."""
    path = po_path(code)
    if not path.exists():
        _pybabel("init", "-i", str(TEMPLATE), "-d", str(LOCALES_DIR), "-l", code)
        before = Catalog(locale=code)
    else:
        before = _read(path, code)
        _pybabel("update", "-i", str(TEMPLATE), "-d", str(LOCALES_DIR), "-l", code,
                 "--ignore-obsolete", "--no-fuzzy-matching")
    _rewrite(code, path, before)


def _read(path: Path, code: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=code)


def _rewrite(code: str, path: Path, before: Catalog) -> None:
    """Correct Plural-Forms, keep translations whose English changed, English to itself."""
    catalog = _read(path, code)
    for message in catalog:
        _previous_as_previous(message)
    if code in PLURAL_FORMS:
        catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS[code])]
    if code == SOURCE_LANGUAGE:
        _fill_identity(catalog)
    else:
        carry_over(catalog, before)
    with path.open("wb") as handle:
        write_po(handle, catalog, include_previous=True, sort_output=True)


def _previous_as_previous(message: Message) -> None:
    """Keep `#| msgid` lines as they are (Babel reads them back as "| …" comments)."""
    previous = previous_msgid(message)
    message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
    message.previous_id = [previous] if previous and message.fuzzy else []


def carry_over(catalog: Catalog, before: Catalog) -> None:
    """Give each untranslated entry the translation it had before its English changed.

    Found by msgctxt (the node): kept, marked fuzzy, with the English it was made for as
    its previous msgid. Found by the same English elsewhere (another node, or a catalog
    from before contexts): still a good translation, taken as it is.
    """
    by_context = {m.context: m for m in before
                  if m.id and m.context and _translated(m.string or "")}
    by_english = {m.id: m for m in before if m.id and _translated(m.string or "")
                  and not m.fuzzy}
    for message in catalog:
        if not message.id or _translated(message.string or ""):
            continue
        old = by_context.get(message.context) if message.context else None
        if old is not None:
            _keep_for_review(message, old)
        elif (same := by_english.get(message.id)) is not None:
            message.string = same.string


def _keep_for_review(message: Message, old: Message) -> None:
    """The previous translation, fuzzy, remembering the English it translated."""
    made_for = [(previous_msgid(old) if old.fuzzy else None) or str(old.id)]
    message.string = old.string
    if made_for == [message.id]:  # the English went back to what was translated
        return
    message.flags.add("fuzzy")
    message.previous_id = made_for


def _fill_identity(catalog: Catalog) -> None:
    for message in catalog:
        if message.id and not _translated(message.string or ""):
            message.string = message.id
        message.flags.discard("fuzzy")


def status(code: str) -> CatalogStatus:
    """Counts a translator can act on."""
    with po_path(code).open("rb") as handle:
        catalog = read_po(handle, locale=code)
    messages = [m for m in catalog if m.id]
    missing = sum(1 for m in messages if not _translated(m.string or ""))
    fuzzy = sum(1 for m in messages if m.fuzzy)
    return CatalogStatus(code, len(messages), missing, fuzzy)


def _translated(string: str | tuple[str, ...] | list[str]) -> bool:
    return all(string) if isinstance(string, tuple | list) else bool(string)


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])  # type: ignore[no-untyped-call]


def main() -> int:
    """Extract, update every shipped language, and print what is left to translate; only
    missing translations fail (entries to review keep working: docs/content-report.md)."""
    extract()
    for code in language_codes():
        update(code)
    results = [status(code) for code in language_codes()]
    for result in results:
        print(f"{result.code}: {result.total} messages, {result.missing} missing, "
              f"{result.fuzzy} need review")
    return 1 if any(r.missing for r in results) else 0
