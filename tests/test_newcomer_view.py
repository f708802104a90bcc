"""🤝 My group as the newcomer sees it (only what is shared, in the newcomer's words, this
week / later / done, a page at a time), and button labels that are never cut inside a
word: every button of every journey and of the support plan, in every language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import select, update

from bot.app import Content
from bot.config import Settings
from bot.core.engine import Core
from bot.core.groups.plan import load_plan
from bot.core.journeys.feature import step_title
from bot.core.policies import FloodLimits
from bot.core.ports import Button, Incoming, Kind
from bot.core.router import Router
from bot.i18n import ELLIPSIS, LRI, PDI, _, isolate_latin, language_codes, shorten, use_locale
from bot.storage.db import Database
from bot.storage.models import Task, User
from tests.chat import CoreChat, said, texts
from tests.conftest import FIXED_NOW
from tests.test_groups_core import link_token, new_task, two_groups

PLAN = load_plan()
SHARED = [item for item in PLAN.items() if item.visible]
THIS_WEEK = [item for item in SHARED if item.due_days < 7]  # counted from today: no arrival


async def newcomer_with_plan(core: Core, code: str) -> tuple[CoreChat, CoreChat, int]:
    """A group with the support plan, and its newcomer, who speaks `code`."""
    member, _b, gid, _gid_b = await two_groups(core)
    coordinator = CoreChat(core, 700)
    await coordinator.press(f"g:p:{gid}:y")
    token = link_token(await coordinator.press(f"g:i:{gid}:n"))
    newcomer = CoreChat(core, 750)
    await newcomer._handle(Incoming(750, 750, Kind.COMMAND, command="start", text=token,
                                    first_name="Samir"))
    for data in (f"lang:{code}", "priv:yes", "inv:y", "ob:sit:refugee", "ob:kids:yes",
                 "ob:muni:skip", "ob:arr:skip"):
        await newcomer.press(data)
    return newcomer, member, gid


async def every_page(chat: CoreChat, first: str) -> Iterator[list[Button]]:
    """The buttons of a paged list, page after page (following the arrows)."""
    pages, data = [], first
    while True:
        outcome = await chat.press(data)
        assert outcome.replies, data
        pages.append(list(chat.buttons))
        following = [b.data for b in chat.buttons if b.label in ("➡️", "⬅️")
                     and int(b.data.rsplit(":", 1)[1]) == len(pages)]
        if not following:
            return iter(pages)
        data = following[0]


def task_ids(buttons: list[Button]) -> list[int]:
    """The tasks a page of 🤝 My group has buttons for, in order."""
    return [int(b.data.split(":")[2]) for b in buttons if b.data.startswith("nt:v:")]


async def test_the_newcomer_sees_only_shared_tasks_in_their_own_words(core: Core) -> None:
    newcomer, member, gid = await newcomer_with_plan(core, "en")
    await new_task(member, gid, "Fietsen regelen voor de vergadering")  # not shared
    first = await newcomer.press("nt:l")
    shown = texts(first)
    assert said("en", "📅 This week") in shown and said("en", "🔜 Later") not in shown
    for item in THIS_WEEK:  # the first page: this week's tasks, in full, as the plan says
        assert item.newcomer in shown and item.title not in shown
    assert "Fietsen" not in shown and "community builder" not in shown  # not shared
    pages = list(await every_page(newcomer, "nt:l"))
    listed = [i for page in pages for i in task_ids(page)]
    async with core.db.session() as session:
        sources = {t.id: t.source for t in await session.scalars(select(Task))}
    assert [sources[i] for i in listed] == [f"plan:{item.id}" for item in SHARED]
    assert len(pages) == -(-len(SHARED) // 6) and all(len(task_ids(p)) <= 6
                                                       for p in pages)


async def test_a_task_the_newcomer_did_moves_to_done(core: Core) -> None:
    newcomer, _member, _gid = await newcomer_with_plan(core, "nl")
    await newcomer.press("nt:l")
    first = task_ids(newcomer.buttons)[0]
    card = await newcomer.press(f"nt:v:{first}")
    assert said("nl", "Your group welcomes you at home with groceries you know") in texts(card)
    await newcomer.press(f"nt:k:{first}")
    assert first not in task_ids(newcomer.buttons)  # back on the first page
    pages = list(await every_page(newcomer, "nt:l"))
    done = [b for b in pages[-1] if b.data == f"nt:v:{first}"]
    assert done and done[0].label.startswith("✅ ")
    assert said("nl", "✅ Done") in texts(await newcomer.press(f"nt:l:{len(pages) - 1}"))
    await newcomer.press(f"nt:v:{first}")
    assert f"nt:k:{first}" not in [b.data for b in newcomer.buttons]  # done is done
    back = next(b.data for b in newcomer.buttons if b.data.startswith("nt:l"))
    assert back == f"nt:l:{len(pages) - 1}"  # Back: the page the task is on


# ---------------------------------------------------------------- labels cut at words


def cut_well(label: str, full: str) -> bool:
    """The label shows `full` whole, or a part of it that ends after a whole word (and, in
    a right-to-left label, after a whole isolated Latin run), followed by "…"."""
    if label.count(LRI) != label.count(PDI):
        return False
    isolated_runs = set(re.findall(f"{LRI}(.*?){PDI}", isolate_latin(full)))
    if not set(re.findall(f"{LRI}(.*?){PDI}", label)) <= isolated_runs and LRI in label:
        return False
    shown = label.replace(LRI, "").replace(PDI, "")
    if shown.endswith(full):
        return True
    if not shown.endswith(ELLIPSIS):
        return False
    head = shown[:-1]
    kept = next((k for k in range(len(full), 0, -1) if head.endswith(full[:k])), 0)
    return kept > 0 and not (full[kept - 1].isalnum() and full[kept:kept + 1].isalnum())


def test_the_check_itself_finds_a_word_cut_in_two() -> None:
    assert not cut_well("Register at the gem…", "Register at the gemeente")
    assert cut_well("Register at the…", "Register at the gemeente")
    with use_locale("ar"):
        text = "اطلب الـzorgtoeslag في Mijn toeslagen الآن"
        assert not cut_well(isolate_latin("اطلب الـzorgtoeslag في Mijn…"), text)
        assert cut_well(isolate_latin(shorten(text, 30)), text)


@pytest.mark.parametrize("code", language_codes())
async def test_no_plan_label_is_cut_inside_a_word(core: Core, code: str) -> None:
    newcomer, _member, gid = await newcomer_with_plan(core, code)
    async with core.db.session() as session:
        await session.execute(update(Task).values(visible_to_newcomer=True))  # all 30
        tasks = {t.id: t for t in await session.scalars(select(Task))}
        await session.execute(update(User).where(User.telegram_id == 700).values(locale=code))
    shortened = 0
    with use_locale(code):
        for page in await every_page(newcomer, "nt:l"):
            for button in page:
                if button.data.startswith("nt:v:"):
                    item = PLAN.item(tasks[int(button.data.split(":")[2])].source)
                    assert item is not None
                    assert cut_well(button.label, _(item.newcomer)), button.label
                    shortened += button.label.endswith(ELLIPSIS)
        coordinator = CoreChat(core, 700)
        for page in await every_page(coordinator, f"g:l:{gid}:o:0"):
            for button in page:
                if button.data.startswith("t:") and button.data.endswith(":v"):
                    task = tasks[int(button.data.split(":")[1])]
                    number, title = button.label.split(" ", 1)  # "#12 Title…"
                    assert number.replace(LRI, "").replace(PDI, "") == f"#{task.id}"
                    assert cut_well(title, _(task.title)), button.label
                    shortened += button.label.endswith(ELLIPSIS)
    assert shortened > 0  # long texts were shortened, and none inside a word


@pytest.mark.parametrize("code", language_codes())
async def test_no_journey_label_is_cut_inside_a_word(
        settings: Settings, db: Database, router: Router, content: Content, code: str) -> None:
    flows = content.journeys  # the journeys the core runs with
    unhurried = replace(settings, flood=FloodLimits(burst=10_000))  # hundreds of presses
    core = Core(db, router, unhurried.policy(), lambda: FIXED_NOW)
    chat = CoreChat(core, 760)
    await chat.onboard(code, "refugee", children="yes")
    checked = 0
    with use_locale(code):
        for journey in flows.values():
            for page in await every_page(chat, f"j:{journey.journey}::o:0"):
                for button in page:
                    parts = button.data.split(":")
                    if button.data.endswith(":g"):
                        assert cut_well(button.label, step_title(journey, journey.node(parts[2])))
                        checked += 1
            for node in (n for n in journey.nodes if n.is_step):
                shown = await chat.press(f"j:{journey.journey}:{node.id}:g")
                assert shown.replies and shown.toast is None
                for button in chat.buttons:
                    parts = button.data.split(":")
                    if parts[-1] == "d" and node.check:
                        assert cut_well(button.label, _(node.check)), button.label
                        checked += 1
                    elif parts[-1].startswith("c") and parts[-1][1:].isdigit():
                        choice = node.choices[int(parts[-1][1:])]
                        assert cut_well(button.label, _(choice.label)), button.label
                        checked += 1
    assert checked > 50
