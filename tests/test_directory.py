"""The help directory in the core: CSV import all or nothing, export round trip, HSDS 3.0,
ranking, opening hours, answers that name the gemeente, coordinators keeping entries,
the monthly review; Polish texts, and files written before them."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import Content
from bot.core.csvimport import CsvError
from bot.core.directory import commandline, hsds, links, manage, search, store
from bot.core.directory.cards import DESCRIPTION_LIMIT, hours_line, phone_line
from bot.core.directory.schema import COLUMNS, LANGS, OPTIONAL, EntryRow
from bot.core.engine import Core
from bot.core.flood import FloodGate
from bot.core.municipalities import match
from bot.core.policies import FloodLimits
from bot.core.render import finish, format_html
from bot.i18n import _, use_locale
from bot.storage import jobs
from bot.storage.db import Database
from bot.storage.models import AuditEntry
from tests.chat import CoreChat, said, sent, texts
from tests.conftest import FIXED_NOW
from tests.test_groups_core import ADMIN, joined, link_token

EXAMPLES = store.EXAMPLE_FILE.read_bytes()
UTRECHT = "GM0344"
WEDNESDAY_MORNING = datetime(2026, 11, 25, 10, 30)  # Dutch local time, naive
# What a translation must keep: web addresses (113.nl) and numbers (0800-8115, 19 desks).
FACTS = re.compile(r"[\w-]+\.nl\b|\d+")


def rows_of(data: bytes) -> list[EntryRow]:
    return store.read_file(data, taken=store.national_ids())


def with_columns(data: bytes, keep: tuple[str, ...], **added: dict[str, str]) -> bytes:
    """The file with only the columns in `keep`, plus new columns (id → cell)."""
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    out = io.StringIO()
    writer = csv.DictWriter(out, [*keep, *added], lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(row | {column: cells.get(row["id"], "") for column, cells in added.items()}
                     for row in rows)
    return out.getvalue().encode()


def with_line(line: int, old: str, new: str) -> bytes:
    """The example file with one cell changed on one line (1 = the header)."""
    lines = EXAMPLES.decode().splitlines()
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return ("\n".join(lines) + "\n").encode()


async def cli(db: Database, action: str, **options: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = await commandline.run(db, commandline.Options(action, **options),  # type: ignore[arg-type]
                                 out, err)
    return code, out.getvalue(), err.getvalue()


# ---------------------------------------------------------------- import and export


async def test_a_valid_file_imports_and_a_second_import_updates(db: Database,
                                                                tmp_path: Path) -> None:
    path = tmp_path / "local.csv"
    path.write_bytes(EXAMPLES)
    assert await cli(db, "import", file=path) == (
        0, f"{path}: 5 added, 0 updated, 0 removed\n", "")
    assert (await cli(db, "import", file=path))[1] == f"{path}: 0 added, 5 updated, 0 removed\n"
    async with db.session() as session:
        assert [r.id for r in await store.local(session)] == sorted(r.id for r in rows_of(EXAMPLES))


async def test_one_bad_row_imports_nothing_and_names_the_line_and_problem(
        db: Database, tmp_path: Path) -> None:
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(EXAMPLES)
    await cli(db, "import", file=good)
    bad.write_bytes(_bad_file(with_line(3, "Rechtswinkel Voorbeeld Utrecht", "Nieuwe naam")))
    code, out, err = await cli(db, "import", file=bad, replace=True)
    assert (code, out) == (1, "")
    assert "line 4: themes: unknown theme(s) schulden" in err
    assert "line 5: municipalities: 'Utrecht en omstreken' is not a municipality" in err
    assert "line 6: opening_hours: not OpenStreetMap opening_hours" in err
    assert "line 2: phone: '12345' is not a valid phone number" in err
    async with db.session() as session:
        names = {r.id: r.name for r in await store.local(session)}
    assert names["ex-utrecht-recht-ar"] == "Rechtswinkel Voorbeeld Utrecht"  # line 3 untouched
    assert len(names) == 5  # --replace removed nothing either


def _bad_file(data: bytes) -> bytes:
    """Four bad rows among good ones (line 3 is a good change that must not land)."""
    lines = data.decode().splitlines()
    lines[1] = lines[1].replace(",,https://example.org/utrecht", ",12345,https://example.org/utrecht")
    lines[3] = lines[3].replace("legal; debt", "legal; schulden")
    lines[4] = lines[4].replace("Utrecht; Amersfoort", "Utrecht en omstreken")
    lines[5] = lines[5].replace("We 19:00-21:00", "woensdagavond")
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(("data", "expected"), [
    (b"id,kind\n", "line 1: name: missing column"),
    (b"\xff\xfe", "line 1: file: not UTF-8 text"),
    (EXAMPLES.replace(b"last_checked,", b"checked,", 1), "line 1: checked: unknown column"),
    (EXAMPLES + EXAMPLES.splitlines(keepends=True)[1],
     "line 7: id: 'ex-utrecht-gemeente' is also on line 2"),
    (EXAMPLES.replace(b"2026-10-01", b"1-10-2026", 1), "line 5: last_checked: write the date"),
    (EXAMPLES.replace(b",no,no,", b",nee,no,", 1), "line 3: appointment_only: write yes or no"),
    (EXAMPLES.replace(b"52.0921,5.1190", b"5.1190,52.0921"), "line 3: latitude: 5.119 is outside"),
    (EXAMPLES.replace(b"ex-regio-taal", b"nl-113"), "line 5: id: 'nl-113' belongs to the national"),
])
def test_problems_are_named_by_line_and_column(data: bytes, expected: str) -> None:
    with pytest.raises(CsvError) as error:
        rows_of(data)
    assert expected in str(error.value)


def test_cells_are_read_forgivingly_and_written_back_as_a_coordinator_types_them() -> None:
    row = rows_of(with_line(2, "Utrecht,nl; en", "utrecht ,NL;en"))[0]
    assert (row.municipalities, row.languages) == ([UTRECHT], ["nl", "en"])
    phone = rows_of(EXAMPLES.replace(b",,https://example.org/utrecht",
                                     b",030-888 38 88,https://example.org/utrecht"))[0]
    assert phone.phone == "+31308883888"
    with use_locale("en"):
        assert phone_line(phone) == "📞 030 888 3888 · +31 30 888 3888"


async def test_export_import_into_an_empty_database_export_gives_the_same_file(
        db: Database, empty_db_url: str, tmp_path: Path) -> None:
    source = tmp_path / "local.csv"
    keep = tuple(csv.DictReader(io.StringIO(EXAMPLES.decode())).fieldnames or ())
    source.write_bytes(with_columns(EXAMPLES, keep, name_pl={
        "ex-utrecht-gemeente": "Gmina Utrecht (przykład)"}))
    await cli(db, "import", file=source)
    first = (await cli(db, "export"))[1]
    exported = tmp_path / "exported.csv"
    exported.write_text(first, encoding="utf-8")
    fresh = Database(empty_db_url)
    try:
        assert (await cli(fresh, "import", file=exported))[0] == 0
        assert (await cli(fresh, "export"))[1] == first
    finally:
        await fresh.close()
    assert first.count("\n") == 6 and "Amersfoort; Utrecht" in first
    assert first.splitlines()[0] == ",".join((*COLUMNS, *OPTIONAL))  # Polish after the rest
    exported_rows = {r.id: r for r in rows_of(first.encode())}
    assert exported_rows["ex-regio-taal"].description_pl == \
        "Przykład: wolontariusze ćwiczą z Tobą niderlandzki."
    assert exported_rows["ex-utrecht-gemeente"].shown_name("pl") == "Gmina Utrecht (przykład)"


async def test_a_file_written_before_polish_imports_unchanged(db: Database,
                                                              tmp_path: Path) -> None:
    """No Polish columns, no names in a reader's script: it imports, and a Polish reader
    sees the Dutch description until someone writes a Polish one."""
    path = tmp_path / "older.csv"
    path.write_bytes(with_columns(EXAMPLES, COLUMNS))
    assert path.read_text(encoding="utf-8").splitlines()[0] == ",".join(COLUMNS)
    assert await cli(db, "import", file=path) == (
        0, f"{path}: 5 added, 0 updated, 0 removed\n", "")
    async with db.session() as session:
        kept = await store.local(session)
    assert len(kept) == 5
    assert all(row.description_pl is None and row.name_ar is None for row in kept)
    assert all(row.description("pl") == row.description_nl for row in kept)
    exported = (await cli(db, "export"))[1]
    assert [r.description("nl") for r in rows_of(exported.encode())] == \
        [r.description_nl for r in kept]


async def test_replace_removes_entries_absent_from_the_file(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "local.csv"
    path.write_bytes(EXAMPLES)
    await cli(db, "import", file=path)
    path.write_bytes(b"".join(EXAMPLES.splitlines(keepends=True)[:3]))
    assert (await cli(db, "import", file=path, replace=True))[1].endswith(
        "0 added, 2 updated, 3 removed\n")


# ---------------------------------------------------------------- HSDS


async def test_the_hsds_export_passes_the_hsds_3_schemas(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "local.csv"
    path.write_bytes(EXAMPLES)
    await cli(db, "import", file=path)
    code, out, err = await cli(db, "export", format="hsds")
    assert (code, err) == (0, "")
    exported = json.loads(out)
    assert len(exported) == 5 + len(store.national())
    assert hsds.problems(exported) == []
    office = next(o for o in exported if o["name"] == "Rechtswinkel Voorbeeld Utrecht")
    service = office["services"][0]
    assert [s["byday"] for s in service["schedules"]] == ["MO", "TU", "WE", "TH", "FR", "SA"]
    assert service["service_at_locations"][0]["location"]["addresses"][0]["state_province"] \
        == "Utrecht"


def test_the_schemas_catch_a_broken_export() -> None:
    """The validation can fail: HSDS requires a service status from its list and uuids."""
    exported = hsds.export(list(store.national()[:1]))
    exported[0]["services"][0]["status"] = "open"
    exported[0]["id"] = "nl-113"
    found = hsds.problems(exported)
    assert any("services/0/status" in p for p in found)
    assert any(p.startswith("organization 0: id:") for p in found)


# ---------------------------------------------------------------- who comes first


def test_local_help_in_the_persons_language_comes_first_then_regional_then_national() -> None:
    rows = [*rows_of(EXAMPLES), *store.national()]
    found = search.rank(rows, UTRECHT, "legal", "ar")
    assert [f.row.id for f in found[:2]] == ["ex-utrecht-recht-ar", "ex-utrecht-advies"]
    assert [f.reach for f in found][:3] == ["local", "local", "national"]
    assert {f.reach for f in found[2:]} == {"national"}
    language = search.rank(rows, UTRECHT, "language", "ti")
    assert [(f.row.id, f.reach) for f in language][:2] == [("ex-regio-taal", "regional"),
                                                          ("nl-duo-inburgering", "national")]


def test_a_municipality_without_local_entries_gets_the_national_ones() -> None:
    zwolle = match("Zwolle").exact
    assert zwolle is not None
    found = search.rank([*rows_of(EXAMPLES), *store.national()], zwolle.code, "legal", "ar")
    assert found and {f.reach for f in found} == {"national"}
    assert "nl-juridisch-loket" in [f.row.id for f in found]


def test_the_national_set_cites_the_fact_sheets_and_serves_everyone() -> None:
    national = store.national()
    assert len(national) >= 10
    assert all(row.national and store.SOURCE_IDS.fullmatch(row.source) for row in national)
    assert all(row.description(lang) for row in national for lang in LANGS)


def test_every_entry_has_polish_with_the_english_numbers_and_addresses() -> None:
    """The Polish descriptions are written for the national set and the examples: each
    keeps the English one's numbers and web addresses, and fits on a card uncut."""
    for row in (*store.national(), *rows_of(EXAMPLES)):
        assert row.description_pl and row.description_en, row.id
        assert sorted(FACTS.findall(row.description_pl)) == \
            sorted(FACTS.findall(row.description_en)), row.id
        assert len(row.description_pl) <= DESCRIPTION_LIMIT, row.id


