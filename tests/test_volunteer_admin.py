"""Volunteering for operators (issue 22): the CSV import all or nothing with line numbers,
export → import unchanged, the match command's JSON for the issue's example with the bot's
free-places rule, the monthly numbers from a seeded database, and a replacing import that
closes what people were matched to and tells those waiting, and coordinators in the bot
(places, reopening, the monthly numbers)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.directory.manage import next_review
from bot.core.engine import Core
from bot.core.volunteer import closing, commandline, manage, store
from bot.storage import jobs
from bot.storage import users as user_repo
from bot.storage import volunteer as repo
from bot.storage.db import Database
from bot.storage.volunteer import OPEN
from tests.chat import sent, texts
from tests.conftest import FIXED_NOW
from tests.databases import discard, empty_database
from tests.test_directory import _coordinator_in_utrecht

EXAMPLES = store.EXAMPLE_FILE.read_bytes()
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ISSUE_EXAMPLE = dict(interests="cooking;sports", days="sat;sun", languages="ar;nl",
                     municipality="Utrecht", dutch="A1", json=True)


async def cli(db: Database, action: str, **options: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = await commandline.run(db, commandline.Options(action, **options),  # type: ignore[arg-type]
                                 AMSTERDAM, out, err)
    return code, out.getvalue(), err.getvalue()


async def imported(db: Database, tmp_path: Path, data: bytes = EXAMPLES) -> Path:
    path = tmp_path / "opportunities.csv"
    path.write_bytes(data)
    assert (await cli(db, "import", file=path))[0] == 0
    return path


def changed(data: bytes, line: int, old: str, new: str) -> bytes:
    """The file with one cell changed on one line (1 = the header)."""
    lines = data.decode().splitlines()
    assert old in lines[line - 1], lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return ("\n".join(lines) + "\n").encode()


def at(day: str, hour: int = 12) -> datetime:
    """A moment in Dutch local time, as stored (UTC)."""
    return datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(tzinfo=AMSTERDAM) \
        .astimezone(UTC)


async def matched(db: Database, telegram_id: int, opportunity: str, made: datetime,
                  *moves: tuple[str, datetime | None], locale: str = "nl") -> int:
    """A person who pressed "I'm interested" at `made`, then the status moves given."""
    async with db.session() as session:
        person = await user_repo.get_or_create(session, telegram_id)
        person.locale = locale
        match = await repo.interested(session, opportunity, person.id, made)
        before: tuple[str, ...] = OPEN
        for status, when in moves:
            values = {"answered_at": when} if when else {}
            assert await repo.move(session, match.id, before, status, **values)
            before = (status,)
        return match.id


# ---------------------------------------------------------------- import and export


async def test_one_bad_file_imports_nothing_and_names_every_line_and_problem(
        db: Database, tmp_path: Path) -> None:
    await imported(db, tmp_path)
    bad = changed(EXAMPLES, 2, "Samen koken voor buurtbewoners", "Nieuwe titel")  # good
    bad = changed(bad, 3, "languages,wed; sat", "languages; koken,wed; sat")
    bad = changed(bad, 4, "fri; sat", "vrijdag")
    bad = changed(bad, 5, ",Amersfoort,", ",,")
    bad = changed(bad, 6, "online-maatje@example.org", "")
    bad = changed(bad, 7, ",1,2026-09-20", ",-1,2026-09-20")
    bad = changed(bad, 8, ",B1,", ",C1,")
    bad = changed(bad, 9, "Koken in de buurtkeuken", "")
    path = tmp_path / "bad.csv"
    path.write_bytes(bad)
    code, out, err = await cli(db, "import", file=path, replace=True)
    assert (code, out) == (1, "")
    for expected in (
            "line 3: interests: unknown interest(s) koken; use: cooking, sports",
            "line 4: days: unknown day(s) vrijdag; use: mon, tue, wed, thu, fri, sat, sun",
            "line 5: municipality: required unless online is yes",
            "line 6: contact: give contact_telegram_id, contact_phone or contact_email",
            "line 7: places: Input should be greater than or equal to 0",
            "line 8: dutch_level: unknown Dutch level 'C1'; use: none, A1, A2, B1",
            "line 9: title_nl: required, but empty"):
        assert expected in err, err
    assert "line 2" not in err
    future = changed(EXAMPLES, 7, "2026-09-20", "2099-01-01")
    path.write_bytes(future)
    assert "line 7: last_checked: 2099-01-01 is in the future" in (
        await cli(db, "import", file=path))[2]
    assert (await cli(db, "export"))[1] == EXAMPLES.decode()  # nothing changed


async def test_export_imports_again_unchanged_into_an_empty_database(
        db: Database, tmp_path: Path) -> None:
    await imported(db, tmp_path, changed(EXAMPLES, 13, ",Utrecht,", ",utrecht ,"))
    code, first, _err = await cli(db, "export")
    assert code == 0 and first == EXAMPLES.decode()  # the file as a coordinator typed it
    exported = tmp_path / "exported.csv"
    assert (await cli(db, "export", file=exported))[1] == f"{exported}: 12 opportunities\n"
    url = empty_database(tmp_path, "fresh.db")  # not the fixture's file
    fresh = Database(url)
    try:
        assert (await cli(fresh, "import", file=exported))[1].endswith(
            "12 added, 0 updated, 0 removed\n")
        assert (await cli(fresh, "export"))[1] == first
    finally:
        await fresh.close()
        discard(url)


async def test_a_replacing_import_closes_what_people_wait_for_and_tells_them(
        core: Core, tmp_path: Path) -> None:
    await imported(core.db, tmp_path)
    waiting = await matched(core.db, 9101, "ex-amf-koken", at("2026-11-20"), locale="ar")
    await sent(core)
    path = tmp_path / "fewer.csv"
    path.write_bytes(b"".join(line for line in EXAMPLES.splitlines(keepends=True)
                              if b"ex-amf-" not in line))
    assert (await cli(core.db, "import", file=path, replace=True))[1].endswith(
        "0 added, 8 updated, 3 removed, 1 closed (they have matches)\n")
    async with core.db.session() as session:
        kept = await repo.get(session, "ex-amf-koken")
        gone = await repo.get(session, "ex-amf-muziek")
        match = await repo.match(session, waiting)
    assert kept is not None and kept.opportunity.closed and gone is None
    assert match is not None and match.status == closing.CLOSED
    told = [item for item in await sent(core) if item.chat_id == 9101]
    assert len(told) == 1 and "نأسف: هذا المكان لم يعد متاحاً" in told[0].reply.text


async def test_the_last_place_taken_closes_it_and_tells_those_still_waiting(
        core: Core, tmp_path: Path) -> None:
    """What the chat side calls after an organisation accepts: ex-utr-dieren has 1 place."""
    await imported(core.db, tmp_path)
    waiting = await matched(core.db, 9111, "ex-utr-dieren", at("2026-11-20"), locale="ti")
    async with core.db.session() as session:
        assert not await closing.close_if_full(session, "ex-utr-dieren", at("2026-11-21"))
    await matched(core.db, 9112, "ex-utr-dieren", at("2026-11-20"),
                  ("accepted", at("2026-11-21")))
    await sent(core)
    async with core.db.session() as session:
        assert await closing.close_if_full(session, "ex-utr-dieren", at("2026-11-21"))
        assert not await closing.close_if_full(session, "ex-utr-dieren", at("2026-11-21"))
    async with core.db.session() as session:
        match = await repo.match(session, waiting)
        accepted = await repo.matches_for(session, "ex-utr-dieren", ("accepted",))
    assert match is not None and match.status == closing.CLOSED and len(accepted) == 1
    told = [item.reply.text for item in await sent(core)]
    assert len(told) == 1 and "ይቕሬታ፦ እዚ ቦታ ደጊም የለን።" in told[0]
    assert "ኣብ መዕቆቢ እንስሳታት ምክንኻን" in told[0]  # the title in Tigrinya


# ---------------------------------------------------------------- matching


async def test_the_match_command_ranks_the_issues_example_as_the_bot_does(
        db: Database, tmp_path: Path) -> None:
    await imported(db, tmp_path)
    code, out, err = await cli(db, "match", **ISSUE_EXAMPLE)
    assert (code, err) == (0, "")
    found = json.loads(out)
    assert [f["id"] for f in found] == [
        "ex-utr-keuken", "ex-utr-repareren", "ex-utr-tuin", "ex-utr-maatje", "ex-utr-sport",
        "ex-online-maatje", "ex-utr-dieren", "ex-utr-kantoor"]  # no Amersfoort
    assert found[0] == {"id": "ex-utr-keuken", "score": 8, "parts": {
        "interests": 3, "languages": 2, "days": 1, "place": 2, "dutch": 0}}
    assert found[4]["parts"] == {"interests": 3, "languages": 2, "days": 1, "place": 2,
                                 "dutch": -4}  # sports on Saturday, but A2 is asked
    await matched(db, 9201, "ex-utr-dieren", at("2026-11-01"), ("accepted", at("2026-11-02")))
    await matched(db, 9202, "ex-utr-tuin", at("2026-11-01"), ("declined", at("2026-11-02")))
    async with db.session() as session:
        await closing.close_and_tell(session, "ex-utr-repareren", at("2026-11-03"))
    again = [f["id"] for f in json.loads((await cli(db, "match", **ISSUE_EXAMPLE))[1])]
    assert "ex-utr-dieren" not in again  # its one place is taken
    assert "ex-utr-repareren" not in again  # closed
    assert "ex-utr-tuin" in again  # a declined match holds no place


async def test_a_bad_argument_gets_one_line_and_no_traceback(db: Database) -> None:
    for options, expected in (
            ({"interests": "koken"}, "unknown interest koken; use: cooking, sports"),
            ({"days": "zaterdag"}, "unknown day zaterdag; use: mon, tue"),
            ({"municipality": "Utreht"}, "'Utreht' is not a municipality in the CBS list "
                                         "(did you mean Utrecht"),
            ({"dutch": "C2"}, "unknown Dutch level 'C2'; use: none, A1, A2, B1"),
            ({"languages": "arabic"}, "not ISO 639-1 language codes: arabic")):
        code, out, err = await cli(db, "match", **options)
        assert (code, out) == (2, "")
        assert err.startswith(expected) and err.count("\n") == 1, err
    code, _out, err = await cli(db, "report", month="2026-13")
    assert code == 2 and err == ("--month '2026-13': write the month as YYYY-MM, "
                                 "for example 2026-11\n")


# ---------------------------------------------------------------- the monthly numbers


async def test_the_report_counts_per_municipality_in_dutch_local_time(
        db: Database, tmp_path: Path) -> None:
    await imported(db, tmp_path)
    await matched(db, 9301, "ex-utr-keuken", at("2026-11-03"))  # waiting
    await matched(db, 9302, "ex-utr-keuken", at("2026-11-04"), ("accepted", at("2026-11-06")))
    await matched(db, 9303, "ex-utr-keuken", at("2026-10-20"), ("accepted", at("2026-11-02")))
    await matched(db, 9304, "ex-utr-keuken", at("2026-08-01"), ("accepted", at("2026-08-05")),
                  ("active", None))
    await matched(db, 9305, "ex-utr-tuin", at("2026-08-10"), ("accepted", at("2026-08-12")),
                  ("ended", None))
    await matched(db, 9306, "ex-amf-koken", at("2026-11-30", 23))  # still November here
    await matched(db, 9307, "ex-amf-koken", datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    code, out, _err = await cli(db, "report", month="2026-11", json=True)
    assert code == 0
    assert json.loads(out) == {"month": "2026-11", "municipalities": [
        {"municipality": "Amersfoort", "open_places": 15, "interested": 1, "matched": 0,
         "matched_3_months_before": 0, "still_active_after_3_months": 0},
        {"municipality": "Utrecht", "open_places": 15, "interested": 2, "matched": 2,
         "matched_3_months_before": 2, "still_active_after_3_months": 1},
        {"municipality": "online", "open_places": 10, "interested": 0, "matched": 0,
         "matched_3_months_before": 0, "still_active_after_3_months": 0}]}
    table = (await cli(db, "report", month="2026-11"))[1]
    assert "Utrecht\t15\t2\t2\t1 of 2\n" in table


# ---------------------------------------------------------------- coordinators in the bot


async def test_fewer_places_asks_first_then_closes_and_a_full_one_does_not_reopen(
        core: Core, tmp_path: Path) -> None:
    coordinator = await _coordinator_in_utrecht(core)
    await imported(core.db, tmp_path)
    await matched(core.db, 9401, "ex-utr-sport", at("2026-11-10"), ("accepted", at("2026-11-11")))
    await matched(core.db, 9402, "ex-utr-sport", at("2026-11-12"), locale="pl")
    await sent(core)
    await coordinator.send("/volunteering")
    shown = texts(await coordinator.press("vco:o:ex-utr-sport"))
    assert "Plekken: 2 · bezet: 1 · vrij: 1" in shown
    asked = texts(await coordinator.press("vco:p:1:ex-utr-sport"))
    assert "Plekken: 1. Dan is hij vol en gaat hij dicht." in asked
    async with core.db.session() as session:
        untouched = await repo.get(session, "ex-utr-sport")
    assert untouched is not None and untouched.opportunity.places == 2  # only asked so far
    done = await coordinator.press("vco:py:1:ex-utr-sport")
    assert done.toast == "Hij is nu vol, dus hij is gesloten."
    told = [item for item in await sent(core) if item.chat_id == 9402]
    assert len(told) == 1 and "Przykro nam: to miejsce nie jest już dostępne." in \
        told[0].reply.text
    again = await coordinator.press("vco:r:ex-utr-sport")
    assert again.toast == "Er is geen plek vrij: voeg eerst een plek toe."
    await coordinator.press("vco:p:2:ex-utr-sport")
    await coordinator.press("vco:r:ex-utr-sport")
    await coordinator.press("vco:ok:ex-utr-sport")
    async with core.db.session() as session:
        sport = await repo.get(session, "ex-utr-sport")
    assert sport is not None
    assert (sport.opportunity.places, sport.opportunity.closed,
            sport.opportunity.last_checked) == (2, False, FIXED_NOW.date())


async def test_coordinators_get_last_months_numbers_on_the_first(
        core: Core, tmp_path: Path) -> None:
    coordinator = await _coordinator_in_utrecht(core)
    await imported(core.db, tmp_path)
    await matched(core.db, 9501, "ex-utr-keuken", at("2026-11-03"))
    numbers = texts(await coordinator.press("vco:n"))
    assert "<b>📊 Vrijwilligerswerk: november 2026</b>" in numbers
    assert "<b>Utrecht</b>\nVrije plekken vandaag: 18\nInteresse: 1" in numbers
    assert "Amersfoort" not in numbers and "Online" not in numbers  # not her area
    assert "vco:n:202610" in {b.data for b in coordinator.buttons}
    await core.startup()
    await sent(core)
    first = next_review(FIXED_NOW, core.policy.timezone)
    core.clock = lambda: first
    assert await core.run_due_jobs() >= 1
    monthly = [item.reply.text for item in await sent(core) if item.chat_id == 800
               and item.reply.text.startswith("<b>📊 Vrijwilligerswerk: november 2026</b>")]
    assert len(monthly) == 1 and "Interesse: 1" in monthly[0]
    async with core.db.session() as session:
        upcoming = await jobs.upcoming(session, manage.KIND, "monthly")
    assert upcoming is not None and upcoming.due_at == datetime(2027, 1, 1, 9, 0, tzinfo=UTC)
