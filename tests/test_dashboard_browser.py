"""The coordinators' web dashboard in a real headless Chromium (tests/browser.py), against
the real bot on the fake Bot API: log in with the link /dashboard sends, answer a question
and see the answer arrive in the newcomer's Telegram chat, send a broadcast and watch its
report reach "sent"; another organisation's group is 404; a form without the CSRF token
and a used or expired login link are refused; the insights of a seeded database show the
funnel and language charts; a directory file with a bad row shows that row and changes
nothing, a good one changes the table; the volunteering page lists only the coordinator's
area, takes its own export back edited (a bad row named by line, then the good file
stored) and closes a place, telling the newcomer still waiting. Each page is photographed
at 1280 and 360 pixels wide (.artifacts/dashboard), and at 360 pixels no page is wider than
the screen."""

from __future__ import annotations

import csv
import io
import re
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import Content, build_router
from bot.config import Dashboard as DashboardConfig
from bot.config import Settings
from bot.core import dashboard as login_links
from bot.core.directory.commandline import load_examples
from bot.core.directory.schema import COLUMNS, NAME_COLUMNS
from bot.core.engine import Core
from bot.core.router import Router
from bot.core.volunteer import closing
from bot.i18n import _, use_locale
from bot.storage import audit
from bot.storage import volunteer as volunteer_repo
from bot.storage.db import Database
from bot.storage.models import (
    Coordinator,
    FaqOutcome,
    Group,
    JourneyProgress,
    Membership,
    Organisation,
    Post,
    Question,
    Reminder,
    Task,
    User,
)
from bot.web.server import routes, standalone
from fakebot import FakeTelegram
from tests.browser import NARROW, WIDE, Chromium, Tab, chromium
from tests.conftest import MovingClock
from tests.groups import set_up_group
from tests.telegram import TgUser, running_bot
from tests.test_dashboard_volunteering import seeded
from tests.test_telegram_questions import UNKNOWN_AR, ask_a_person, newcomer_in_group, plain
from tests.test_volunteer_admin import at, matched

__all__ = ["chromium"]  # the session's browser fixture
pytestmark = pytest.mark.browser
PUBLIC = "http://dashboard.test"  # the public URL the bot puts in its links
ANSWER = "Ja, katten mogen mee naar de bibliotheek, niet naar school."
GAP = "Waar kan ik een fiets huren voor weinig geld?"


def nl(message: str) -> str:
    """A dashboard text as a Dutch-speaking coordinator reads it."""
    with use_locale("nl"):
        return _(message)


@pytest.fixture(scope="session")
def dashboard_router(content: Content) -> Router:
    """The bot's router with the dashboard switched on (its links name PUBLIC)."""
    return build_router(content.journeys, content.answers, dashboard_url=PUBLIC)


@pytest.fixture
def dash_core(settings: Settings, db: Database, clock: MovingClock,
              dashboard_router: Router) -> Core:
    """The core on a moving clock (broadcast reports are redrawn by the timer)."""
    return Core(db, dashboard_router, settings.policy(), clock)


