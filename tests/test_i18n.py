"""Every language, every time: complete catalogs, right plurals, right-to-left done right."""

from __future__ import annotations

import ast
import gettext
import re

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from bot.core.render import finish
from bot.i18n import (
    LOCALES_DIR,
    LRI,
    PDI,
    _,
    backward,
    current_locale,
    forward,
    is_rtl,
    isolate_latin,
    language_codes,
    language_name,
    languages,
    po_path,
    shorten,
    use_locale,
)
from fakebot.html_check import check_telegram_html

PLACEHOLDER = re.compile(r"\{[^{}]*\}")
CODES = language_codes()
MARKERS = {"_", "N_", "ngettext"}


def catalog_messages(code: str) -> list[Message]:
    with po_path(code).open("rb") as handle:
        return [m for m in read_po(handle, locale=code) if m.id]


def template_ids() -> set[str]:
    return {msgid for _context, msgid in template_keys()}


def template_keys() -> set[tuple[str | None, str]]:
    """(msgctxt, msgid) of every template entry: content texts carry their node as msgctxt."""
    with (LOCALES_DIR / "messages.pot").open("rb") as handle:
        return {(m.context, m.id if isinstance(m.id, str) else m.id[0])
                for m in read_po(handle) if m.id}


def strings(message: Message) -> list[str]:
    value = message.string
    return list(value) if isinstance(value, tuple | list) else [value or ""]


def test_shipped_languages_have_catalogs() -> None:
    assert CODES == ("nl", "en", "pl", "ar", "ti")
    assert all(po_path(code).exists() for code in CODES)


@pytest.mark.parametrize("code", CODES)
def test_catalog_is_complete(code: str) -> None:
    """Every entry has a translation. One that needs review (fuzzy: its English changed
    since) is served and listed in docs/content-report.md; only a new entry fails here."""
    messages = catalog_messages(code)
    keys = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in messages}
    assert keys >= template_keys(), f"{code}: run `python main.py catalogs`"
    untranslated = [m.id for m in messages if not all(strings(m))]
    assert untranslated == [], f"{code}: missing translations"


@pytest.mark.parametrize("code", CODES)
def test_placeholders_and_html_match(code: str) -> None:
    for message in catalog_messages(code):
        sources = [message.id] if isinstance(message.id, str) else list(message.id)
        expected = [sorted(PLACEHOLDER.findall(source)) for source in sources]
        for translated in strings(message):
            found = sorted(PLACEHOLDER.findall(translated))
            # a plural form may leave the number out ("two municipalities" in Arabic)
            allowed = found in expected or set(found) <= set(expected[-1])
            assert allowed, f"{code}: placeholders differ in {sources[0]!r}: {found}"
            check_telegram_html(translated)  # raises on HTML Telegram would reject


def marked_strings() -> set[str]:
    """Every literal passed to _(), N_() or ngettext() in the package, f-strings included."""
    found: set[str] = set()
    for path in (LOCALES_DIR.parent / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in MARKERS:
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.add(first.value)
    return found


def test_every_marked_string_is_in_the_template() -> None:
    """Babel skips _() inside f-strings; such a string would show in English to everyone."""
    missing = marked_strings() - template_ids()
    assert missing == set(), "run `python main.py catalogs`; not extracted: " + repr(missing)


ARABIC_CLDR = {0: 0, 1: 1, 2: 2, 3: 3, 10: 3, 11: 4, 99: 4, 100: 5, 102: 5, 103: 3, 111: 4}
TIGRINYA_CLDR = {0: 0, 1: 0, 2: 1, 5: 1, 100: 1}
# one, few, many: Babel's own header for Polish follows CLDR
POLISH_CLDR = {0: 2, 1: 0, 2: 1, 4: 1, 5: 2, 12: 2, 14: 2, 22: 1, 25: 2, 112: 2, 122: 1}


@pytest.mark.parametrize(("code", "expected"), [("ar", ARABIC_CLDR), ("ti", TIGRINYA_CLDR),
                                                ("pl", POLISH_CLDR),
                                                ("nl", {0: 1, 1: 0, 2: 1}),
                                                ("en", {0: 1, 1: 0, 2: 1})])
def test_plural_forms_follow_cldr(code: str, expected: dict[int, int]) -> None:
    with po_path(code).open("rb") as handle:
        catalog = read_po(handle, locale=code)
    plural = gettext.c2py(catalog.plural_expr)
    assert {n: plural(n) for n in expected} == expected
    assert catalog.num_plurals == max(expected.values()) + 1


def test_locale_is_per_context_and_unknown_codes_fall_back() -> None:
    with use_locale("ar"):
        assert current_locale() == "ar"
        assert is_rtl()
        with use_locale("xx"):
            assert current_locale() == "en"
        assert current_locale() == "ar"
    assert not is_rtl("ti")


def test_languages_come_from_linguas_with_native_names() -> None:
    assert [(lang.code, lang.native_name, lang.rtl) for lang in languages()] == [
        ("nl", "Nederlands", False), ("en", "English", False), ("pl", "Polski", False),
        ("ar", "العربية", True), ("ti", "ትግርኛ", False),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("سجّل في DigiD.", f"سجّل في {LRI}DigiD{PDI}."),
        ("اتصل بـ 0800-2000!", f"اتصل بـ {LRI}0800-2000{PDI}!"),
        ("من الخارج: +31 70 333 5678", f"من الخارج: {LRI}+31 70 333 5678{PDI}"),
        ("البلدية: <b>Den Haag</b>", f"البلدية: <b>{LRI}Den Haag{PDI}</b>"),
        ("أرسل /delete الآن", f"أرسل {LRI}/delete{PDI} الآن"),
        ("انظر https://www.digid.nl/aanvragen.", f"انظر {LRI}https://www.digid.nl/aanvragen{PDI}."),
        ("Tom &amp; Jerry", f"{LRI}Tom{PDI} &amp; {LRI}Jerry{PDI}"),
        ("بدون لاتينية", "بدون لاتينية"),
    ],
)
def test_latin_runs_are_isolated(text: str, expected: str) -> None:
    assert isolate_latin(text) == expected
    check_telegram_html(isolate_latin(text))


