"""The journeys feature through the core: progress, Done/Not yet/Back/Source, stale buttons."""

from __future__ import annotations

import pytest
from babel.dates import format_date
from sqlalchemy import func, select

from bot.app import Content, build_core
from bot.config import Settings
from bot.core.content import known_sources, load_journeys
from bot.core.engine import Core
from bot.core.faq.loader import load_faq
from bot.core.journeys.feature import path_steps
from bot.core.journeys.schema import Journey
from bot.storage.db import Database
from bot.storage.models import JourneyProgress, Reminder
from tests.chat import CoreChat, last, texts
from tests.conftest import FIXED_NOW
from tests.test_journeys_validation import ROUTED

FLOWS = load_journeys(translations=False)  # English needs no translation
FIRST = FLOWS["first_steps"]


@pytest.fixture
def jcore(settings: Settings, db: Database) -> Core:
    content = Content(FLOWS, load_faq(FLOWS, translations=False))
    return build_core(settings, db, clock=lambda: FIXED_NOW, content=content)


async def newcomer(core: Core, situation: str = "refugee", user_id: int = 1001) -> CoreChat:
    chat = CoreChat(core, user_id)
    await chat.onboard("en", situation, children="yes")
    return chat


async def progress_of(db: Database) -> JourneyProgress | None:
    async with db.session() as session:
        rows = await session.execute(select(JourneyProgress))
        return rows.scalar_one_or_none()


def first_step(situation: str) -> str:
    node = FIRST.node(FIRST.start)
    while node.router is not None:
        case = next((c for c in node.router.cases if situation in c.when), None)
        node = FIRST.node(case.next if case else node.router.default)
    return node.id


async def test_menu_offers_my_steps_with_zero_progress(jcore: Core) -> None:
    chat = await newcomer(jcore)
    await chat.press("steps:")
    labels = [b.label for b in chat.buttons]
    profile = {"situation": "refugee", "children": "yes", "municipality": None}
    assert labels[0] == f"First steps 0/{len(path_steps(FIRST, profile))}"
    assert len(labels) == len(FLOWS) + 1


async def test_an_eu_worker_finds_inburgering_under_other_topics(jcore: Core) -> None:
    chat = await newcomer(jcore, "eu")
    await chat.press("steps:")
    labels = [b.label for b in chat.buttons]
    assert not any(label.startswith("Inburgering") for label in labels)
    assert labels[0].startswith("First steps")
    outcome = await chat.press_label("Other topics")
    assert "Other topics" in last(outcome).text
    await chat.press_label("Inburgering")
    assert "Which inburgering law" in chat.buttons[0].label


async def test_a_refugee_is_offered_inburgering_among_their_own_steps(jcore: Core) -> None:
    chat = await newcomer(jcore, "refugee")
    await chat.press("steps:")
    labels = [b.label for b in chat.buttons]
    assert any(label.startswith("Inburgering") for label in labels)
    assert not any("Other topics" in label for label in labels)


async def test_done_back_and_not_yet(jcore: Core, db: Database) -> None:
    chat = await newcomer(jcore)
    start = first_step("refugee")
    node = FIRST.node(start)
    await chat.press("j:first_steps::o")
    opened = await chat.press(f"j:first_steps:{start}:g")
    assert node.text
    assert last(opened).text.startswith(node.text[:40])
    await chat.press(f"j:first_steps:{start}:d")
    saved = await progress_of(db)
    assert saved is not None and saved.node == node.next and saved.done == [start]
    await chat.press(f"j:first_steps:{node.next}:b")
    saved = await progress_of(db)
    assert saved is not None and saved.node == start and saved.done == [start]
    assert node.next is not None
    await chat.press(f"j:first_steps:{node.next}:g")
    later = await chat.press(f"j:first_steps:{node.next}:l")
    assert later.toast in ("This step waits for you.", "I will ask you again in 5 days.")
    saved = await progress_of(db)
    following = FIRST.node(node.next).next
    assert saved is not None and saved.waiting == [node.next] and saved.node == following
    assert last(later).text.startswith((FIRST.node(following or "").text or "")[:40])


