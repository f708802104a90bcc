"""Journeys over Telegram: every journey's main path in every language, branches, restarts."""

from __future__ import annotations

import pytest

from bot.app import build_core
from bot.config import Settings
from bot.core.content import load_journeys
from bot.core.engine import Core
from bot.core.journeys.feature import path_steps
from bot.core.journeys.schema import Journey, Node
from bot.core.render import finish, format_html
from bot.i18n import _, use_locale
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
    for node in main_path(journey, situation):
        assert node.text, node.id
        assert visible(code, node.text) in user.screen()[-1], (journey.journey, node.id)
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
        await user.press(f"j:first_steps:{path[0].id}:d")
        await user.press(f"j:first_steps:{path[1].id}:d")
    again = Database(settings.database_url)  # a new Application on the same database file
    async with running_bot(fake, build_core(settings, again, clock=lambda: FIXED_NOW)):
        await user.send("/start")
        assert path[2].text
        assert visible("ti", path[2].text) in user.screen()[-1]
        await user.send("/steps")
    with use_locale("ti"):
        label = finish(f"{_(journey.title)} 2/")
    assert any(b.startswith(label) for b, _ in user.last_buttons())
