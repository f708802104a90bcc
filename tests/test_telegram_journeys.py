"""Journeys over Telegram: every journey's main path in every language, branches, restarts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.app import build_core
from bot.config import Settings
from bot.core.content import load_journeys
from bot.core.engine import Core
from bot.core.journeys.feature import path_steps, step_title
from bot.core.journeys.schema import Journey, Node
from bot.core.policies import FloodLimits
from bot.core.render import finish, format_html
from bot.core.router import Router
from bot.i18n import _, backward, forward, use_locale
from bot.storage.db import Database
from fakebot import FakeTelegram, check_telegram_html
from tests.conftest import FIXED_NOW
from tests.telegram import TgUser, running_bot, visible

JOURNEYS = load_journeys()
LANGS = ("nl", "en", "ar", "ti")


def profile(situation: str) -> dict[str, str | None]:
    """What onboard() answers: this situation, children yes, municipality skipped."""
    return {"situation": situation, "children": "yes", "municipality": None}


def main_path(journey: Journey, situation: str) -> list[Node]:
    """The steps a user meets pressing Done every time: routers resolved by the profile."""
    steps: list[Node] = []
    node_id: str | None = journey.start
    while node_id is not None:
        node = journey.node(node_id)
        if node.router is not None:
            value = profile(situation).get(node.router.field)
            case = next((c for c in node.router.cases if value in c.when), None)
            node_id = case.next if case else node.router.default
            continue
        steps.append(node)
        node_id = node.next
    return steps


async def walk(user: TgUser, journey: Journey, code: str, situation: str) -> None:
    """Open the journey and press Done on every step, checking each screen."""
    await user.send("/steps")
    await user.press(f"j:{journey.journey}::o")
    path = main_path(journey, situation)
    await user.press(f"j:{journey.journey}:{path[0].id}:g")  # the suggested first step
    for node in path:
        assert node.text, node.id
        assert visible(code, node.text) in user.screen()[-1], (journey.journey, node.id)
        if node.question:  # answered with the choice that goes the usual way
            index = next(i for i, c in enumerate(node.choices) if c.next == node.next)
            await user.press(f"j:{journey.journey}:{node.id}:c{index}")
        else:
            await user.press(f"j:{journey.journey}:{node.id}:d")
    with use_locale(code):
        finished = finish(format_html(_("🎉 You finished “{title}”. Well done!"),
                                      title=_(journey.title)))
    assert check_telegram_html(finished) in user.transcript()[-2:]


@pytest.mark.parametrize("code", LANGS)
@pytest.mark.parametrize("journey_id", sorted(JOURNEYS))
async def test_main_path_in_every_language(
    fake: FakeTelegram, core: Core, journey_id: str, code: str
) -> None:
    user = TgUser(fake, 800 + LANGS.index(code))
    async with running_bot(fake, core):
        await user.onboard(code, "refugee", children="yes")
        await walk(user, JOURNEYS[journey_id], code, "refugee")
        await user.send("/steps")
    journey = JOURNEYS[journey_id]
    steps = len(path_steps(journey, profile("refugee")))
    done = len(main_path(journey, "refugee"))
    assert done == steps  # the test's own walk and the feature's path agree
    with use_locale(code):
        label = finish(f"{_(journey.title)} {done}/{steps}")
    assert any(b.startswith(label) for b, _ in user.last_buttons()), user.last_buttons()


@pytest.mark.parametrize("journey_id", ["first_steps", "housing"])
@pytest.mark.parametrize("situation", ["refugee", "eu"])
async def test_profile_branches(
    fake: FakeTelegram, core: Core, journey_id: str, situation: str
) -> None:
    journey = JOURNEYS[journey_id]
    refugee = {n.id for n in main_path(journey, "refugee")}
    eu = {n.id for n in main_path(journey, "eu")}
    assert refugee != eu, "the two profiles should meet different steps"
    user = TgUser(fake, 900)
    async with running_bot(fake, core):
        await user.onboard("ar", situation, children="yes")
        await walk(user, journey, "ar", situation)


async def test_restart_mid_journey_keeps_node_and_ticks(
    fake: FakeTelegram, settings: Settings
) -> None:
    journey = JOURNEYS["first_steps"]
    path = main_path(journey, "refugee")
    user = TgUser(fake, 950)
    db = Database(settings.database_url)
    async with running_bot(fake, build_core(settings, db, clock=lambda: FIXED_NOW)):
        await user.onboard("ti", "refugee", children="yes")
        await user.send("/steps")
        await user.press("j:first_steps::o")
        await user.press(f"j:first_steps:{path[0].id}:g")
        await user.press(f"j:first_steps:{path[0].id}:d")
        await user.press(f"j:first_steps:{path[1].id}:d")
    again = Database(settings.database_url)  # a new Application on the same database file
    async with running_bot(fake, build_core(settings, again, clock=lambda: FIXED_NOW)):
        await user.send("/start")  # the main menu; the journey kept its place
        assert visible("ti", "<b>Main menu</b>\nWhat would you like to do?") in user.screen()[-1]
        await user.press("steps")
        await user.press("j:first_steps::o")
        assert overview_marks(user, "ti", journey)[path[2].id] == ("○", True)
        await user.press(f"j:first_steps:{path[2].id}:g")
        assert path[2].text
        assert visible("ti", path[2].text) in user.screen()[-1]
        await user.send("/steps")
    with use_locale("ti"):
        label = finish(f"{_(journey.title)} 2/")
    assert any(b.startswith(label) for b, _ in user.last_buttons())


def overview_marks(user: TgUser, code: str, journey: Journey
                   ) -> dict[str, tuple[str, bool]]:
    """Each step button of the overview on screen: its mark, and whether it is suggested
    (an arrow pointing the reading way before the mark); the label must be the step's title."""
    found: dict[str, tuple[str, bool]] = {}
    for label, data in user.last_buttons():
        parts = data.split(":")
        if parts[0] != "j" or parts[-1] != "g":
            continue
        with use_locale(code):
            title, arrow = finish(step_title(journey, journey.node(parts[2]))), finish(forward())
        suggested = label.startswith(arrow + " ")
        mark, _space, rest = label.removeprefix(arrow + " ").partition(" ")
        assert rest == title, (label, title)
        found[parts[2]] = (mark, suggested)
    return found


