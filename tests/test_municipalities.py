"""The shipped municipality list and the forgiving matcher."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pytest

from bot.core.municipalities import all_municipalities, match, normalize


def test_list_is_complete() -> None:
    municipalities = all_municipalities()
    assert len(municipalities) == 342
    assert all(code.startswith("GM") and len(code) == 6 for code in municipalities)
    assert municipalities["GM0363"].name == "Amsterdam"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Amsterdam", "GM0363"),
        ("  amsterdam ", "GM0363"),
        ("Gemeente Utrecht", "GM0344"),
        ("den haag", "GM0518"),
        ("Den Bosch", "GM0796"),
        ("sudwest-fryslan", "GM1900"),
    ],
)
def test_exact_names_and_aliases(typed: str, code: str) -> None:
    assert normalize(typed)
    found = match(typed)
    assert found.exact is not None
    assert found.exact.code == code


TYPOS = [("Amsterdm", "Amsterdam"), ("Rotterdamm", "Rotterdam"), ("utrect", "Utrecht"),
         ("Eindhovn", "Eindhoven")]


@pytest.mark.parametrize(("typed", "expected"), TYPOS)
def test_typos_become_suggestions(typed: str, expected: str) -> None:
    found = match(typed)
    assert found.exact is None
    assert 1 <= len(found.suggestions) <= 3
    assert found.suggestions[0].name == expected


def test_ambiguous_name_suggests_both() -> None:
    names = {m.name for m in match("Bergen").suggestions}
    assert {"Bergen (NH.)", "Bergen (L.)"} <= names


@pytest.mark.parametrize("typed", ["xqzv", "", "!!!", "مدينة"])
def test_nonsense_finds_nothing(typed: str) -> None:
    found = match(typed)
    assert found.exact is None
    assert found.suggestions == ()


# --- Place names in other scripts ---------------------------------------------------------

NAMES_CSV = Path(__file__).resolve().parent.parent / "bot" / "data" / "municipality_names.csv"


def _code(name: str) -> str:
    return next(m.code for m in all_municipalities().values() if m.name == name)


def _listed() -> set[str]:
    with NAMES_CSV.open(encoding="utf-8") as handle:
        return {normalize(row["spelling"]) for row in csv.DictReader(handle, delimiter=";")}


@pytest.mark.parametrize(("typed", "name"), [("أمستردام", "Amsterdam"), ("ሮተርዳም", "Rotterdam")])
def test_issue_spellings_are_accepted(typed: str, name: str) -> None:
    found = match(typed)
    assert found.exact is not None
    assert found.exact.name == name


# (spelling, CBS name, in municipality_names.csv). The third column says whether the alias
# list knows the spelling; the rest show that the skeleton step finds towns on its own.
ARABIC: list[tuple[str, str, bool]] = [
    ("أمستردام", "Amsterdam", True), ("امستيردام", "Amsterdam", False),
    ("روتردام", "Rotterdam", True), ("روطردام", "Rotterdam", False),
    ("لاهاي", "'s-Gravenhage", True), ("دن هاخ", "'s-Gravenhage", True),
    ("دين هاغ", "'s-Gravenhage", True), ("اوتريخت", "Utrecht", True),
    ("أوترخت", "Utrecht", True), ("اوتريكت", "Utrecht", False),
    ("آيندهوفن", "Eindhoven", True), ("أيندهوفين", "Eindhoven", False),
    ("خرونينغن", "Groningen", True), ("غرونينغن", "Groningen", True),
    ("خروننغن", "Groningen", False), ("تيلبورخ", "Tilburg", True),
    ("تلبرخ", "Tilburg", False), ("نايميخن", "Nijmegen", True),
    ("نيميخين", "Nijmegen", False), ("أبلدورن", "Apeldoorn", True),
    ("أرنهيم", "Arnhem", True), ("هارلم", "Haarlem", True),
    ("إنسخيده", "Enschede", True), ("أمرسفورت", "Amersfoort", True),
    ("زفوله", "Zwolle", True), ("ماستريخت", "Maastricht", True),
    ("دوردريخت", "Dordrecht", True), ("دلفت", "Delft", True),
    ("زوترمير", "Zoetermeer", True), ("ديفنتر", "Deventer", True),
    ("كامبن", "Kampen", False), ("هاردرفايك", "Harderwijk", False),
    ("كولمبورخ", "Culemborg", False), ("فاخينينغن", "Wageningen", False),
    ("فينندال", "Veenendaal", False), ("كاتفايك", "Katwijk", False),
    ("نوردفايك", "Noordwijk", False), ("خورينخم", "Gorinchem", False),
    ("فليسينغن", "Vlissingen", False), ("ترنوزن", "Terneuzen", False),
    ("رورموند", "Roermond", False), ("كيركراده", "Kerkrade", False),
    ("دوتينخم", "Doetinchem", False), ("فينترسفايك", "Winterswijk", False),
    ("زوتفن", "Zutphen", False), ("هارلينغن", "Harlingen", False),
    ("هيرنفين", "Heerenveen", False), ("أوسترهاوت", "Oosterhout", False),
    ("فالفايك", "Waalwijk", False), ("هوخفين", "Hoogeveen", False),
    ("كوفوردن", "Coevorden", False), ("هاردنبرخ", "Hardenberg", False),
    ("أولدنزال", "Oldenzaal", False), ("سخاخن", "Schagen", False),
    ("دن هيلدر", "Den Helder", False), ("تكسل", "Texel", False),
    ("ماسلاوس", "Maassluis", False), ("رايسفايك", "Rijswijk", False),
    ("بارندريخت", "Barendrecht", False), ("ريدركيرك", "Ridderkerk", False),
    ("زفايندريخت", "Zwijndrecht", False), ("فيلدهوفن", "Veldhoven", False),
    ("بيفرفايك", "Beverwijk", False), ("هيمسكيرك", "Heemskerk", False),
    ("كاستريكوم", "Castricum", False), ("بارنفيلد", "Barneveld", False),
    ("هاكسبيرخن", "Haaksbergen", False), ("ستافورست", "Staphorst", False),
    ("نيوفخاين", "Nieuwegein", False), ("بيرخن أوب زوم", "Bergen op Zoom", False),
    ("فالكنسفارد", "Valkenswaard", False), ("ليلستات", "Lelystad", False),
    ("فلاردينخن", "Vlaardingen", False), ("زاندفورت", "Zandvoort", False),
    # GeoNames' Arabic-script names (CC BY 4.0; the last two are Urdu and Persian).
    ("هرتوجن بوش", "'s-Hertogenbosch", False), ("راٹرڈیم", "Rotterdam", False),
    ("تیلبورخ", "Tilburg", False),
    # Short skeletons (three consonants or fewer) are only ever suggested.
    ("زايست", "Zeist", False), ("ميبل", "Meppel", False), ("هاوتن", "Houten", False),
    ("فنراي", "Venray", False),
]
GEEZ: list[tuple[str, str, bool]] = [
    ("ሮተርዳም", "Rotterdam", True), ("ኣምስተርዳም", "Amsterdam", True),
    ("አምስተርዳም", "Amsterdam", True), ("ዴን ሃግ", "'s-Gravenhage", True),
    ("ኡትረኽት", "Utrecht", True), ("ኣይንድሆቨን", "Eindhoven", True),
    ("ግሮኒንገን", "Groningen", True), ("ቲልቡርግ", "Tilburg", True),
    ("ናይመኽን", "Nijmegen", True), ("ኣርንሄም", "Arnhem", True),
    ("ሃርለም", "Haarlem", True), ("ዝዎለ", "Zwolle", True),
    ("ኣምስተርደም", "Amsterdam", False), ("ሮተርደም", "Rotterdam", False),
    ("ኡትሬኽት", "Utrecht", True), ("ካምፐን", "Kampen", False),
    ("ዋኸኒንገን", "Wageningen", False), ("ቬነንዳል", "Veenendaal", False),
    ("ካትዋይክ", "Katwijk", False), ("ሩርሞንድ", "Roermond", False),
    ("ኬርክራደ", "Kerkrade", False), ("ቭሊሲንገን", "Vlissingen", False),
    ("ዱቲንኸም", "Doetinchem", False), ("ሃርደርዋይክ", "Harderwijk", False),
    ("ዙትፈን", "Zutphen", False), ("ቤቨርዋይክ", "Beverwijk", False),
    ("ቦክስተል", "Boxtel", False), ("ኦስተርሃውት", "Oosterhout", False),
    ("ሄረንቬን", "Heerenveen", False), ("ዴን ሄልደር", "Den Helder", False),
    ("ቴክሰል", "Texel", False), ("ሌሊስታት", "Lelystad", False),
    ("ኣልመረ", "Almere", False), ("ፑርመረንድ", "Purmerend", True),
    ("ዞተርመር", "Zoetermeer", False), ("ቭላርዲንኸን", "Vlaardingen", False),
    ("ደቨንተር", "Deventer", True), ("ኣሜርስፉርት", "Amersfoort", False),
    ("ኒውኸይን", "Nieuwegein", False),
]
NOT_PLACES = [
    "مرحبا", "شكرا", "السلام عليكم", "كيف حالك", "نعم", "لا", "صباح الخير", "مساء الخير",
    "أريد مساعدة", "لا أعرف", "بيت", "عمل", "مدرسة", "طبيب", "هولندا", "لاجئ", "أنا من سوريا",
    "حلب", "دمشق", "القاهرة", "مستشفى", "شقة", "الحمد لله", "إن شاء الله", "اسمي محمد",
    "أيمن", "عندي سؤال", "رقم الهاتف", "البلدية", "ماما", "ሰላም", "የቐንየለይ", "እወ", "ኣይፋል",
    "ሓገዝ", "ገዛ", "ስራሕ", "ቤት ትምህርቲ", "ኣስመራ", "ኤርትራ", "ኢትዮጵያ", "ኣዲስ ኣበባ", "ሆላንድ",
    # Countries of origin, which people may type by mistake.
    "سوريا", "السودان", "الأردن", "العراق", "المغرب", "اليمن", "فلسطين", "تركيا", "ألمانيا",
    "فرنسا", "البرازيل", "إريتريا", "الصومال", "ሱዳን", "ሶማልያ", "ኢትዮጵያ ሃገር",
]


@pytest.mark.parametrize(("typed", "name", "listed"), ARABIC + GEEZ)
def test_spelling_in_another_script_finds_the_town(typed: str, name: str, listed: bool) -> None:
    assert (normalize(typed) in _listed()) == listed
    found = match(typed)
    offered = [found.exact] if found.exact else list(found.suggestions)
    assert _code(name) in [m.code for m in offered]


@pytest.mark.parametrize(("table", "listed", "rate"), [
    (ARABIC, True, 1.0), (ARABIC, False, 0.9), (GEEZ, True, 1.0), (GEEZ, False, 0.9),
])
def test_hit_rate_in_other_scripts(table: list[tuple[str, str, bool]], listed: bool,
                                   rate: float) -> None:
    rows = [(typed, name) for typed, name, known in table if known == listed]
    hits = [typed for typed, name in rows if _exact_name(typed) == name]
    assert len(hits) >= rate * len(rows), f"{len(hits)}/{len(rows)} exact"


def _exact_name(typed: str) -> str | None:
    found = match(typed).exact
    return found.name if found else None


def test_tables_are_big_enough() -> None:
    assert len(ARABIC) >= 40
    assert len(GEEZ) >= 20
    assert sum(not listed for *_, listed in ARABIC) >= 20
    assert sum(not listed for *_, listed in GEEZ) >= 10


@pytest.mark.parametrize("typed", NOT_PLACES)
def test_ordinary_words_are_never_a_municipality(typed: str) -> None:
    assert match(typed).exact is None


def test_latin_text_does_not_use_skeletons() -> None:
    # 'Amstrdm' has Amsterdam's skeleton, but Latin typos stay suggestions, as before.
    found = match("Amstrdm")
    assert found.exact is None
    assert found.suggestions[0].name == "Amsterdam"


@pytest.mark.parametrize(("typed", "code"), [
    ("بلدية أمستردام", "GM0363"),  # 'municipality of'
    ("مدينة روتردام", "GM0599"),  # 'city of'
    ("أُوتْرِخْت", "GM0344"),  # with harakat
    ("ከተማ ሮተርዳም", "GM0599"),
    ("Амстердам", "GM0363"),  # other scripts go through anyascii
    ("Гронинген", "GM0014"),
    ("Ρότερνταμ", "GM0599"),
])
def test_other_scripts_with_extra_words_and_marks(typed: str, code: str) -> None:
    found = match(typed)
    assert found.exact is not None
    assert found.exact.code == code


def test_short_skeletons_suggest_every_town_they_fit() -> None:
    found = match("أيمن")  # also the name Ayman, so Emmen is not in the alias list
    assert found.exact is None
    assert {m.name for m in found.suggestions} == {"Emmen", "Ommen"}


def test_alias_file_matches_the_municipality_list() -> None:
    municipalities = all_municipalities()
    with NAMES_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    keys = [normalize(row["spelling"]) for row in rows]
    assert len(keys) == len(set(keys))
    assert all(municipalities[row["code"]].name == row["name"] for row in rows)
    assert {row["script"] for row in rows} == {"Arab", "Ethi"}
    assert all(_script_of(row["spelling"]) == row["script"] for row in rows)
    assert len({row["code"] for row in rows}) >= 40


def _script_of(spelling: str) -> str:
    scripts = {unicodedata.name(ch).split()[0] for ch in spelling if ch.isalpha()}
    codes = {"ARABIC": "Arab", "ETHIOPIC": "Ethi"}
    return codes.get(scripts.pop(), "") if len(scripts) == 1 else ""
