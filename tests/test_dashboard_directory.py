"""The dashboard's directory page without a browser (httpx against the ASGI app, a real
SQLite file): a coordinator sees and changes only the entries of their area, a form
without its CSRF token changes nothing, an edit goes through the CSV import's own checks
and comes back, a file with one bad row imports nothing and names the line; Polish texts
in the form and the export, and a file from before them still imports; the inbox names a
question's theme."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date
from html.parser import HTMLParser

import httpx
import pytest
from sqlalchemy import select

from bot.config import Dashboard as DashboardConfig
from bot.core import dashboard as login_links
from bot.core.directory import store
from bot.core.directory.commandline import load_examples
from bot.core.directory.schema import COLUMNS, NAME_COLUMNS
from bot.core.engine import Core
from bot.i18n import _, use_locale
from bot.storage import directory as repo
from bot.storage.models import AuditEntry, Coordinator, Group, Organisation, Question, User
from bot.web.app import build
from bot.web.directory import FIXES
from bot.web.pages import build_pages
from bot.web.site import Dashboard
from tests.conftest import FIXED_NOW

ROOT = "http://dashboard.test"
UTRECHT, AMERSFOORT = "GM0344", "GM0307"
HEADER = ",".join((*COLUMNS, *NAME_COLUMNS))
OLDER = ",".join((*COLUMNS, "name_nl", "name_en", "name_ar", "name_ti"))  # before Polish
GOOD = ("ex-utrecht-fiets,organisation,Fietsmaatjes Utrecht,Samen fietsen leren.,,,,"
        "social_contact,Utrecht,nl,030-123 45 67,https://example.org/fiets,,,,,,,,no,no,"
        "made up for a test,2026-11-01,,,,")
BAD_PHONE = GOOD.replace("ex-utrecht-fiets", "ex-utrecht-bad").replace("030-123 45 67", "12")


def nl(message: str) -> str:
    """A dashboard text as a Dutch-speaking coordinator reads it."""
    with use_locale("nl"):
        return _(message)


class Form(HTMLParser):
    """The fields a browser would send for the form posting to `action`."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.values: list[tuple[str, str]] = []
        self.inside = False
        self.textarea: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Collect what a browser would submit."""
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action", "").endswith(self.action)
        elif not self.inside:
            return
        elif tag == "input" and (a.get("type") != "checkbox" or "checked" in a):
            self.values.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self.textarea = a["name"]
            self.values.append((a["name"], ""))
        elif tag == "select":
            self.select = a["name"]
        elif tag == "option" and "selected" in a and self.select:
            self.values.append((self.select, a.get("value", "")))

    def handle_data(self, data: str) -> None:
        """A text area's text."""
        if self.textarea is not None:
            name, before = self.values.pop()
            self.values.append((name, before + data))

    def handle_endtag(self, tag: str) -> None:
        """The end of a text area, select or form."""
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False


def form_of(page: str, action: str) -> dict[str, str | list[str]]:
    """The form's fields as a browser sends them (repeated names as lists)."""
    parser = Form(action)
    parser.feed(page)
    found: dict[str, str | list[str]] = {}
    for name, value in parser.values:
        if name in found:
            before = found[name]
            found[name] = [*(before if isinstance(before, list) else [before]), value]
        else:
            found[name] = value
    return found