@pytest.mark.parametrize(("texts_given", "polish", "tigrinya"), [
    ({"nl": "In het Nederlands.", "pl": "Po polsku."}, "Po polsku.", "In het Nederlands."),
    ({"nl": "In het Nederlands.", "en": "In English."}, "In het Nederlands.",
     "In het Nederlands."),
    ({"en": "In English."}, "In English.", "In English."),
])
def test_a_polish_reader_falls_back_as_every_reader_does(
        texts_given: dict[str, str], polish: str, tigrinya: str) -> None:
    """Their own language, else Dutch, else English: for Polish as for Tigrinya."""
    row = rows_of(EXAMPLES)[1].model_copy(update={
        f"description_{lang}": texts_given.get(lang) for lang in LANGS})
    assert (row.description("pl"), row.description("ti")) == (polish, tigrinya)


# ---------------------------------------------------------------- opening hours


@pytest.mark.parametrize(("hours", "flags", "expected"), [
    ("Mo-Fr 09:00-17:00; Sa 10:00-12:00", {}, "🕘 Today: 09:00-17:00 · 🟢 open now"),
    ("Mo-Fr 13:00-17:00", {}, "🕘 Today: 13:00-17:00 · 🔴 closed now"),
    ("Tu,Th 13:00-16:00", {}, "🕘 Today: closed"),
    ("24/7", {}, "🕘 Open day and night"),
    ("Mo-Fr 09:00-12:00,13:00-17:00", {"appointment_only": True},
     "🕘 Today: 09:00-12:00, 13:00-17:00 · 📅 By appointment only"),
    ("Mo-Fr 09:00-17:00", {"temporarily_closed": True}, "⛔ Temporarily closed"),
    (None, {"appointment_only": True}, "📅 By appointment only"),
    ("Mo-Su 20:00-02:00", {}, "🕘 Today: 00:00-02:00, 20:00-24:00 · 🔴 closed now"),
])
def test_todays_hours_and_open_now(hours: str | None, flags: dict[str, bool],
                                   expected: str) -> None:
    row = rows_of(EXAMPLES)[1].model_copy(update={"opening_hours": hours, **flags})
    with use_locale("en"):
        assert hours_line(row, WEDNESDAY_MORNING) == expected


