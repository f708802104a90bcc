"""Catalog maintenance: extract every string, update each language, report what is missing.

`python main.py catalogs` is the one command translators and developers run after
changing text; it wraps `pybabel extract` and `pybabel update`, fixes the Plural-Forms
headers Babel gets wrong, and fills the English catalog (English is the source text).
"""

from __future__ import annotations

from contextlib import chdir
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

from bot.i18n import LOCALES_DIR, SOURCE_LANGUAGE, language_codes, po_path

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
    fuzzy: int


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
    else:
        _pybabel("update", "-i", str(TEMPLATE), "-d", str(LOCALES_DIR), "-l", code,
                 "--ignore-obsolete", "--no-fuzzy-matching")
    _rewrite(code, path)


def _rewrite(code: str, path: Path) -> None:
    """Correct Plural-Forms, and let English translate to itself."""
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    if code in PLURAL_FORMS:
        catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS[code])]
    if code == SOURCE_LANGUAGE:
        _fill_identity(catalog)
    with path.open("wb") as handle:
        write_po(handle, catalog, include_previous=False, sort_output=True)


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
    """Extract, update every shipped language, and print what is left to translate."""
    extract()
    for code in language_codes():
        update(code)
    results = [status(code) for code in language_codes()]
    for result in results:
        print(f"{result.code}: {result.total} messages, {result.missing} missing, "
              f"{result.fuzzy} fuzzy")
    return 1 if any(r.missing or r.fuzzy for r in results) else 0