async def world(core: Core) -> dict[str, int]:
    """Organisation A (a group in Utrecht, coordinator Cora) and B (Amersfoort, Bram),
    the example entries, an admin, and two questions for the inbox."""
    await load_examples(core.db)
    async with core.db.session() as session:
        org_a, org_b = Organisation(name="Samen Hier Utrecht"), Organisation(name="Amersfoort")
        cora = User(telegram_id=901, locale="nl", state="menu", first_name="Cora",
                    has_roles=True, privacy_version=1)
        bram = User(telegram_id=902, locale="en", state="menu", first_name="Bram",
                    has_roles=True, privacy_version=1)
        admin = User(telegram_id=4242, locale="en", state="menu", first_name="Ada",
                     privacy_version=1)
        asker = User(telegram_id=903, locale="ar", state="menu", first_name="Amira",
                     privacy_version=1)
        session.add_all([org_a, org_b, cora, bram, admin, asker])
        await session.flush()
        session.add_all([
            Group(organisation_id=org_a.id, name="Welkom Amira", municipality_code=UTRECHT),
            Group(organisation_id=org_b.id, name="Team Amersfoort",
                  municipality_code=AMERSFOORT),
            Coordinator(user_id=cora.id, organisation_id=org_a.id),
            Coordinator(user_id=bram.id, organisation_id=org_b.id),
            Question(user_id=asker.id, text="huurcontract?", language="ar", status="open",
                     route="coordinators", organisation_id=org_a.id, followups=[],
                     theme="legal"),
            Question(user_id=asker.id, text="hallo?", language="ar", status="open",
                     route="coordinators", organisation_id=org_a.id, followups=[])])
    return {"cora": cora.id, "bram": bram.id, "admin": admin.id}


@pytest.fixture
async def client(core: Core) -> AsyncIterator[httpx.AsyncClient]:
    """The dashboard's ASGI app as the browser reaches it (cookies kept per client)."""
    app = build(Dashboard(core, DashboardConfig(ROOT)), build_pages())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url=ROOT) as browser:
        yield browser


async def logged_in(client: httpx.AsyncClient, core: Core, user_id: int) -> None:
    """The one-time link pressed: the session cookie is set."""
    async with core.db.session() as session:
        person = await session.get(User, user_id)
        assert person is not None
        token = await login_links.issue(session, person, core.clock())
    answer = await client.post("/login", data={"token": token})
    assert answer.status_code == 303


async def csrf(client: httpx.AsyncClient) -> str:
    """The session's token, as every form of the page carries it."""
    page = (await client.get("/directory")).text
    token = form_of(page, "/directory/import")["csrf"]
    assert isinstance(token, str) and token
    return token


async def entry_ids(core: Core) -> dict[str, tuple[str | None, date]]:
    """Every stored entry's phone and check date."""
    async with core.db.session() as session:
        return {s.entry.id: (s.entry.phone, s.entry.last_checked)
                for s in await repo.every(session)}


async def test_a_coordinator_sees_and_keeps_only_their_area(
    core: Core, client: httpx.AsyncClient,
) -> None:
    ids = await world(core)
    await logged_in(client, core, ids["cora"])
    page = (await client.get("/directory")).text
    assert "Adviespunt Voorbeeld" in page and "Taalmaatjes Voorbeeldregio" in page
    assert "ex-amersfoort-cafe" not in page  # organisation B's town only
    marker = f'<strong class="late">{nl("due for a check")}</strong>'
    assert page.count(marker) == 1  # Adviespunt: last checked in 2024
    due = (await client.get("/directory?due=1")).text
    assert "Adviespunt Voorbeeld" in due and "Taalmaatjes Voorbeeldregio" not in due
    before = await entry_ids(core)
    token = await csrf(client)
    assert (await client.get("/directory/entries/ex-amersfoort-cafe")).status_code == 404
    assert (await client.get("/directory/entries/no-such-entry")).status_code == 404
    for path in ("/directory/entries/ex-amersfoort-cafe",
                 "/directory/entries/ex-amersfoort-cafe/checked"):
        forged = await client.post(path, data={"csrf": token, "name": "Overgenomen",
                                                "kind": "initiative"})
        assert forged.status_code == 404
    exported = (await client.get("/directory/export.csv")).text
    assert {row["id"] for row in csv.DictReader(io.StringIO(exported))} == {
        "ex-utrecht-gemeente", "ex-utrecht-recht-ar", "ex-utrecht-advies", "ex-regio-taal"}
    outside = GOOD.replace("ex-utrecht-fiets", "ex-amersfoort-cafe")
    refused = await client.post("/directory/import", data={"csrf": token}, files={
        "file": ("mine.csv", f"{HEADER}\n{outside}\n".encode(), "text/csv")})
    assert refused.status_code == 400 and "entry outside your area" in refused.text
    assert await entry_ids(core) == before
    await client.post("/logout", data={"csrf": token})
    await logged_in(client, core, ids["admin"])
    assert "ex-amersfoort-cafe" in (await client.get("/directory")).text
    assert (await client.get("/directory/entries/ex-amersfoort-cafe")).status_code == 200