def test_christmas_is_a_dutch_public_holiday() -> None:
    row = rows_of(EXAMPLES)[1].model_copy(update={"opening_hours": "Mo-Fr 09:00-17:00; PH off"})
    with use_locale("en"):
        assert hours_line(row, datetime(2026, 12, 25, 10, 0)) == "🕘 Today: closed"


# ---------------------------------------------------------------- woven into answers


async def _person_in(core: Core, user_id: int, town: str, code: str = "en") -> CoreChat:
    chat = CoreChat(core, user_id)
    await chat.send("/start")
    for data in (f"lang:{code}", "priv:yes", "ob:role:newcomer", "ob:sit:refugee", "ob:kids:no"):
        await chat.press(data)
    await chat.send(town)
    await chat.press("ob:arr:skip")
    return chat


async def test_every_answer_that_says_ask_your_gemeente_names_the_persons_gemeente(
        core: Core, content: Content) -> None:
    async with core.db.session() as session:
        await store.import_rows(session, rows_of(EXAMPLES), FIXED_NOW)
    core.flood = FloodGate(FloodLimits(burst=1000))  # one person reads every answer
    chat = await _person_in(core, 31, "Utrecht", "ar")
    asking = [e for e in content.answers.values() if links.ASKS_GEMEENTE.search(e.answer)]
    assert len(asking) >= 10
    with use_locale("ar"):
        named = finish(format_html(_("🏛 Your gemeente: <b>{name}</b>"), name="Utrecht"))
    for entry in asking:
        text = texts(await chat.press(f"faq:{entry.id}:a"))
        assert named in text, entry.id
        assert "بلدية أوترخت (مثال)" in text, entry.id  # the gemeente's own card