@pytest.mark.parametrize("code", ["ar", "ti"])
async def test_journey_map_and_ways_out(
    fake: FakeTelegram, settings: Settings, db: Database, router: Router, code: str
) -> None:
    """The issue's transcript: /menu leaves a journey, "Not yet" on DigiD moves on to the
    bank, the overview shows ✓ ⏳ ○ and suggests the bank, Back from the first step seen
    returns to the overview, and Back points the way the language reads."""
    journey = JOURNEYS["first_steps"]
    user = TgUser(fake, 970 + LANGS.index(code))
    unhurried = replace(settings, flood=FloodLimits(burst=1000)).policy()  # a long transcript
    async with running_bot(fake, Core(db, router, unhurried, lambda: FIXED_NOW)):
        await user.onboard(code, "refugee", children="yes")
        await user.send("/steps")
        await user.press("j:first_steps::o")
        assert overview_marks(user, code, journey)["brp"] == ("○", True)
        await user.press("j:first_steps:brp:g")
        with use_locale(code):
            back = finish(backward(_("Back")))
        assert (back, "j:first_steps:brp:b") in user.last_buttons()
        assert back.startswith("➡️" if code == "ar" else "⬅️")
        await user.press("j:first_steps:brp:d")
        assert visible(code, journey.node("digid").text or "") in user.screen()[-1]

        await user.send("/menu")  # a way out: the main menu, not the step again
        assert visible(code, "<b>Main menu</b>\nWhat would you like to do?") in user.screen()[-1]
        await user.press("steps")
        await user.press("j:first_steps::o")
        assert overview_marks(user, code, journey)["digid"] == ("○", True)
        await user.press("j:first_steps:digid:g")
        await user.press("j:first_steps:digid:l")  # not yet: the bank step comes
        assert visible(code, journey.node("bank").text or "") in user.screen()[-1]

        await user.press("menu:home")  # 🏠 Menu under the step
        await user.press("steps")
        await user.press("j:first_steps::o")
        marks = overview_marks(user, code, journey)
        assert marks["brp"] == ("✓", False)
        assert marks["digid"] == ("⏳", False)
        assert marks["bank"] == ("○", True)  # suggested: the bank, not DigiD again
        assert marks["insurance"] == ("○", False)
        with use_locale(code):
            bank = finish(step_title(journey, journey.node("bank")))
        assert bank in user.screen()[-1]

        await user.press("j:first_steps:bank:g")  # the first step seen from the overview
        await user.press("j:first_steps:bank:b")
        assert "j:first_steps:bank:g" in [d for _label, d in user.last_buttons()]
        with use_locale(code):
            assert finish(_(journey.title)) in user.screen()[-1]


@pytest.mark.parametrize("situation", ["refugee", "eu"])
async def test_inburgering_is_offered_first_to_a_refugee_not_to_an_eu_worker(
    fake: FakeTelegram, core: Core, situation: str
) -> None:
    user = TgUser(fake, 950)
    async with running_bot(fake, core):
        await user.onboard("ar", situation, children="no")
        await user.send("/steps")
        mine = [data for _label, data in user.last_buttons()]
        if situation == "eu":
            await user.press("steps:other")
            others = [data for _label, data in user.last_buttons()]
    if situation == "refugee":
        assert "j:inburgering::o" in mine
        assert "steps:other" not in mine
    else:
        assert "j:inburgering::o" not in mine
        assert "j:inburgering::o" in others
        assert visible("ar", "<b>Other topics</b>\nThese are written for people in another "
                             "situation.") in user.screen()[-1]