async def test_a_post_without_the_csrf_token_changes_nothing(
    core: Core, client: httpx.AsyncClient,
) -> None:
    ids = await world(core)
    await logged_in(client, core, ids["cora"])
    before = await entry_ids(core)
    page = (await client.get("/directory/entries/ex-utrecht-advies")).text
    fields = form_of(page, "/directory/entries/ex-utrecht-advies")
    del fields["csrf"]
    fields["phone"] = "030 123 4567"
    assert (await client.post("/directory/entries/ex-utrecht-advies",
                              data=fields)).status_code == 403
    assert (await client.post("/directory/entries/ex-utrecht-advies/checked")).status_code == 403
    upload = await client.post("/directory/import", files={
        "file": ("new.csv", f"{HEADER}\n{GOOD}\n".encode(), "text/csv")})
    assert upload.status_code == 403
    assert await entry_ids(core) == before


async def test_a_file_with_one_bad_row_imports_nothing_and_names_the_line(
    core: Core, client: httpx.AsyncClient,
) -> None:
    ids = await world(core)
    await logged_in(client, core, ids["cora"])
    token = await csrf(client)
    before = await entry_ids(core)
    changed = GOOD.replace("ex-utrecht-fiets", "ex-utrecht-advies")  # an update, line 2
    data = f"{HEADER}\n{changed}\n{BAD_PHONE}\n".encode()
    answer = await client.post("/directory/import", data={"csrf": token},
                               files={"file": ("mine.csv", data, "text/csv")})
    assert answer.status_code == 400
    problems = answer.text.split('<table id="problems">')[1].split("</table>")[0]
    assert '<td class="number">3</td><td><code>phone</code></td>' in problems
    assert "&#39;12&#39; is not a valid phone number" in problems  # the importer's words
    assert nl(FIXES["phone"]) in problems  # what to write, in the dashboard's language
    assert '<td class="number">2</td>' not in problems
    assert await entry_ids(core) == before
    done = await client.post("/directory/import", data={"csrf": token},
                             files={"file": ("mine.csv", f"{HEADER}\n{changed}\n{GOOD}\n"
                                             .encode(), "text/csv")})
    assert done.status_code == 303
    shown = (await client.get(done.headers["location"])).text
    assert nl("Imported: {added} added, {updated} updated.").format(added=1, updated=1) in shown
    assert "Fietsmaatjes Utrecht" in shown
    async with core.db.session() as session:
        logged = list(await session.scalars(select(AuditEntry).where(
            AuditEntry.action == "directory.import")))
    assert [(a.actor_id, a.detail) for a in logged] == [(ids["cora"],
                                                         {"added": 1, "updated": 1})]


async def test_an_edit_is_checked_like_an_import_and_comes_back(
    core: Core, client: httpx.AsyncClient,
) -> None:
    ids = await world(core)
    await logged_in(client, core, ids["cora"])
    path = "/directory/entries/ex-utrecht-advies"
    fields = form_of((await client.get(path)).text, path)
    assert fields["themes"] == ["debt", "legal"] and fields["municipalities"] == UTRECHT
    fields["phone"] = "12"
    refused = await client.post(path, data=fields)
    assert refused.status_code == 400
    assert f'<p class="error" id="e-phone">{nl(FIXES["phone"])}</p>' in refused.text
    assert 'value="12"' in refused.text  # what was typed stays in the field
    assert (await entry_ids(core))["ex-utrecht-advies"][0] is None
    fields |= {"phone": "030-123 45 67", "description_ar": "مساعدة قانونية",
               "themes": ["legal"], "appointment_only": "yes"}
    saved = await client.post(path, data=fields)
    assert saved.status_code == 303
    again = form_of((await client.get(saved.headers["location"])).text, path)
    assert again["phone"] == "030 123 4567" and again["themes"] == "legal"
    assert again["description_ar"] == "مساعدة قانونية" and again["appointment_only"] == "yes"
    checked = await client.post(f"{path}/checked", data={"csrf": fields["csrf"]})
    assert checked.status_code == 303
    page = (await client.get("/directory")).text
    assert f'class="late">{nl("due for a check")}' not in page
    async with core.db.session() as session:
        stored = await repo.get(session, "ex-utrecht-advies")
        actions = [a.action for a in await session.scalars(
            select(AuditEntry).where(AuditEntry.actor_id == ids["cora"]).order_by(AuditEntry.id))]
    assert stored is not None
    row = store.to_row(stored)
    assert (row.phone, row.themes, row.appointment_only) == ("+31301234567", ["legal"], True)
    assert row.last_checked == FIXED_NOW.date() and stored.entry.updated_by == ids["cora"]
    assert actions == ["directory.edit", "directory.check"]


