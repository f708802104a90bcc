"""The safety net: danger read however people say it, two tiers, and calm for small talk.

Floors are measured on the danger sets written apart from flows/crisis.yaml (dev for
tuning, test only reported; numbers in docs/faq.md): a drop below them fails the suite.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import crisis_eval
from bot.core import safety
from bot.core.crisis import crisis_text, distress_text
from bot.core.engine import Core
from bot.core.outbox import Lane
from bot.core.ports import Incoming, Kind
from bot.core.render import finish
from bot.i18n import use_locale
from tests.chat import CoreChat, outgoing, texts
from tests.test_groups_core import two_groups


def shown(code: str, kind: str) -> str:
    with use_locale(code):
        return finish(crisis_text(kind))


@pytest.mark.parametrize("half, recall, false_crisis", [("dev", 0.98, 0.02), ("test", 0.79, 0.01)])
def test_recall_and_false_alarms_stay_above_their_floors(
    half: str, recall: float, false_crisis: float
) -> None:
    report = crisis_eval.evaluate(crisis_eval.load(half))
    assert report.recall() >= recall
    assert report.false_crisis_rate() <= false_crisis


@pytest.mark.parametrize("text", [
    "good", "I am good", "thanks", "ok thanks", "fine", "my phone died",
    "the deadline is killing me", "I need a police certificate", "how do I kill the app",
    "I'm dying to start work", "الحمد لله", "تمام", "ጽቡቕ", "goed hoor",
    "كيف اخذ الاقامه الدائمه", "my husband took the kids to school",
])
def test_small_talk_and_ordinary_words_are_never_a_crisis(text: str) -> None:
    assert not safety.read(text).crisis, text


@pytest.mark.parametrize("text, kind", [
    ("my father hits my little sister", "child_abuse"),
    ("ክሞት እደሊ", "suicide"),
    ("everyone would be better off without me", "suicide"),
    ("he took my phone and my passport and locks me in", "domestic_violence"),
    ("my boss keeps our passports and we cannot leave the farm", "exploitation"),
    ("my son is not breathing", "medical"),
])
def test_danger_in_plain_words_is_caught_with_its_kind(text: str, kind: str) -> None:
    assert safety.read(text).kind == kind


def test_reports_about_someone_else_are_recognised() -> None:
    reading = safety.read("de ex van onze nieuwkomer bedreigt haar en slaat haar dochter")
    assert reading.crisis and reading.about_other


def test_a_rule_naming_an_unknown_concept_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "crisis.yaml"
    bad.write_text("spec_version: 2\nconcepts: {die: {en: [die]}}\n"
                   "rules: [{tier: crisis, kind: suicide, all: [die, want]}]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not defined"):
        safety.load(bad)


async def test_crisis_outranks_the_journey_and_the_journey_resumes(core: Core) -> None:
    chat = CoreChat(core)
    await chat.onboard("nl")
    await chat.press("j:first_steps::o")
    outcome = await chat.send("ik wil niet meer leven")
    assert outcome.replies[0].text.startswith(shown("nl", "suicide"))
    assert any(b.data.startswith("q:ask:") for b in outcome.replies[0].keyboard[0])
    assert any(b.data.startswith("j:first_steps:") for b in chat.buttons)


async def test_a_person_asked_for_from_a_crisis_answer_is_told_before_anything_else(
    core: Core,
) -> None:
    admin = CoreChat(core, 4242)
    await admin.send("/start")
    chat = CoreChat(core)
    await chat.onboard("nl")
    await chat.send("ik wil niet meer leven")
    await chat.press(next(b.data for b in chat.buttons if b.data.startswith("q:ask:")))
    waiting = await outgoing(core)
    assert [item.lane for item in waiting if item.chat_id == 4242] == [Lane.URGENT]


async def test_before_a_language_is_chosen_the_answer_uses_the_language_written(
    core: Core,
) -> None:
    chat = CoreChat(core)
    await chat.send("/start")
    outcome = await chat.send("بدي انتحر")
    assert outcome.replies[0].text == shown("ar", "suicide")
    assert [b.data for b in chat.buttons][:2] == ["lang:nl", "lang:en"]  # the picker again


async def test_edited_messages_are_checked_too(core: Core) -> None:
    chat = CoreChat(core)
    await chat.send("/start")
    await chat.press("lang:en")
    outcome = await core.handle(Incoming(chat.user_id, chat.user_id, Kind.EDITED,
                                         text="i want to kill myself"))
    assert shown("en", "suicide") in texts(outcome)


async def test_distress_keeps_the_answer_and_adds_one_gentle_line(core: Core) -> None:
    chat = CoreChat(core, 1201)
    await chat.onboard("en")
    outcome = await chat.send("I am so lonely here. Where can I practise Dutch without paying?")
    with use_locale("en"):
        gentle = finish(distress_text(None))
    assert "Dutch" in outcome.replies[0].text and outcome.replies[-1].text == gentle
    assert shown("en", "suicide") not in texts(outcome)


async def test_a_sponsor_member_reporting_someone_else_is_pointed_to_the_coordinator(
    core: Core,
) -> None:
    member, _other, _a, _b = await two_groups(core)
    outcome = await member.send("de ex van onze nieuwkomer bedreigt haar en slaat haar dochter")
    text = outcome.replies[0].text
    assert "0800-2000" in text and "coördinator" in text.lower()