async def test_an_answer_linked_to_a_theme_offers_help_near_me_for_it(core: Core) -> None:
    chat = await _person_in(core, 32, "Zwolle")
    await chat.press("faq:housing.repairs:a")
    assert ("📍 Help near me", "dir:r:legal") in [(b.label, b.data) for b in chat.buttons]
    text = texts(await chat.press("faq:housing.repairs:a"))
    assert "🏛 Your gemeente: <b>Zwolle</b>" in text


async def test_without_a_municipality_the_answer_says_where_to_add_it(core: Core) -> None:
    chat = CoreChat(core, 33)
    await chat.onboard("en")
    text = texts(await chat.press("faq:money.bijstand_apply:a"))
    assert "tell me where you live in 👤 My details" in text


async def test_i_do_not_know_and_the_handoff_offer_help_for_the_questions_theme(
        core: Core) -> None:
    admin = CoreChat(core, ADMIN)
    await admin.onboard("nl")  # someone to take questions
    chat = await _person_in(core, 34, "Utrecht")
    await chat.send("my landlord and the lawyer about my contract court")
    assert "faq:housing.repairs:a" in {b.data for b in chat.buttons}  # did you mean …
    await chat.press("faq:-:n")  # none of these: I do not know
    assert "dir:r:legal" in {b.data for b in chat.buttons}
    asked = next(b.data for b in chat.buttons if b.data.startswith("q:ask:"))
    await chat.press(asked)
    assert {"dir:r:legal", "menu:back"} <= {b.data for b in chat.buttons}
    nonsense = await _person_in(core, 35, "Utrecht")
    await nonsense.send("qwzx vrumpf")  # no theme to guess: the themes to choose from
    assert "dir:t" in {b.data for b in nonsense.buttons}


