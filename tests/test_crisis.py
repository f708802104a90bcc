"""Crisis first: crisis words get the crisis numbers at once, in every language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core import crisis
from bot.core.crisis import crisis_text, detect
from bot.core.engine import Core
from bot.core.normalize import normalize
from bot.core.ports import Incoming, Kind
from bot.core.render import finish
from bot.i18n import use_locale
from tests.chat import CoreChat, texts
from tests.fakebot import FakeTelegram, check_telegram_html
from tests.telegram import TgUser, running_bot

EXAMPLES: dict[str, list[dict[str, Any]]] = yaml.safe_load(
    (Path(__file__).parent / "data" / "crisis_examples.yaml").read_text(encoding="utf-8"))


def shown(code: str) -> str:
    with use_locale(code):
        return finish(crisis_text())


@pytest.mark.parametrize("example", EXAMPLES["positive"], ids=lambda e: f"{e['lang']}-{e['kind']}")
def test_crisis_messages_are_caught(example: dict[str, Any]) -> None:
    found = detect(example["text"])
    assert found is not None, example["text"]
    assert found[0] == example["kind"], example["text"]


@pytest.mark.parametrize("example", EXAMPLES["negative"], ids=lambda e: e["lang"])
def test_ordinary_questions_are_not(example: dict[str, Any]) -> None:
    assert detect(example["text"]) is None, example["text"]


def test_every_language_has_examples_of_every_kind() -> None:
    seen = {(e["lang"], e["kind"]) for e in EXAMPLES["positive"]}
    assert seen == {(lang, kind) for lang in ("nl", "en", "ar", "ti") for kind in crisis.KINDS}
    assert {e["lang"] for e in EXAMPLES["negative"]} == {"nl", "en", "ar", "ti"}


def test_normalisation_folds_what_people_mix_up() -> None:
    assert normalize("بِدّي أَمُوت!!") == normalize("بدي اموت")
    assert normalize("ሓሳብ") == normalize("ሃሳብ") == normalize("ኃሳብ")
    assert normalize("ZELFMÓÓRD") == "zelfmoord"
    assert normalize("٣ أطفال") == normalize("3 اطفال")


def test_a_malformed_phrase_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "crisis.yaml"
    bad.write_text("suicide: {en: [x]}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected exactly the kinds"):
        crisis.phrases(bad)


async def test_crisis_outranks_the_journey_and_the_journey_resumes(core: Core) -> None:
    chat = CoreChat(core)
    await chat.onboard("nl")
    await chat.press("j:first_steps::o")
    outcome = await chat.send("ik wil niet meer leven")
    assert outcome.replies[0].text == shown("nl")
    assert any(b.data.startswith("j:first_steps:") for b in chat.buttons)


async def test_before_a_language_is_chosen_the_answer_uses_the_language_written(core: Core) -> None:
    chat = CoreChat(core)
    await chat.send("/start")
    outcome = await chat.send("بدي انتحر")
    assert outcome.replies[0].text == shown("ar")
    assert [b.data for b in chat.buttons][:2] == ["lang:nl", "lang:en"]  # the picker again


async def test_edited_messages_are_checked_too(core: Core) -> None:
    chat = CoreChat(core)
    await chat.send("/start")
    await chat.press("lang:en")
    outcome = await core.handle(Incoming(chat.user_id, chat.user_id, Kind.EDITED,
                                         text="i want to kill myself"))
    assert shown("en") in texts(outcome)


async def test_tigrinya_crisis_interrupts_a_journey_over_telegram(
    fake: FakeTelegram, core: Core
) -> None:
    positive = next(e for e in EXAMPLES["positive"] if e["lang"] == "ti" and e["kind"] == "suicide")
    user = TgUser(fake, 990)
    async with running_bot(fake, core):
        await user.onboard("ti")
        await user.send("/steps")
        await user.press("j:first_steps::o")
        calls = await user.send(positive["text"])
    assert check_telegram_html(calls[0]["params"]["text"]) == check_telegram_html(shown("ti"))
    assert any(data.startswith("j:first_steps:") for _, data in user.last_buttons())
