"""The dashboard's volunteering page without a browser (httpx against the ASGI app, a real
SQLite file): a coordinator sees, exports, uploads and closes only their area's
opportunities (404 outside it), a form without its CSRF token changes nothing, a file with
one bad row imports nothing and names the line, a good one imports, and closing tells the
newcomer still waiting (an outbox row for them) and is audited."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from bot.config import Dashboard as DashboardConfig
from bot.core.engine import Core
from bot.core.volunteer import closing
from bot.core.volunteer.commandline import load_examples
from bot.storage import volunteer as repo
from bot.storage.models import AuditEntry, Post
from bot.web.app import build
from bot.web.pages import build_pages
from bot.web.site import Dashboard
from bot.web.volunteering import FIXES
from tests.test_dashboard_directory import ROOT, form_of, logged_in, nl, world
from tests.test_volunteer_admin import at, matched


@pytest.fixture
async def browser(core: Core) -> AsyncIterator[httpx.AsyncClient]:
    """The dashboard's ASGI app as the browser reaches it (cookies kept per client)."""
    app = build(Dashboard(core, DashboardConfig(ROOT)), build_pages())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url=ROOT) as client:
        yield client


async def seeded(core: Core) -> dict[str, int]:
    """The directory page's people (Cora: Utrecht, Bram: Amersfoort, an admin) and the
    example opportunities in both towns."""
    ids = await world(core)
    await load_examples(core.db)
    return ids


async def csrf(browser: httpx.AsyncClient) -> str:
    """The session's token, as every form of the page carries it."""
    token = form_of((await browser.get("/volunteering")).text, "/volunteering/import")["csrf"]
    assert isinstance(token, str) and token
    return token


async def opportunities(core: Core) -> dict[str, tuple[int, bool, str | None]]:
    """Every stored opportunity's places, closed flag and phone."""
    async with core.db.session() as session:
        return {s.opportunity.id: (s.opportunity.places, s.opportunity.closed,
                                   s.opportunity.contact_phone)
                for s in await repo.every(session)}


def listed(page: str) -> set[str]:
    """The ids of the table's rows."""
    table = page.split('<table id="opportunities">')[1].split("</table>", maxsplit=1)[0]
    return {part.split('"')[0] for part in table.split('<tr id="o-')[1:]}


