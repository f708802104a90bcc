"""Content that stays true (issue 20): one term per concept, no stray English in Arabic and
Tigrinya, the right sub-source, regional facts marked as such, every fact sourced and dated."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from bot.core import crisis
from bot.core.content import FLOWS, known_sources
from bot.core.freshness import TextNode, due, warn_overdue
from bot.core.journeys.report import PLAIN_WORDS, all_nodes, content_report, dutch, plainness
from bot.i18n import language_codes, po_path

GLOSSARY: dict[str, Any] = yaml.safe_load((FLOWS / "glossary.yaml").read_text("utf-8"))
NOT_WORDS = re.compile(r"<[^>]+>|&\w+;|https?://\S+|\{[^}]*\}|/\w+|\S+@\S+"
                       r"|\b[\w.-]+\.(?:nl|nu|com|org|eu)\b")
WORD = re.compile(r"[A-Za-zÀ-ɏ][A-Za-zÀ-ɏ'’-]+")


Entries = tuple[tuple[str, str, str | None], ...]


@cache
def entries(code: str) -> Entries:
    """(English, translation, msgctxt) of every translated entry, plural forms each."""
    with po_path(code).open("rb") as handle:
        catalog = read_po(handle, locale=code)
    return tuple((english, text, m.context) for m in catalog if m.id
                 for english, text in _pairs(m) if text)


def _pairs(message: Message) -> list[tuple[str, str]]:
    ids = [message.id] if isinstance(message.id, str) else list(message.id)
    strings = message.string if isinstance(message.string, tuple | list) else [message.string]
    return [(str(ids[min(i, len(ids) - 1)]), str(s or "")) for i, s in enumerate(strings)]


def glossary_problems(code: str, found: Entries) -> list[str]:
    """Entries that name a concept without its approved term, or use a banned variant."""
    problems = []
    for name, term in GLOSSARY["terms"].items():
        rule = term.get(code)
        if rule is None:
            continue
        concept = re.compile(term["concept"], re.IGNORECASE)
        for english, text, context in found:
            where = f"{name}: {context or english[:50]!r}"
            missing = "use" in rule and rule["use"].lower() not in text.lower()
            if missing and concept.search(english):
                problems.append(f"{where} does not say {rule['use']!r}")
            problems += [f"{where} says {bad!r}" for bad in rule.get("avoid", []) if bad in text]
    return problems


@pytest.mark.parametrize("code", language_codes())
def test_one_approved_term_per_concept(code: str) -> None:
    assert glossary_problems(code, entries(code)) == []


def test_the_glossary_check_catches_a_second_rendering() -> None:
    text = "اتصل بـ<b>Nederlandse Arbeidsinspectie</b> (هيئة تفتيش العمل)"
    found = glossary_problems("ar", (("Report it to the Arbeidsinspectie.", text, "faq:x"),))
    assert any("does not say 'مفتشية العمل'" in p for p in found)
    assert any("says 'هيئة تفتيش العمل'" in p for p in found)


def latin_words(text: str) -> list[str]:
    """Latin-script words left after the allowed Dutch terms and names are taken out."""
    allowed = GLOSSARY["latin_allowed"]
    plain = NOT_WORDS.sub(" ", text)
    for phrase in sorted(allowed["phrases"], key=len, reverse=True):
        plain = re.sub(re.escape(phrase), " ", plain, flags=re.IGNORECASE)
    words = {w.lower() for w in allowed["words"]}
    return [w for w in WORD.findall(plain) if w.lower() not in words
            and not re.fullmatch(r"[A-Z]\d?|Wi\d*", w)]


@pytest.mark.parametrize("code", [c for c in GLOSSARY["latin_check"] if c in language_codes()])
def test_no_english_left_in_non_latin_languages(code: str) -> None:
    stray = {f"{context or english[:40]!r}: {word}" for english, text, context in entries(code)
             for word in latin_words(text)}
    assert sorted(stray) == []


def test_the_latin_check_keeps_dutch_terms_and_catches_english() -> None:
    assert latin_words("ሓተቱ ኣብ <b>gemeente</b> https://x.nl/a {name} /help B1") == []
    assert latin_words("ኣብ resettlement (UNHCR) ዝመጹ") == ["resettlement"]
    assert latin_words("ብ Work in NL ሓበሬታ") == []


SUB_SOURCES = {  # a fact from a sub-page cites that page (ℹ️ Source shows it)
    "medical file": "S26-b",
    "meedoenbalie": "S31-h",
    "before you buy": "S15-b",
    "vrijwilligersverklaring": "S43-b",
}


def test_sources_notes_name_only_sources_that_have_their_own_entry() -> None:
    named = {tag for source in known_sources().values()
             for tag in re.findall(r"\bS\d+(?:-[a-z0-9]+)?\b", source.get("note", ""))}
    assert named - set(known_sources()) == set()


def english(node: TextNode) -> str:
    return "\n".join(text for _context, text in node.texts)


def test_facts_from_a_sub_page_cite_the_sub_page() -> None:
    wrong = [f"{node.id}: {phrase} → {tag}" for node in all_nodes()
             for phrase, tag in SUB_SOURCES.items()
             if phrase in english(node).lower() and tag not in node.sourced.sources]
    assert wrong == []


REGIONAL = re.compile(r"begeleider[^.]*\barrange|arranges? the (viewing|move|transfer)",
                      re.IGNORECASE)


def test_who_arranges_the_move_is_said_to_differ_per_gemeente() -> None:
    """One Brabant page is not a national rule: such a sentence sends people to the gemeente."""
    stated = [node.id for node in all_nodes() if REGIONAL.search(english(node))
              and not re.search(r"differs per gemeente|ask your gemeente", english(node),
                                re.IGNORECASE)]
    assert stated == []


def test_every_fact_has_sources_and_a_date_and_warned_facts_a_review_date() -> None:
    nodes = all_nodes()
    assert {n.kind for n in nodes} == {"journey", "faq", "plan", "crisis", "help"}
    assert all(n.sourced.sources and n.sourced.last_checked for n in nodes)
    unknown = {s for n in nodes for s in n.sourced.sources} - set(known_sources())
    assert unknown == set()
    euros = [n.id for n in nodes if "€" in english(n) and n.sourced.review_by is None]
    assert euros == [], "an amount changes: give it a review_by date"


def test_every_crisis_kind_has_sources() -> None:
    for kind in crisis.SOURCED:
        assert crisis.crisis_text(kind)
    code = Path(crisis.__file__).read_text(encoding="utf-8")
    kinds = set(re.findall(r'"([a-z_]+)": _\(', code))
    assert kinds == set(crisis.SOURCED)


def test_the_content_report_covers_every_node_and_what_is_due() -> None:
    report = content_report(date(2026, 12, 7))
    for node in all_nodes():
        assert f"| {node.kind} | {node.id} |" in report
    assert "| crisis | suicide |" in report and "| help | emergency |" in report
    assert "| plan | farewell |" in report and "Flesch–Douma" in report
    later = content_report(date(2028, 1, 1))
    assert "## Due for a check (0)" not in later and "over a year ago" in later


def test_overdue_facts_are_warned_about_not_refused(caplog: pytest.LogCaptureFixture) -> None:
    nodes = all_nodes()
    assert warn_overdue(nodes, date(2026, 12, 7)) == 0
    assert warn_overdue(nodes, date(2028, 1, 1)) == len(nodes)
    assert "content due for a check" in caplog.text
    assert all(due(n, date(2028, 1, 1)) for n in nodes)


def test_plain_dutch_is_measured_per_sentence() -> None:
    plain = plainness("<b>Kort</b>\nDit is een korte zin. En nog een.\n• Een regel zonder punt")
    assert plain.longest == 5 and plain.sentence == "Dit is een korte zin."
    assert plain.score > 60
    long = plainness(" ".join(["woord"] * 25) + ".")
    assert long.longest == 25


def test_dutch_sentences_stay_short() -> None:
    """Plain Dutch (issue 20): no sentence a Dutch reader gets is longer than 20 words."""
    long = [f"{n.kind} {n.id}: {p.sentence}" for n in all_nodes()
            if (p := plainness(dutch(n))).longest > PLAIN_WORDS]
    assert long == []