@asynccontextmanager
async def serving(core: Core, content: Content,
                  wake: Callable[[], None] = lambda: None) -> AsyncIterator[str]:
    """The dashboard on a free port of 127.0.0.1, as polling mode serves it."""
    sock = socket.create_server(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    config = DashboardConfig(PUBLIC, "127.0.0.1", port)
    server = standalone(routes(core, config, wake, content.journeys), sock)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.stop()


async def link_from_bot(user: TgUser) -> str:
    """/dashboard in the private chat: the one-time link the bot answers with."""
    calls = await user.send("/dashboard")
    text = " ".join(str(call["params"].get("text", "")) for call in calls)
    found = re.search(re.escape(PUBLIC) + r"/login/[A-Za-z0-9_-]{20,}", text)
    assert found, f"no login link in {text!r}"
    return found.group(0)


def local(link: str, root: str) -> str:
    """The public link as this test's server serves it (a proxy does this in production)."""
    return root + link.removeprefix(PUBLIC)


async def log_in(tab: Tab, url: str) -> None:
    """Open the link and press the one button: the inbox opens."""
    assert await tab.goto(url) == 200
    await tab.click("button", nl("Log in"))
    await tab.shows("h1", nl("Inbox"))


async def photograph(tab: Tab, name: str, docs: bool = True) -> None:
    """The page at 1280 and at 360 pixels; at 360 nothing sticks out sideways."""
    await tab.snap(name, docs=docs)
    await tab.call(lambda: tab.page.set_viewport_size({"width": NARROW, "height": 800}))
    wide = await tab.call(lambda: tab.page.evaluate("document.documentElement.scrollWidth"))
    assert wide <= NARROW, f"{name} is {wide} pixels wide at {NARROW}"
    await tab.snap(name)
    await tab.call(lambda: tab.page.set_viewport_size({"width": WIDE, "height": 900}))


async def test_a_coordinator_logs_in_with_the_bots_link_and_answers_a_question(
    fake: FakeTelegram, dash_core: Core, content: Content, chromium: Chromium,
) -> None:
    async with running_bot(fake, dash_core) as app:
        coordinator, _gid, newcomer_token = await set_up_group(fake)
        amira = await newcomer_in_group(fake, newcomer_token, "ar")
        await ask_a_person(amira, UNKNOWN_AR)
        refused = await amira.send("/dashboard")  # a newcomer gets no link
        assert not any(PUBLIC in str(c["params"].get("text", "")) for c in refused)
        async with serving(dash_core, content, app.bot_data["background"].wake) as root:
            link = await link_from_bot(coordinator)
            tab = await chromium.tab()
            assert await tab.goto(local(link, root)) == 200
            await photograph(tab, "login")
            await tab.click("button", nl("Log in"))
            await tab.shows("h1", nl("Inbox"))
            await photograph(tab, "inbox")
            await tab.follow("tbody a")
            await tab.shows("blockquote", UNKNOWN_AR)
            await tab.click("button", nl("Claim and answer"))
            await tab.call(lambda: tab.page.fill("#answer", ANSWER))
            await photograph(tab, "question")
            await tab.click("button", nl("Send the answer"))
            await tab.shows("blockquote.answer", ANSWER)
            await fake.wait_for(lambda: any(ANSWER in plain(t) for t in amira.screen()), 15,
                                what="the answer in the newcomer's Telegram chat")
            assert "Carla" in next(plain(t) for t in amira.screen() if ANSWER in plain(t))
            await tab.close()
            used = await chromium.tab()
            assert await used.goto(local(link, root)) == 400  # the link worked once
            await used.close()


async def test_a_broadcast_composed_in_the_browser_reaches_sent(
    fake: FakeTelegram, dash_core: Core, content: Content, chromium: Chromium,
) -> None:
    async with running_bot(fake, dash_core) as app:
        coordinator, _gid, newcomer_token = await set_up_group(fake)
        amira = await newcomer_in_group(fake, newcomer_token, "ar")
        async with serving(dash_core, content, app.bot_data["background"].wake) as root:
            tab = await chromium.tab()
            await log_in(tab, local(await link_from_bot(coordinator), root))
            await tab.goto(root + "/broadcasts/new")
            await tab.shows("#count", nl("Recipients now: {count}").format(count=1))
            await tab.call(lambda: tab.page.fill("#text_nl", "Zaterdag is er een fietsdag."))
            await tab.call(lambda: tab.page.fill("#text_ar", "يوم الدراجات يوم السبت."))
            await photograph(tab, "broadcast-new")
            await tab.click("button", nl("Review before sending"))
            await tab.shows(".preview", "يوم الدراجات")
            await photograph(tab, "broadcast-review")
            await tab.click("button", nl("Send now to {count} recipients").format(count=1))
            await tab.shows("#state", nl("sent"))  # htmx redraws the report until then
            await photograph(tab, "broadcast-report")
            assert any("يوم الدراجات" in t for t in amira.screen())
            await tab.goto(root + "/audit")
            await tab.shows("tbody", "broadcast.send")
            await tab.close()


async def seed(core: Core, content: Content) -> dict[str, int]:
    """Two organisations, a group each, fourteen newcomers near organisation A (Arabic
    7, Tigrinya 5, Dutch 2), their First steps, questions, reminders and tasks."""
    now = core.clock()
    steps = [n.id for n in content.journeys["first_steps"].nodes if n.text is not None]
    async with core.db.session() as session:
        org_a, org_b = Organisation(name="Samen Hier Utrecht"), Organisation(name="Zeist Helpt")
        cora = User(telegram_id=901, locale="nl", state="menu", first_name="Cora",
                    has_roles=True, privacy_version=1, declared_role="coordinator")
        session.add_all([org_a, org_b, cora])
        await session.flush()
        group_a = Group(organisation_id=org_a.id, name="Welkom Amira", municipality_code="GM0344",
                        last_activity_at=now - timedelta(days=20))
        group_b = Group(organisation_id=org_b.id, name="Team Zeist", municipality_code="GM0355")
        session.add_all([group_a, group_b, Coordinator(user_id=cora.id, organisation_id=org_a.id)])
        await session.flush()
        languages = ["ar"] * 7 + ["ti"] * 5 + ["nl"] * 2
        for number, language in enumerate(languages):
            person = User(telegram_id=2000 + number, locale=language, state="menu",
                          first_name=f"N{number}", privacy_version=1, declared_role="newcomer",
                          municipality_code="GM0344", situation="refugee")
            session.add(person)
            await session.flush()
            session.add(JourneyProgress(user_id=person.id, journey="first_steps",
                                        journey_version=1, node=steps[0],
                                        done=steps[: max(1, len(steps) - number // 2)]))
            session.add(Reminder(user_id=person.id, kind="checkin", due_at=now, state="sent"))
            session.add(Question(user_id=person.id, text=GAP if number < 6 else f"vraag {number}",
                                 language="nl", status="answered", followups=[],
                                 created_at=now - timedelta(hours=number + 1),
                                 answered_at=now - timedelta(minutes=10)))
        session.add(Membership(group_id=group_a.id, user_id=person.id, role="newcomer"))
        for decision, count in (("answered", 40), ("suggested", 12), ("unknown", 9)):
            session.add(FaqOutcome(day=now.date(), language="ar", decision=decision, count=count))
        session.add_all([
            Task(group_id=group_a.id, title="Samen naar de gemeente", status="open",
                 due_date=date(2026, 11, 1)),
            Task(group_id=group_a.id, title="Bankrekening openen", status="done", done_at=now),
            Task(group_id=group_b.id, title="Geheim van Zeist", status="open")])
        audit.record(session, cora.id, "invite.create", now, role="member",
                     organisation=org_a.id, group=group_a.id)
    return {"cora": cora.id, "group_a": group_a.id, "group_b": group_b.id}


async def issued(core: Core, user_id: int, minutes_ago: int = 0) -> str:
    """A login link as /dashboard makes it, issued `minutes_ago`."""
    async with core.db.session() as session:
        person = await session.get(User, user_id)
        assert person is not None
        return await login_links.issue(session, person,
                                       core.clock() - timedelta(minutes=minutes_ago))


async def test_pages_are_scoped_to_the_organisation_and_forms_need_their_token(
    dash_core: Core, content: Content, chromium: Chromium,
) -> None:
    ids = await seed(dash_core, content)
    async with serving(dash_core, content) as root:
        expired = await issued(dash_core, ids["cora"], minutes_ago=11)
        tab = await chromium.tab()
        assert await tab.goto(f"{root}/login/{expired}") == 400  # older than 10 minutes
        assert await tab.goto(f"{root}/login/{'x' * 22}") == 400
        token = await issued(dash_core, ids["cora"])
        await log_in(tab, f"{root}/login/{token}")
        assert await tab.goto(f"{root}/groups") == 200
        await tab.shows("tbody", "Welkom Amira")
        assert "Team Zeist" not in await tab.text()
        await photograph(tab, "groups")
        assert await tab.goto(f"{root}/groups/{ids['group_a']}") == 200
        await tab.click("button", nl("New link for a member"))
        await tab.shows(".invite", "https://t.me/")
        await photograph(tab, "group")
        assert await tab.goto(f"{root}/groups/{ids['group_b']}") == 404  # organisation B's
        assert "Geheim van Zeist" not in await tab.text()
        forged = await tab.call(lambda: tab.page.request.post(
            f"{root}/groups/{ids['group_a']}/invite", form={"role": "member"}))
        assert forged.status == 403  # no CSRF token
        again = await tab.call(lambda: tab.page.request.post(f"{root}/login",
                                                             form={"token": token}))
        assert again.status == 400  # the link was used
        await tab.goto(f"{root}/audit")
        await tab.shows("tbody", "invite.create")
        await photograph(tab, "audit")
        await tab.close()


async def test_insights_show_the_funnel_and_languages_and_hide_small_numbers(
    dash_core: Core, content: Content, chromium: Chromium,
) -> None:
    ids = await seed(dash_core, content)
    async with serving(dash_core, content) as root:
        tab = await chromium.tab()
        await log_in(tab, f"{root}/login/{await issued(dash_core, ids['cora'])}")
        assert await tab.goto(f"{root}/insights") == 200
        alts = await tab.call(lambda: tab.page.eval_on_selector_all(
            "img", "images => images.map(i => i.alt)"))
        with use_locale("nl"):
            by_language = next(a for a in alts if a.startswith(_("People by language")))
            funnel = _("Steps done: {journey}").format(journey=_("First steps"))
        assert "العربية 7" in by_language and "ትግርኛ 5" in by_language
        assert "Nederlands" not in by_language  # two people: never shown
        assert any(a.startswith(funnel) for a in alts)
        page = await tab.text()
        assert GAP.casefold().rstrip("?") in page  # six people asked it in the same words
        assert "vraag 7" not in page
        await photograph(tab, "insights")
        await tab.close()


async def test_a_csv_upload_shows_its_bad_row_and_a_good_one_changes_the_table(
    dash_core: Core, content: Content, chromium: Chromium, tmp_path: Path,
) -> None:
    ids = await seed(dash_core, content)  # Cora's organisation has a group in Utrecht
    await load_examples(dash_core.db)
    header = ",".join((*COLUMNS, *NAME_COLUMNS))
    good = ("ex-utrecht-fiets,organisation,Fietsmaatjes Utrecht,Samen fietsen leren.,,,,"
            "social_contact,Utrecht,nl; ar,030-123 45 67,https://example.org/fiets,,,,,,,,"
            "no,no,made up for a test,2026-11-01,,,,")
    bad = good.replace("ex-utrecht-fiets", "ex-utrecht-lopen").replace("social_contact",
                                                                       "wandelen")
    (tmp_path / "bad.csv").write_text(f"{header}\n{good}\n{bad}\n", encoding="utf-8")
    (tmp_path / "good.csv").write_text(f"{header}\n{good}\n", encoding="utf-8")
    async with serving(dash_core, content) as root:
        tab = await chromium.tab()
        await log_in(tab, f"{root}/login/{await issued(dash_core, ids['cora'])}")
        await tab.click("link", nl("Directory"))
        await tab.shows("#entries", "Adviespunt Voorbeeld")
        await tab.call(lambda: tab.page.set_input_files("#file", str(tmp_path / "bad.csv")))
        await tab.click("button", nl("Import the file"))
        await tab.shows("#problems tbody tr", "wandelen")
        row = await tab.call(lambda: tab.page.locator("#problems tbody tr").all_inner_texts())
        assert len(row) == 1 and row[0].split("\t")[:2] == ["3", "themes"]
        assert "Fietsmaatjes" not in await tab.call(lambda: tab.page.inner_text("#entries"))
        await tab.call(lambda: tab.page.set_input_files("#file", str(tmp_path / "good.csv")))
        await tab.click("button", nl("Import the file"))
        await tab.shows("#entries", "Fietsmaatjes Utrecht")
        await tab.shows("#entries", "030 123 4567")
        await photograph(tab, "directory")
        await tab.follow("#entries a[href$='/ex-utrecht-advies']")
        await tab.shows("h1", "Adviespunt Voorbeeld")
        await photograph(tab, "directory-entry", docs=False)
        await tab.close()


def csv_of(rows: list[dict[str, str]]) -> str:
    """Rows written back as the export wrote them (header first)."""
    body = io.StringIO()
    writer = csv.DictWriter(body, list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return body.getvalue()


async def downloaded(tab: Tab, link: str, to: Path) -> str:
    """Follow a download link as a person would; the file's text."""
    def fetch() -> None:
        with tab.page.expect_download() as info:
            tab.page.get_by_role("link", name=link).click()
        info.value.save_as(to)
    await tab.call(fetch)
    return to.read_text(encoding="utf-8")


async def test_the_volunteering_page_takes_its_export_back_and_closes_a_place(
    dash_core: Core, content: Content, chromium: Chromium, tmp_path: Path,
) -> None:
    ids = await seeded(dash_core)  # Cora's organisation is in Utrecht, Bram's in Amersfoort
    waiting = await matched(dash_core.db, 9101, "ex-utr-keuken", at("2026-11-20"), locale="ar")
    await matched(dash_core.db, 9102, "ex-utr-tuin", at("2026-11-18"),
                  ("accepted", at("2026-11-19")))  # holds one of the garden's four places
    async with serving(dash_core, content) as root:
        tab = await chromium.tab()
        await log_in(tab, f"{root}/login/{await issued(dash_core, ids['cora'])}")
        await tab.click("link", nl("Volunteering"))
        await tab.shows("#o-ex-utr-tuin", "3 / 4")
        listed = await tab.call(lambda: tab.page.eval_on_selector_all(
            "#opportunities tbody tr", "rows => rows.map(r => r.id)"))
        assert listed and all(i.startswith("o-ex-utr-") for i in listed)  # no Amersfoort
        assert "Amersfoort" not in await tab.call(lambda: tab.page.inner_text("#opportunities"))
        rows = list(csv.DictReader(io.StringIO(await downloaded(
            tab, nl("Download the opportunities as CSV"), tmp_path / "export.csv"))))
        assert sorted(f"o-{r['id']}" for r in rows) == sorted(listed)
        garden = next(n for n, r in enumerate(rows) if r["id"] == "ex-utr-tuin")
        wrong = (garden + 1) % len(rows)
        rows[garden] |= {"places": "6"}
        edited = [r | {"contact_phone": "12"} if n == wrong else r for n, r in enumerate(rows)]
        (tmp_path / "bad.csv").write_text(csv_of(edited), encoding="utf-8")
        (tmp_path / "good.csv").write_text(csv_of(rows), encoding="utf-8")
        await tab.call(lambda: tab.page.set_input_files("#file", str(tmp_path / "bad.csv")))
        await tab.click("button", nl("Import the file"))
        await tab.shows("#problems tbody tr", "contact_phone")
        problems = await tab.call(
            lambda: tab.page.locator("#problems tbody tr").all_inner_texts())
        assert [p.split("\t")[:2] for p in problems] == [[str(wrong + 2), "contact_phone"]]
        await tab.shows("#o-ex-utr-tuin", "3 / 4")  # nothing was imported
        async with dash_core.db.session() as session:
            stored = await volunteer_repo.get(session, "ex-utr-tuin")
            assert stored is not None and stored.opportunity.places == 4
        await tab.call(lambda: tab.page.set_input_files("#file", str(tmp_path / "good.csv")))
        await tab.click("button", nl("Import the file"))
        await tab.shows("p.done", nl("Imported: {added} added, {updated} updated.").format(
            added=0, updated=len(rows)))
        await tab.shows("#o-ex-utr-tuin", "5 / 6")
        kitchen_numbers = await tab.call(
            lambda: tab.page.locator("#o-ex-utr-keuken td.number").all_inner_texts())
        assert kitchen_numbers == ["3 / 3", "1"]  # one newcomer waits for an answer
        await photograph(tab, "volunteering")
        await tab.follow("#o-ex-utr-keuken button")
        await tab.shows("p.done", nl("Closed. People told: {count}").format(count=1))
        await tab.shows("#o-ex-utr-keuken", nl("Closed"))
        async with dash_core.db.session() as session:
            garden_now = await volunteer_repo.get(session, "ex-utr-tuin")
            kitchen = await volunteer_repo.get(session, "ex-utr-keuken")
            match = await volunteer_repo.match(session, waiting)
            told = list(await session.scalars(select(Post).where(Post.chat_id == 9101)))
        assert garden_now is not None and garden_now.opportunity.places == 6
        assert kitchen is not None and kitchen.opportunity.closed
        assert match is not None and match.status == closing.CLOSED and len(told) == 1
        await tab.close()