async def test_overview_marks_steps_and_suggests_the_next_open_one(jcore: Core) -> None:
    chat = await newcomer(jcore)
    shown = last(await chat.press("j:first_steps::o"))
    assert "Next step: <b>Register at the gemeente</b>" in shown.text
    await chat.press("j:first_steps:brp:g")
    await chat.press("j:first_steps:brp:d")
    await chat.press("j:first_steps:digid:l")  # DigiD waits; the bank step comes
    assert "j:first_steps:bank:d" in [b.data for b in chat.buttons]
    shown = last(await chat.press("j:first_steps::o"))
    labels = {b.data.split(":")[2]: b.label for b in chat.buttons if b.data.endswith(":g")}
    assert labels["brp"].startswith("✓ ")
    assert labels["digid"].startswith("⏳ ")
    assert labels["bank"].startswith("➡️ ○ ")  # suggested: the bank, not DigiD again
    assert labels["insurance"].startswith("○ ")
    assert "Next step: <b>Open a bank account</b>" in shown.text
    await chat.press("j:first_steps:brp:g")
    await chat.press("j:first_steps:brp:d")  # Done leads past the waiting DigiD step
    assert "j:first_steps:bank:d" in [b.data for b in chat.buttons]


async def test_back_on_the_first_step_returns_to_the_overview(jcore: Core) -> None:
    chat = await newcomer(jcore)
    await chat.press("j:first_steps::o")
    await chat.press("j:first_steps:bank:g")  # opened from the overview: the first step seen
    back = await chat.press("j:first_steps:bank:b")
    assert last(back).text.startswith("<b>First steps</b>")
    assert "j:first_steps:bank:g" in [b.data for b in chat.buttons]


async def test_overview_pages_when_a_journey_has_many_steps(jcore: Core) -> None:
    chat = await newcomer(jcore)
    for journey in FLOWS.values():
        await chat.press(f"j:{journey.journey}::o")
        steps = [b for b in chat.buttons if b.data.endswith(":g")]
        assert 0 < len(steps) <= 8
        if any(b.data == f"j:{journey.journey}::o:1" for b in chat.buttons):
            await chat.press(f"j:{journey.journey}::o:1")
            assert [b for b in chat.buttons if b.data.endswith(":g")]


async def test_menu_inside_a_journey_opens_the_menu_and_the_journey_keeps_its_place(
    jcore: Core, db: Database
) -> None:
    chat = await newcomer(jcore)
    await chat.press("j:first_steps::o")
    await chat.press("j:first_steps:brp:g")
    await chat.press("j:first_steps:brp:d")
    for way_out in ("/menu", "/start", "menu:home"):
        shown = await (chat.send(way_out) if way_out.startswith("/") else chat.press(way_out))
        assert "Main menu" in texts(shown), way_out
        await chat.press("j:first_steps::o")
        await chat.press("j:first_steps:digid:g")
    assert "menu:home" in [b.data for b in chat.buttons]  # 🏠 Menu under every step
    saved = await progress_of(db)
    assert saved is not None and (saved.node, saved.done) == ("digid", ["brp"])


async def test_ticking_a_step_cancels_its_follow_up(jcore: Core, db: Database) -> None:
    chat = await newcomer(jcore)
    await chat.press("j:first_steps::o")
    await chat.press("j:first_steps:digid:g")
    await chat.press("j:first_steps:digid:l")
    await chat.send("/reminders")
    assert "Follow-up" in " ".join(b.label for b in chat.buttons)
    await chat.press("j:first_steps::o")
    await chat.press("j:first_steps:digid:g")
    await chat.press("j:first_steps:digid:d")
    await chat.send("/reminders")
    assert "Follow-up" not in " ".join(b.label for b in chat.buttons)
    async with db.session() as session:
        states = list(await session.scalars(select(Reminder.state).where(
            Reminder.kind == "followup")))
    assert states == ["cancelled"]


@pytest.mark.parametrize("journey_id", ["first_steps", "inburgering"])
async def test_question_steps_show_their_choices_without_done(
    jcore: Core, db: Database, journey_id: str
) -> None:
    journey = FLOWS[journey_id]
    question = next(n for n in journey.nodes if n.question)
    chat = await newcomer(jcore, "eu")
    await chat.press(f"j:{journey_id}::o")
    await chat.press(f"j:{journey_id}:{question.id}:g")
    data = [b.data for b in chat.buttons]
    assert f"j:{journey_id}:{question.id}:d" not in data
    assert [d for d in data if d.startswith(f"j:{journey_id}:{question.id}:c")] == [
        f"j:{journey_id}:{question.id}:c{i}" for i in range(len(question.choices))]
    refused = await chat.press(f"j:{journey_id}:{question.id}:d")
    assert refused.toast is not None
    await chat.press(f"j:{journey_id}:{question.id}:c1")  # the other answer
    saved = await progress_of(db)
    assert saved is not None and saved.done == [question.id]
    assert saved.node == question.choices[1].next
    await chat.press(f"j:{journey_id}::o")  # the way follows the answer
    listed = [b.data.split(":")[2] for b in chat.buttons if b.data.endswith(":g")]
    assert question.choices[1].next in listed


