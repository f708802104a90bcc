"""Polish, added as data (locales/LINGUAS, its catalog, phrasings, small talk and crisis forms):
plurals, dates, typed dates and times, small talk, the matcher and the safety net, each with
and without Polish letters."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache

import pytest
import yaml
from babel.dates import format_date, format_datetime

from bot.core import safety, smalltalk
from bot.core.content import FLOWS
from bot.core.crisis import crisis_text
from bot.core.dialogs.typed import read_date, read_time
from bot.core.engine import Core
from bot.core.faq.ask import build_matcher, read
from bot.core.faq.matcher import Matcher
from bot.core.normalize import normalize
from bot.core.render import finish
from bot.i18n import is_rtl, ngettext, use_locale
from tests.chat import CoreChat

PLAIN = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


def without_letters(text: str) -> str:
    """The message as typed on a keyboard without Polish letters."""
    return text.translate(PLAIN)


@cache
def matcher() -> Matcher:
    return build_matcher()


def test_polish_letters_fold_so_both_spellings_are_one_text() -> None:
    typed = "Zażółć gęślą jaźń, ŁÓDŹ"
    assert normalize(typed) == normalize(without_letters(typed)) == "zazolc gesla jazn lodz"


@pytest.mark.parametrize(("n", "form"), [(0, "linków"), (1, "link"), (2, "linki"), (5, "linków"),
                                         (12, "linków"), (22, "linki"), (25, "linków"),
                                         (112, "linków")])
def test_three_plural_forms_as_cldr_says(n: int, form: str) -> None:
    with use_locale("pl"):
        text = ngettext("{count} invite link no longer works.",
                        "{count} invite links no longer work.", n).format(count=n)
    assert text.startswith(f"{n} {form} ")


def test_dates_and_direction_come_from_cldr() -> None:
    assert not is_rtl("pl")
    assert format_date(date(2027, 3, 12), "long", locale="pl") == "12 marca 2027"
    assert format_datetime(datetime(2027, 9, 1, 18, 30), "EEEE d MMMM y, HH:mm",
                           locale="pl") == "środa 1 września 2027, 18:30"


@pytest.mark.parametrize(("typed", "day"), [("12 marca", date(2027, 3, 12)),
                                            ("1 września", date(2027, 9, 1)),
                                            ("1 wrzesnia", date(2027, 9, 1)),
                                            ("3 maj", date(2027, 5, 3)),
                                            ("24 gru", date(2026, 12, 24))])
def test_typed_polish_dates(typed: str, day: date) -> None:
    assert read_date(typed, date(2026, 12, 7)) == day


@pytest.mark.parametrize(("typed", "hour", "minute"), [("o 18:30", 18, 30), ("godz. 9", 9, 0),
                                                       ("7 rano", 7, 0), ("6 wieczorem", 18, 0),
                                                       ("3 po południu", 15, 0),
                                                       ("o godz. 14.15", 14, 15)])
def test_typed_polish_times(typed: str, hour: int, minute: int) -> None:
    found = read_time(typed)
    assert found is not None and (found.hour, found.minute) == (hour, minute)


@pytest.mark.parametrize(("text", "intent"), [
    ("Dzień dobry", "greeting"), ("cześć, co słychać?", "greeting"),
    ("Dziękuję bardzo!", "thanks"), ("tak", "yes"), ("nie, dziękuję", "no"),
    ("okej, rozumiem", "ok"), ("Kim jesteś?", "who_are_you"),
    ("czy jesteś człowiekiem", "are_you_human"), ("nie najlepiej", "bad"),
    ("wszystko w porządku", "good"), ("do zobaczenia", "goodbye"), ("potrzebuję pomocy", "help"),
])
def test_small_talk_with_and_without_polish_letters(text: str, intent: str) -> None:
    for typed in (text, without_letters(text)):
        talk = smalltalk.read(typed)
        assert talk is not None and talk.intent == intent, typed


@pytest.mark.parametrize(("question", "entry", "sure"), [
    ("Ile wynosi płaca minimalna w Holandii?", "eu.minimum_wage", True),
    ("Ile agencja może mi potrącić za mieszkanie z wypłaty?", "eu.minimum_wage", True),
    ("Pracodawca mnie oszukuje, gdzie mogę to zgłosić?", "eu.exploitation", True),
    ("Czy muszę mieć holenderskie ubezpieczenie zdrowotne?", "health.insurance", True),
    ("Jak znaleźć lekarza rodzinnego?", "health.huisarts", True),
    # close to admin.bsn: offered first among the suggestions is enough
    ("Jak dostać numer BSN, jeśli pracuję tu tylko kilka miesięcy?", "eu.rni_bsn", False),
])
def test_polish_questions_are_answered_with_and_without_polish_letters(
    question: str, entry: str, sure: bool
) -> None:
    for typed in (question, without_letters(question)):
        reading = read(matcher(), typed, "pl")
        assert reading.decision in (("answer",) if sure else ("answer", "suggest")), typed
        assert reading.result.matches[0].id == entry
        assert reading.result.lang == "pl"


def test_a_declined_noun_meets_its_phrasing() -> None:
    """'o płacy minimalnej' shares no word form with 'płaca minimalna': the stemmer joins them."""
    top = read(matcher(), "pytanie o płacy minimalnej", "pl").result.matches[0]
    assert top.id == "eu.minimum_wage"


CRISES = [
    ("Nie chcę już żyć, nie mam po co żyć.", "suicide"),
    ("Myślę tylko o śmierci, chcę zasnąć i się nie obudzić.", "suicide"),
    ("Wszystkim będzie lepiej beze mnie, jestem tylko ciężarem.", "suicide"),
    ("Mam myśli samobójcze od tygodnia.", "suicide"),
    ("Znowu się pocięłam, tnę się żeby coś poczuć.", "self_harm"),
    ("Mój kolega spadł z rusztowania i nie oddycha.", "medical"),
    ("Połknęła całe opakowanie tabletek.", "medical"),
    ("Zgwałcił mnie współlokator z kwatery.", "sexual_violence"),
    ("Ojczym dotyka moją córkę, ona ma 9 lat.", "child_abuse"),
    ("Mąż mnie bije i dusi, boję się wracać do domu.", "domestic_violence"),
    ("Mój partner zabiera mi całą wypłatę i nie pozwala mi wychodzić.", "domestic_violence"),
    ("Szef zabrał nam paszporty i nie chce oddać.", "exploitation"),
    ("Zamykają nas na noc w kontenerze przy szklarni.", "exploitation"),
    ("Od dwóch miesięcy nie płacą i grożą, że nas pobiją, jak odejdziemy.", "exploitation"),
    ("Agencja mówi, że mamy dług za transport i musimy go odpracować, nie pozwalają odejść.",
     "exploitation"),
]


@pytest.mark.parametrize(("text", "kind"), CRISES)
def test_polish_danger_is_caught_with_its_kind_with_and_without_letters(
    text: str, kind: str
) -> None:
    for typed in (text, without_letters(text)):
        reading = safety.read(typed)
        assert reading.kind == kind, typed
        assert reading.lang == "pl"


def test_a_report_about_someone_else_is_recognised_in_polish() -> None:
    assert safety.read("Koleżanka z pracy mówi, że mąż ją pobił.").about_other
    assert not safety.read("Mąż mnie pobił.").about_other


@pytest.mark.parametrize("text", [
    "Czuję się bardzo samotna, nikogo tu nie znam.", "tesknie za domem i placze wieczorami",
])
def test_polish_distress_gets_the_gentle_line(text: str) -> None:
    reading = safety.read(text)
    assert reading.distress and not reading.crisis


def polish_calm() -> list[str]:
    """Every Polish small-talk phrase and FAQ phrasing (not the crisis entries'), and everyday
    look-alikes."""
    talk = yaml.safe_load((FLOWS / "smalltalk.yaml").read_text(encoding="utf-8"))
    phrases = [p for forms in talk["intents"].values() for p in forms.get("pl", [])]
    faq = yaml.safe_load((FLOWS / "faq" / "phrasings" / "pl.yaml").read_text(encoding="utf-8"))
    asked = [q for entry, qs in faq["phrasings"].items() if not entry.startswith("crisis.")
             for q in qs]
    return phrases + asked + [
        "Telefon mi padł, dlatego nie odpisałam.", "Umieram z nudów w tym autobusie, haha.",
        "Ten upał mnie zabije.", "Chcę powiesić obraz na ścianie.", "Zgubiłem paszport.",
        "To mój ostatni dzień w pracy przed urlopem.", "Czy grozi mi kara za inburgering?",
        "Muszę zabrać paszport na rejestrację do gminy?", "Po śmierci mamy chcę wrócić do Polski.",
        "Gdzie odebrać kartę pobytu, żeby spotkać się z urzędnikiem?",
        "Wzięłam dwie tabletki na ból głowy, ile mogę wziąć dziennie?",
    ]


def test_calm_polish_is_never_a_crisis() -> None:
    alarms = [t for text in polish_calm() for t in (text, without_letters(text))
              if safety.read(t).crisis]
    assert alarms == []


@pytest.mark.parametrize("kind", safety.KINDS)
def test_crisis_answers_keep_every_number_in_polish(kind: str) -> None:
    english = crisis_text(kind)
    with use_locale("pl"):
        polish = crisis_text(kind)
    assert polish != english
    numbers = re.compile(r"\b(?:0800-\d{4}|11[23])\b|Veilig Thuis|113\.nl|fairwork\.nu")
    assert sorted(numbers.findall(polish)) == sorted(numbers.findall(english))


def test_the_polish_catalog_says_it_needs_native_review() -> None:
    """Remove this test when a native speaker has reviewed locales/pl (and the header note)."""
    header = (FLOWS.parent / "locales" / "pl" / "LC_MESSAGES" / "messages.po").read_text(
        encoding="utf-8").split("msgid", 1)[0]
    assert "NEEDS NATIVE REVIEW" in header


async def test_before_a_language_is_chosen_a_polish_crisis_is_answered_in_polish(
    core: Core,
) -> None:
    chat = CoreChat(core)
    await chat.send("/start")
    outcome = await chat.send("nie chce juz zyc")
    with use_locale("pl"):
        assert outcome.replies[0].text == finish(crisis_text("suicide"))