async def exported(browser: httpx.AsyncClient) -> str:
    answer = await browser.get("/volunteering/export.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    return answer.text


async def test_a_coordinator_sees_and_closes_only_their_area(
    core: Core, browser: httpx.AsyncClient,
) -> None:
    ids = await seeded(core)
    await logged_in(browser, core, ids["cora"])
    page = (await browser.get("/volunteering")).text
    mine = listed(page)
    assert mine and all(i.startswith("ex-utr-") for i in mine)
    assert "ex-amf-koken" not in page and "ex-online-maatje" not in page
    assert "Koken in de buurtkeuken" in page  # the Dutch title
    assert nl("Free places") in page and 'id="numbers-title"' in page
    token = await csrf(browser)
    before = await opportunities(core)
    for outside in ("ex-amf-koken", "no-such-thing"):
        answer = await browser.post(f"/volunteering/{outside}/close", data={"csrf": token})
        assert answer.status_code == 404
    rows = list(csv.DictReader(io.StringIO(await exported(browser))))
    assert {row["id"] for row in rows} == mine
    await browser.post("/logout", data={"csrf": token})
    await logged_in(browser, core, ids["admin"])
    every = {row["id"] for row in csv.DictReader(io.StringIO(await exported(browser)))}
    assert mine < every and {"ex-amf-koken", "ex-online-maatje"} <= every
    await browser.post("/logout", data={"csrf": await csrf(browser)})
    await logged_in(browser, core, ids["cora"])
    row = next(r for r in rows if r["id"] == "ex-utr-keuken")
    header = list(row)
    body = io.StringIO()
    writer = csv.DictWriter(body, header, lineterminator="\n")
    writer.writeheader()
    writer.writerow(row | {"id": "ex-amf-koken"})  # another area's id, written as ours
    writer.writerow(row | {"id": "ex-utr-nieuw", "municipality": "Amersfoort"})
    refused = await browser.post("/volunteering/import", data={"csrf": await csrf(browser)},
                                 files={"file": ("mine.csv", body.getvalue().encode(),
                                                 "text/csv")})
    assert refused.status_code == 400
    problems = refused.text.split('<table id="problems">')[1].split("</table>")[0]
    assert "&#39;ex-amf-koken&#39; is an opportunity outside your area" in problems
    assert '<td class="number">3</td><td><code>municipality</code></td>' in problems
    assert nl(FIXES["municipality"]) in problems
    assert await opportunities(core) == before


async def test_a_post_without_the_csrf_token_changes_nothing(
    core: Core, browser: httpx.AsyncClient,
) -> None:
    ids = await seeded(core)
    await logged_in(browser, core, ids["cora"])
    before = await opportunities(core)
    data = (await exported(browser)).encode()
    assert (await browser.post("/volunteering/ex-utr-keuken/close")).status_code == 403
    assert (await browser.post("/volunteering/ex-utr-keuken/close",
                               data={"csrf": "forged"})).status_code == 403
    upload = await browser.post("/volunteering/import", files={
        "file": ("mine.csv", data.replace(b"2026-", b"2025-"), "text/csv")})
    assert upload.status_code == 403
    assert await opportunities(core) == before


async def test_a_file_with_one_bad_row_imports_nothing_and_names_the_line(
    core: Core, browser: httpx.AsyncClient,
) -> None:
    ids = await seeded(core)
    await logged_in(browser, core, ids["cora"])
    token = await csrf(browser)
    before = await opportunities(core)
    rows = list(csv.DictReader(io.StringIO(await exported(browser))))
    rows[0] = rows[0] | {"places": "7"}  # line 2: an update
    rows[1] = rows[1] | {"contact_phone": "12"}  # line 3: refused

    def file(of: list[dict[str, str]]) -> bytes:
        body = io.StringIO()
        writer = csv.DictWriter(body, list(of[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(of)
        return body.getvalue().encode()

    answer = await browser.post("/volunteering/import", data={"csrf": token},
                                files={"file": ("mine.csv", file(rows), "text/csv")})
    assert answer.status_code == 400
    problems = answer.text.split('<table id="problems">')[1].split("</table>")[0]
    assert '<td class="number">3</td><td><code>contact_phone</code></td>' in problems
    assert '<td class="number">2</td>' not in problems
    assert nl(FIXES["contact_phone"]) in problems
    assert await opportunities(core) == before
    rows[1] = rows[1] | {"contact_phone": "", "contact_email": "hallo@example.org"}
    new = rows[0] | {"id": "ex-utr-nieuw", "title_nl": "Helpen in de bibliotheek"}
    done = await browser.post("/volunteering/import", data={"csrf": token},
                              files={"file": ("mine.csv", file([*rows, new]), "text/csv")})
    assert done.status_code == 303
    page = (await browser.get(done.headers["location"])).text
    assert nl("Imported: {added} added, {updated} updated.").format(
        added=1, updated=len(rows)) in page
    assert "Helpen in de bibliotheek" in page
    after = await opportunities(core)
    assert after[rows[0]["id"]][0] == 7 and after["ex-utr-nieuw"][0] == 7
    async with core.db.session() as session:
        logged = list(await session.scalars(select(AuditEntry).where(
            AuditEntry.action == "volunteer.import")))
    assert [(a.actor_id, a.detail) for a in logged] == [
        (ids["cora"], {"added": 1, "updated": len(rows)})]


async def test_closing_tells_the_newcomer_still_waiting(
    core: Core, browser: httpx.AsyncClient,
) -> None:
    ids = await seeded(core)
    waiting = await matched(core.db, 9101, "ex-utr-keuken", at("2026-11-20"), locale="ar")
    await logged_in(browser, core, ids["cora"])
    page = (await browser.get("/volunteering")).text
    row = page.split('<tr id="o-ex-utr-keuken">')[1].split("</tr>")[0]
    assert '<td class="number">1</td>' in row  # one waiting answer
    fields = form_of(page, "/volunteering/ex-utr-keuken/close")
    closed = await browser.post("/volunteering/ex-utr-keuken/close", data=fields)
    assert closed.status_code == 303
    shown = (await browser.get(closed.headers["location"])).text
    assert nl("Closed. People told: {count}").format(count=1) in shown
    row = shown.split('<tr id="o-ex-utr-keuken">')[1].split("</tr>")[0]
    assert nl("Closed") in row and "/close" not in row
    async with core.db.session() as session:
        match = await repo.match(session, waiting)
        told = list(await session.scalars(select(Post).where(Post.chat_id == 9101)))
        logged = list(await session.scalars(select(AuditEntry).where(
            AuditEntry.action == "volunteer.close")))
    assert match is not None and match.status == closing.CLOSED
    assert len(told) == 1 and told[0].text and "نأسف: هذا المكان لم يعد متاحاً" in told[0].text
    assert [(a.actor_id, a.detail) for a in logged] == [
        (ids["cora"], {"opportunity": "ex-utr-keuken", "told": 1})]