REGIONAL = "/directory/entries/ex-regio-taal"  # Utrecht (Cora's area) and Amersfoort (Bram's)


async def regional_entry_for_cora(
    core: Core, client: httpx.AsyncClient,
) -> tuple[str, dict[str, str | list[str]]]:
    """Cora logged in, on the regional entry's page: the page and its form's fields."""
    ids = await world(core)
    await logged_in(client, core, ids["cora"])
    page = (await client.get(REGIONAL)).text
    return page, form_of(page, REGIONAL)


async def test_an_edit_cannot_move_an_entry_out_of_the_area(
    core: Core, client: httpx.AsyncClient,
) -> None:
    """Unticking Utrecht on the regional entry would leave Bram's Amersfoort only."""
    page, fields = await regional_entry_for_cora(core, client)
    assert nl("It also serves {places}, outside your area.").format(places="Amersfoort") in page
    del fields["municipalities"]
    refused = await client.post(REGIONAL, data=fields)
    assert refused.status_code == 400 and 'id="e-municipalities"' in refused.text
    async with core.db.session() as session:
        stored = await repo.get(session, "ex-regio-taal")
    assert stored is not None and sorted(stored.areas) == [AMERSFOORT, UTRECHT]


async def test_polish_in_the_form_and_the_export_and_an_older_file_still_imports(
    core: Core, client: httpx.AsyncClient,
) -> None:
    page, fields = await regional_entry_for_cora(core, client)
    assert 'name="description_pl" rows="3" lang="pl" dir="ltr"' in page
    assert fields["description_pl"] == "Przykład: wolontariusze ćwiczą z Tobą niderlandzki."
    fields["description_pl"] = "Wolontariusze co tydzień ćwiczą z Tobą niderlandzki."
    assert (await client.post(REGIONAL, data=fields)).status_code == 303
    exported = (await client.get("/directory/export.csv")).text
    assert exported.splitlines()[0].endswith(",last_checked,description_pl,name_nl,name_en,"
                                             "name_ar,name_ti,name_pl")
    polish = {r["id"]: r["description_pl"] for r in csv.DictReader(io.StringIO(exported))}
    assert polish["ex-regio-taal"] == fields["description_pl"]
    token = await csrf(client)
    for data in (f"{OLDER}\n{GOOD}\n", exported):  # a file from before Polish; the export
        answer = await client.post("/directory/import", data={"csrf": token},
                                   files={"file": ("mine.csv", data.encode(), "text/csv")})
        assert answer.status_code == 303
    async with core.db.session() as session:
        kept = {s.entry.id: store.to_row(s) for s in await repo.every(session)}
    assert kept["ex-utrecht-fiets"].description_pl is None
    assert kept["ex-utrecht-fiets"].description("pl") == "Samen fietsen leren."
    assert kept["ex-regio-taal"].description("pl") == fields["description_pl"]


async def test_the_inbox_names_the_questions_theme(
    core: Core, client: httpx.AsyncClient,
) -> None:
    ids = await world(core)
    await logged_in(client, core, ids["cora"])
    rows = (await client.get("/inbox")).text.split("<tbody>")[1].split("<tr>")[1:]
    cells = [r.split("<td>")[3].split("</td>")[0] for r in rows]  # after question, language
    assert sorted(cells) == sorted([nl("⚖️ Legal help").removeprefix("⚖️ "), "—"])