def test_only_rtl_languages_get_isolates() -> None:
    with use_locale("ti"):
        assert LRI not in finish("DigiD.")
    with use_locale("ar"):
        assert finish("DigiD.") == f"{LRI}DigiD{PDI}."
        assert _("Skip") != "Skip"


@pytest.mark.parametrize(("code", "back", "ahead"), [("ar", "➡️", "⬅️"), ("nl", "⬅️", "➡️"),
                                                     ("en", "⬅️", "➡️"), ("ti", "⬅️", "➡️"),
                                                     ("pl", "⬅️", "➡️")])
def test_back_and_forward_point_the_reading_way(code: str, back: str, ahead: str) -> None:
    with use_locale(code):
        assert backward(_("Back")) == f"{back} {_('Back')}"
        assert (backward(), forward()) == (back, ahead)


ARROWS = ("⬅️", "➡️", "◀", "▶")


def test_arrows_come_from_the_one_helper_never_from_a_translation() -> None:
    """A translated "⬅️ Back" would point the wrong way in Arabic; only bot.i18n draws them."""
    for code in CODES:
        baked = [m.id for m in catalog_messages(code)
                 if any(a in text for text in [*strings(m), str(m.id)] for a in ARROWS)]
        assert baked == [], code
    sources = [path for path in (LOCALES_DIR.parent / "bot").rglob("*.py")
               if path.name != "i18n.py" and path.parent.name != "telegram"
               and any(a in path.read_text(encoding="utf-8") for a in ARROWS)]
    assert sources == []


@pytest.mark.parametrize(("code", "text", "limit", "short"), [
    ("en", "Register at the gemeente (BRP) with your family", 30, "Register at the gemeente…"),
    ("en", "Register at the gemeente", 40, "Register at the gemeente"),
    ("en", "Basisbetaalrekening openen", 10, "Basisbetaalrekening…"),  # never inside it
    ("nl", "Vraag zorgtoeslag aan, als je er recht op hebt", 25, "Vraag zorgtoeslag aan…"),
    ("ar", "طلب الـzorgtoeslag في Mijn toeslagen الآن", 30, "طلب الـzorgtoeslag في…"),
    ("ar", "سجّل عند الـhuisarts اليوم", 15, "سجّل عند…"),
    ("en", "Log in to Mijn toeslagen today", 20, "Log in to Mijn…"),  # left to right: words
])
def test_labels_are_shortened_after_whole_words(code: str, text: str, limit: int,
                                                short: str) -> None:
    with use_locale(code):
        assert shorten(text, limit) == short


@pytest.mark.parametrize(("reader", "name"), [("nl", "Arabisch"), ("en", "Arabic"),
                                              ("ar", "العربية"), ("ti", "ዓረብኛ")])
def test_a_language_is_named_in_the_readers_language(reader: str, name: str) -> None:
    with use_locale(reader):
        assert language_name("ar") == name
        assert language_name("??") == "??"
