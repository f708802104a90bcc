"""Polish, the fifth language, over the fake Bot API: an EU labour migrant picks Polski,
completes onboarding, opens the EU-worker steps, asks about the minimum wage and
exploitation in Polish (once without Polish letters), and a crisis message gets the crisis
answer with the Dutch numbers."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.content import load_journeys
from bot.core.crisis import crisis_text
from bot.core.engine import Core
from bot.core.faq.loader import load_faq
from bot.i18n import _, use_locale
from bot.storage.models import User
from fakebot import FakeTelegram
from tests.telegram import TgUser, running_bot, visible

ENTRIES = load_faq(load_journeys())


def answer_of(entry_id: str) -> str:
    """The first line of an FAQ answer as a Polish reader sees it (its question, in bold)."""
    return visible("pl", ENTRIES[entry_id].question)


async def test_a_polish_worker_from_onboarding_to_answers_and_the_crisis_line(
    fake: FakeTelegram, core: Core
) -> None:
    marek = TgUser(fake, 4801, language_code="pl")
    async with running_bot(fake, core):
        await marek.send("/start")
        picker = [label for label, _data in marek.last_buttons()]
        assert "Polski" in picker
        for data in ("lang:pl", "priv:yes", "ob:role:newcomer", "ob:sit:eu", "ob:kids:no"):
            await marek.press(data)
        await marek.send("Tilburg")  # typed municipality
        await marek.press("ob:arr:skip")
        assert visible("pl", "<b>Main menu</b>\nWhat would you like to do?") in marek.screen()[-1]

        await marek.send("/steps")
        await marek.press("j:work::o")
        await marek.press("j:work:eu_min_wage:g")  # the EU worker's first step
        with use_locale("pl"):
            step = _(load_journeys()["work"].node("eu_min_wage").text or "")
        assert visible("pl", step) in marek.screen()[-1]
        assert step != load_journeys()["work"].node("eu_min_wage").text  # Polish, not English

        await marek.send("Ile wynosi płaca minimalna w Holandii?")
        wage = marek.screen()[-1]
        await marek.send("pracodawca mnie oszukuje i nie placi za nadgodziny, gdzie to zglosic")
        cheated = marek.screen()[-1]
        await marek.send("Szef zabrał mi paszport i grozi, że nas deportują")
        danger = marek.screen()

    assert wage.startswith(answer_of("eu.minimum_wage"))
    assert cheated.startswith(answer_of("eu.exploitation"))
    expected = visible("pl", crisis_text("exploitation"))
    assert any(line.startswith(expected[:60]) for line in danger)
    assert "0800-5151" in expected and "112" in expected
    async with core.db.session() as session:
        user = (await session.scalars(select(User).where(User.telegram_id == 4801))).one()
    assert (user.locale, user.situation, user.municipality_code) == ("pl", "eu", "GM0855")