# ---------------------------------------------------------------- coordinators


async def _coordinator_in_utrecht(core: Core) -> CoreChat:
    admin = CoreChat(core, ADMIN)
    await admin.send("/start")
    for data in ("lang:nl", "priv:yes", "ob:role:coordinator"):
        await admin.press(data)
    coordinator = await joined(core, 800, link_token(await admin.send("/neworg Org")), "Co")
    await coordinator.press("g:n")
    await coordinator.send("Groep Utrecht")
    await coordinator.send("Utrecht")
    await coordinator.press("ga:n")
    async with core.db.session() as session:
        await store.import_rows(session, rows_of(EXAMPLES), FIXED_NOW)
    return coordinator


async def test_a_coordinator_keeps_the_entries_of_their_area_only(core: Core) -> None:
    coordinator = await _coordinator_in_utrecht(core)
    listed = texts(await coordinator.send("/directory"))
    assert "4" in listed  # three in Utrecht and the regional one
    assert {b.data for b in coordinator.buttons} >= {"dm:o:ex-utrecht-advies", "dm:n"}
    assert "dm:o:ex-amersfoort-cafe" not in {b.data for b in coordinator.buttons}
    refused = await coordinator.press("dm:ok:ex-amersfoort-cafe")  # a forged button
    assert refused.toast == said("nl", "Sorry, you cannot do that here.")
    await coordinator.press("dm:ok:ex-utrecht-advies")
    await coordinator.press("dm:x:ex-utrecht-advies")
    await coordinator.press("dm:e:ph:ex-utrecht-advies")
    wrong = texts(await coordinator.send("12345"))
    assert said("nl", "Sorry, I cannot use that.") in wrong
    await coordinator.send("030-888 38 88")
    async with core.db.session() as session:
        kept = await store.find(session, "ex-utrecht-advies")
        other = await store.find(session, "ex-amersfoort-cafe")
    assert kept is not None and other is not None
    assert (kept.last_checked, kept.temporarily_closed, kept.phone) == (
        FIXED_NOW.date(), True, "+31308883888")
    assert other.last_checked.isoformat() == "2026-10-01"
    async with core.db.session() as session:
        logged = [(e.action, e.detail) for e in await session.scalars(
            select(AuditEntry).where(AuditEntry.action.startswith("directory."))
            .order_by(AuditEntry.id))]
    assert logged == [("directory.check", {"entry": "ex-utrecht-advies"}),
                      *[("directory.edit", {"entry": "ex-utrecht-advies"})] * 2]


