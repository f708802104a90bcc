"""The question matcher and its content: coverage, validation, the ask command, chat."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml

from bench.faq_eval import evaluate, load
from bot.core.content import load_journeys
from bot.core.engine import Core
from bot.core.faq.ask import build_matcher, run
from bot.core.faq.loader import FaqError, load_faq
from bot.core.faq.matcher import tokens
from bot.core.faq.terms import (
    TERMS,
    TIGRINYA_LATIN,
    ethiopic_key,
    known_spellings,
    spelling_table,
)
from bot.core.normalize import ethiopic_skeleton, normalize
from bot.i18n import language_codes
from fakebot import FakeTelegram
from tests.chat import CoreChat
from tests.telegram import TgUser, running_bot

TOPICS = (Path(__file__).parent / "data" / "faq_topics.txt").read_text().split()
JOURNEYS = load_journeys(translations=False)
ENTRIES = load_faq(JOURNEYS, translations=False)
MATCHER = build_matcher()
# Floors just under the measured evaluation (bench/faq_eval.py); raise them as it improves.
# The aim is top-1 ≥ 0.80 and top-3 ≥ 0.90 everywhere (measured: docs/faq.md).
FLOORS = {"nl": (0.97, 0.97), "en": (0.90, 0.93), "ar": (0.98, 0.98), "ti": (0.94, 0.94)}
# The sets written apart from the phrase lists (docs/faq.md): a little under today's numbers.
APART_FLOORS = {"dev": {"nl": (0.97, 0.97), "en": (0.97, 0.97), "ar": (0.96, 0.96),
                        "ti": (0.96, 0.96), "pl": (0.95, 0.96)},
                "test": {"nl": (0.92, 0.95), "en": (0.92, 0.95), "ar": (0.91, 0.95),
                         "ti": (0.91, 0.95), "pl": (0.85, 0.90)}}
# (Arabic's test floor went down from 0.88/0.90 in issue 20: its 39 questions about the new
# topics now count and are answered less well; the existing topics held, docs/faq.md.
# Polish joined on 2026-12-07 at dev 86/88% and test 84/88%: floors a little under.
# After the phrasings written for the third dev round (2026-12-07) the test half reads ar
# 92/94, ti 92/97, pl 85/90: those floors rose to a little under. After rounds 5 and 6
# (2026-12-07: two more dev rounds written apart, 557 questions) the test half reads nl 94/97,
# en 94/98, ar 93/95, ti 93/97, pl 87/92: top-3 is held at issue 15's aim of 95% in the four
# languages it names, top-1 a little under today's.)
CONFIDENT_WRONG, OUT_OF_SCOPE_ANSWERED = 0.03, 0.10


# shared/faq-topics.md, "Added in the second round" (issue 20): ids that never change.
SECOND_ROUND = {"health.eigen_risico", "health.pregnancy", "health.feeling_low", "money.debt_help",
                "money.toeslagen_changes", "money.childcare_benefit", "education.newcomer_school",
                "language.free_lessons", "housing.repairs", "admin.permit_renewal",
                "admin.naturalisation", "legal.discrimination", "eu.agency_work",
                "eu.job_and_housing_lost", "sponsor.samen_hier", "sponsor.limits"}


def test_every_topic_has_an_entry() -> None:
    assert set(ENTRIES) == set(TOPICS) | SECOND_ROUND


def test_every_entry_is_asked_in_every_language() -> None:
    for entry in ENTRIES.values():
        assert set(entry.match) == set(language_codes()), entry.id


def test_broken_entries_are_named(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text(yaml.safe_dump({"spec_version": 1, "entries": [{
        "id": "admin.demo", "question": "Q?", "answer": "A.", "sources": ["S999"],
        "last_checked": "2026-11-22", "journey": "first_steps:nowhere",
        "match": {"en": ["a", "b", "c"]}}]}), encoding="utf-8")
    with pytest.raises(FaqError) as error:
        load_faq(JOURNEYS, tmp_path, translations=False)
    assert "flows/faq/x.yaml: node 'admin.demo': unknown source 'S999'" in str(error.value)
    assert "journey step 'first_steps:nowhere' not found" in str(error.value)


@pytest.mark.parametrize("lang", ["nl", "en", "ar", "ti"])
def test_evaluation_stays_above_the_floors(lang: str) -> None:
    scores, outside = evaluate(MATCHER, load("first"))
    top1, top3, wrong = scores[lang].rates()
    assert scores[lang].total >= 50
    assert top1 >= FLOORS[lang][0], scores[lang].misses
    assert top3 >= FLOORS[lang][1], scores[lang].misses
    assert wrong <= CONFIDENT_WRONG, scores[lang].misses
    answered = outside[lang].confident_wrong / outside[lang].total
    assert answered <= OUT_OF_SCOPE_ANSWERED


@pytest.mark.parametrize("half", ["dev", "test"])
def test_questions_written_apart_stay_above_their_floors(half: str) -> None:
    scores, outside = evaluate(MATCHER, load(half))
    for lang, (top1_floor, top3_floor) in APART_FLOORS[half].items():
        top1, top3, wrong = scores[lang].rates()
        assert top1 >= top1_floor, lang
        assert top3 >= top3_floor and wrong <= CONFIDENT_WRONG, lang
        assert scores[lang].talk_answered == 0, "small talk got an FAQ answer"
        assert outside[lang].confident_wrong == 0


@pytest.mark.parametrize(("text", "lang"), [("كيف اطلب huurtoeslag", "ar"),
                                            ("ዲጂዲ ብኸመይ ይርከብ", "ti"),
                                            ("hausarts kemei yrkeb", "ti"),
                                            ("hoe vraag ik huurtoeslag aan", "nl"),
                                            ("how do i apply for rent benefit", "en")])
def test_language_is_detected(text: str, lang: str) -> None:
    assert MATCHER.ask(text).lang == lang


def test_ask_prints_json_lines_for_standard_input() -> None:
    out = io.StringIO()
    run([], None, False, io.StringIO("كيف اطلب huurtoeslag\nwhat is the weather\n"), out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0]["lang"] == "ar" and lines[0]["matches"][0]["id"] == "money.huurtoeslag"
    assert lines[1]["decision"] == "unknown"
    assert all(set(line) == {"lang", "decision", "crisis_kind", "distress", "about_other",
                             "safety_check", "smalltalk", "matches"} for line in lines)


async def test_menu_question_gets_an_answer_with_source_and_step(core: Core) -> None:
    chat = CoreChat(core)
    await chat.onboard("ar")
    outcome = await chat.send("كيف اطلب huurtoeslag")
    assert len(outcome.replies) == 1
    shown = [b.data for b in chat.buttons]
    assert "faq:money.huurtoeslag:s" in shown and "menu:back" in shown


async def test_question_during_a_journey_leads_back_to_the_step(core: Core) -> None:
    chat = CoreChat(core)
    await chat.onboard("nl")
    await chat.press("j:first_steps::o")
    await chat.send("hoe krijg ik digid")
    assert "j:first_steps::o" in [b.data for b in chat.buttons]


async def test_did_you_mean_and_unknown_over_telegram(fake: FakeTelegram, core: Core) -> None:
    user = TgUser(fake, 777)
    async with running_bot(fake, core):
        await user.onboard("en")
        await user.send("toeslag")
        suggested = [d for _, d in user.last_buttons() if d.startswith("faq:")]
        await user.send("what is the weather tomorrow")
        unknown = user.transcript()[-1]
        way_back = [data for _, data in user.last_buttons()]
    assert 2 <= len(suggested) <= 4  # up to three entries and "none of these"
    assert "gemeente" in unknown
    # a person, the help near them (no theme to guess: the themes), the way back
    assert way_back[1:] == ["dir:t", "menu:back"] and way_back[0].startswith("q:ask:")


def _spelled(text: str) -> list[str]:
    return known_spellings(normalize(text).split())


def test_ethiopic_kx_and_qh_are_k_and_q() -> None:
    # ኸ and ቐ are ከ and ቀ after a vowel; people type either
    assert normalize("ብኸመይ") == normalize("ብከመይ") == "ብከመይ"
    assert normalize("ክቕበል") == normalize("ክቅበል") == "ክቅበል"
    assert normalize("ዃ ቛ") == normalize("ኳ ቋ")  # their labialised forms too


def test_ethiopic_ayin_folds_like_alef() -> None:
    assert normalize("ዐ") == normalize("አ") == normalize("ኣ") == "ኣ"
    assert normalize("ዓመት") == normalize("ኣመት")


def test_ethiopic_punctuation_is_a_space() -> None:
    assert normalize("ዲጂዲ፡ብኸመይ፧ ይርከብ።") == "ዲጂዲ ብከመይ ይርከብ"


def test_labialised_consonants_share_the_plain_skeleton() -> None:
    assert ethiopic_skeleton("ጕዳይ") == ethiopic_skeleton("ጉዳይ")
    assert ethiopic_skeleton(normalize("ክጠቍም")) == ethiopic_skeleton(normalize("ክጠቕም"))
    assert tokens("ጕዳይ") & tokens("ጉዳይ")


@pytest.mark.parametrize(("spelling", "term"), [
    ("ሁርቱስላኽ", "huurtoeslag"), ("ሁርቶስላግ", "huurtoeslag"), ("ሁርቶሽላግ", "huurtoeslag"),
    ("ሑርቱስላሕ", "huurtoeslag"),  # not listed: same loose key
    ("ገመንተ", "gemeente"), ("ኸመንተ", "gemeente"), ("ሀመንተ", "gemeente"),
    ("ሁይሳርት", "huisarts"), ("ሃውሳርት", "huisarts"), ("ሃውስ ኣርትስ", "huisarts"),
    ("ዱኦ", "duo"), ("ኢንቡርገሪንግ", "inburgering"), ("ኢንቡርኸሪንግ", "inburgering"),
    ("ባይስታንድ", "bijstand"), ("ቢ ኤስ ኤን", "bsn"), ("ቢኤስኤን", "bsn"), ("ዞርግቶስላግ", "zorgtoeslag"),
    ("ንገመንተ", "gemeente"), ("ብdigid", "digid"),  # Tigrinya ን/ብ joined in front
    ("hausarts", "huisarts"), ("hurtuslag", "huurtoeslag"), ("baistand", "bijstand"),
    ("hemeente", "gemeente"), ("ኣይገን ሪሲኮ", "eigen risico"),
])
def test_dutch_terms_are_recognised_however_spelled(spelling: str, term: str) -> None:
    assert _spelled(spelling) == term.split()


@pytest.mark.parametrize("text", [
    "ድኣ", "ቤት", "ቦታ", "ሃይማኖታዊ", "እንታይከ", "ከም እንተ", "ኣብ ገዛ", "ኣነ ደልየ",
])
def test_ordinary_tigrinya_words_are_not_dutch_terms(text: str) -> None:
    # ድኣ/ዱኦ and ቤት/ቡተ share consonants; ሃይማኖታዊ, እንታይከ and ከም እንተ have the loose key
    # of ገመንተ or ኢንተይክ if glides were dropped or words joined freely
    assert _spelled(text) == normalize(text).split()


def test_a_word_next_to_a_term_stays_a_word() -> None:
    assert _spelled("መን እዩ ኢንቡርገሪንግ ዝግደድ") == ["መን", "እዩ", "inburgering", "ዝግደድ"]


def test_tigrinya_question_words_in_latin_letters_have_one_spelling() -> None:
    assert _spelled("kemei kmey bkemey entai kendey ykel") == [
        "kemey", "kemey", "kemey", "entay", "kndey", "yikel"]


def test_every_spelling_means_one_thing() -> None:
    table = spelling_table()  # raises when a spelling or its loose key would mean two terms
    assert table["~" + ethiopic_key("ሁርቶስላግ")] == table["hurtuslag"] == "huurtoeslag"
    assert all(term not in TERMS for term in TIGRINYA_LATIN)


@pytest.mark.parametrize(("question", "entry"), [
    ("ሁርቶሽላግ ብኸመይ ይሕተት", "money.huurtoeslag"),
    ("ሁይሳርት ኣበይ ክረክብ", "health.huisarts"),
    ("hurtuslag kemei yhtet", "money.huurtoeslag"),
])
def test_dutch_terms_in_ethiopic_or_transliterated_find_their_entry(question: str,
                                                                   entry: str) -> None:
    assert MATCHER.ask(question).matches[0].id == entry