def test_every_question_step_has_answers() -> None:
    questions = [n for j in FLOWS.values() for n in j.nodes if n.question]
    assert {n.id for n in questions} >= {"eu_stay", "which_law"}
    assert all(len(n.choices) >= 2 for n in questions)


async def test_source_shows_titles_links_and_date(jcore: Core) -> None:
    chat = await newcomer(jcore)
    await chat.press("j:first_steps::o")
    start = first_step("refugee")
    shown = texts(await chat.press(f"j:first_steps:{start}:s"))
    for tag in FIRST.node(start).sources:
        assert known_sources()[tag]["title"].split(",")[0] in shown
    checked = FIRST.node(start).last_checked
    assert checked is not None
    assert f"Last checked: {format_date(checked, 'long', locale='en')}" in shown


async def test_old_and_forged_buttons_change_nothing(jcore: Core, db: Database) -> None:
    chat = await newcomer(jcore)
    await chat.press("j:first_steps::o")
    start = first_step("refugee")
    second = FIRST.node(start).next
    assert second is not None
    for data in (f"j:first_steps:{second}:d", "j:nope:x:d", "j:first_steps", "j:first_steps:x:zz",
                 f"j:first_steps:{start}:c9", f"j:first_steps:{start}:zz"):
        outcome = await chat.press(data)
        assert outcome.toast is not None, data
    saved = await progress_of(db)
    assert saved is not None and (saved.node, saved.done) == (start, [])


async def test_routers_follow_the_profile(jcore: Core, db: Database) -> None:
    refugee, eu = first_step("refugee"), first_step("eu")
    assert refugee != eu
    chat = await newcomer(jcore, "eu")
    await chat.press("j:first_steps::o")
    saved = await progress_of(db)
    assert saved is not None and saved.node == eu


async def test_typed_text_in_a_journey_is_answered_with_a_way_back(jcore: Core) -> None:
    chat = await newcomer(jcore)
    await chat.press("j:first_steps::o")
    for question in ("where is the gemeente?", "how do i get digid", "what is the weather"):
        await chat.send(question)  # did you mean / an answer / I don't know
        assert "j:first_steps::o" in [b.data for b in chat.buttons], question


async def test_erasing_the_user_erases_progress(jcore: Core, db: Database) -> None:
    chat = await newcomer(jcore)
    await chat.press("j:first_steps::o")
    await chat.press(f"j:first_steps:{first_step('refugee')}:d")
    await chat.send("/delete")
    await chat.press("priv:erase")
    async with db.session() as session:
        count = await session.scalar(select(func.count()).select_from(JourneyProgress))
    assert count == 0


@pytest.mark.parametrize(("answer", "expected"), [("ob:kids:yes", "parents"),
                                                  ("ob:kids:no", "others"),
                                                  ("ob:kids:skip", "others")])
async def test_children_router_follows_the_onboarding_answer(
    settings: Settings, db: Database, answer: str, expected: str
) -> None:
    demo = Journey.model_validate(ROUTED)
    core = build_core(settings, db, clock=lambda: FIXED_NOW, content=Content({"demo": demo}, {}))
    chat = CoreChat(core)
    for data in ("/start", "lang:en", "priv:yes", "ob:role:newcomer", "ob:sit:family", answer,
                 "ob:muni:skip", "ob:arr:skip", "j:demo::o"):
        await (chat.send(data) if data.startswith("/") else chat.press(data))
    saved = await progress_of(db)
    assert saved is not None and saved.node == expected


async def test_progress_counts_the_users_own_path(jcore: Core) -> None:
    chat = await newcomer(jcore, "family")
    await chat.press("steps:")
    housing = FLOWS["housing"]
    profile = {"situation": "family", "children": "yes", "municipality": None}
    own = path_steps(housing, profile)
    every_step = [node.id for node in housing.nodes if node.is_step]
    assert len(own) < len(every_step)  # the azc and EU-worker branches are not theirs
    assert f"Housing 0/{len(own)}" in [b.label for b in chat.buttons]


async def test_progress_on_a_removed_step_restarts_the_journey(jcore: Core, db: Database) -> None:
    chat = await newcomer(jcore)
    await chat.press("j:first_steps::o")
    start = first_step("refugee")
    await chat.press(f"j:first_steps:{start}:d")
    async with db.session() as session:  # a content update removed the user's current step
        saved = (await session.execute(select(JourneyProgress))).scalar_one()
        saved.node = "removed_in_v2"
    outcome = await chat.press("j:first_steps:removed_in_v2:d")
    assert outcome.toast is not None  # the old button is refused, not a crash
    saved_now = await progress_of(db)
    assert saved_now is not None
    assert (saved_now.node, saved_now.done) == (start, [start])