async def test_a_coordinator_cannot_untick_their_last_municipality_of_a_regional_entry(
    core: Core,
) -> None:
    """As on the dashboard: the regional entry would leave the area (Amersfoort only)."""
    coordinator = await _coordinator_in_utrecht(core)
    await coordinator.press("dm:ar:ex-regio-taal")
    assert "dm:a:GM0344:ex-regio-taal" in {b.data for b in coordinator.buttons}
    refused = await coordinator.press("dm:a:GM0344:ex-regio-taal")
    assert refused.toast == said("nl", manage.AREA_HINT)
    async with core.db.session() as session:
        kept = await store.find(session, "ex-regio-taal")
    assert kept is not None and sorted(kept.municipalities) == ["GM0307", "GM0344"]
    assert "dm:a:GM0344:ex-regio-taal" in {b.data for b in coordinator.buttons}


async def test_a_polish_coordinator_writes_the_polish_description(core: Core) -> None:
    coordinator = await _coordinator_in_utrecht(core)
    await coordinator.send("/language")
    await coordinator.press("lang:pl")
    await coordinator.press("dm:e:ds:ex-utrecht-advies")
    typed = "Dyżur prawny we wtorki i czwartki."
    assert typed in texts(await coordinator.send(typed))  # the card, as Polish readers see it
    async with core.db.session() as session:
        kept = await store.find(session, "ex-utrecht-advies")
    assert kept is not None
    assert (kept.description_pl, kept.description_nl) == (
        typed, "Voorbeeld: spreekuur voor juridische vragen.")


async def test_a_coordinator_adds_an_entry_in_the_bot(core: Core) -> None:
    coordinator = await _coordinator_in_utrecht(core)
    await coordinator.send("/directory")
    await coordinator.press("dm:n")
    await coordinator.press("dm:n:debt")
    assert "dm:n:debt:GM0307" not in {b.data for b in coordinator.buttons}  # not their area
    await coordinator.press(f"dm:n:debt:{UTRECHT}")
    await coordinator.send("Schuldhulp Maatje Utrecht")
    await coordinator.press("dm:t:money:schuldhulp-maatje-utrech")  # ids are cut at 24
    async with core.db.session() as session:
        made = await store.find(session, "schuldhulp-maatje-utrech")
    assert made is not None
    assert (made.themes, made.municipalities, made.last_checked) == (
        ["debt", "money"], [UTRECHT], FIXED_NOW.date())


async def test_the_monthly_review_tells_coordinators_what_nobody_checked_for_a_year(
        core: Core) -> None:
    await _coordinator_in_utrecht(core)
    await core.startup()  # the monthly review is scheduled
    await sent(core)  # what the set-up queued
    review = manage.next_review(FIXED_NOW, core.policy.timezone)
    assert review == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    core.clock = lambda: review
    assert await core.run_due_jobs() >= 1
    assert await core.run_due_jobs() == 0
    heading = said("nl", "<b>🛠 Directory: please check</b>\nNobody checked these entries in "
                         "your area for more than a year. Open one and press ✅ Still correct, "
                         "or change it.")
    told = [item for item in await sent(core) if item.chat_id == 800
            and item.reply.text.startswith(heading)]
    assert len(told) == 1
    text = told[0].reply.text
    assert "Adviespunt Voorbeeld" in text  # checked 2024-06-01
    assert "Rechtswinkel" not in text and "Amersfoort" not in text
    async with core.db.session() as session:
        upcoming = await jobs.upcoming(session, manage.KIND, "monthly")
    assert upcoming is not None and upcoming.due_at == datetime(2027, 1, 1, 9, 0, tzinfo=UTC)
