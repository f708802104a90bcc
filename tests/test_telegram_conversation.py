"""Conversation and the safety net over the fake Bot API: small talk, a typed answer to the
monthly check-in, and crisis, distress and unsure messages in Arabic and Tigrinya."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bot.core import safety
from bot.core.crisis import crisis_text, distress_text, question_text
from bot.core.engine import Core
from bot.storage.models import Reminder, User
from fakebot import FakeTelegram, buttons
from tests.conftest import MovingClock
from tests.groups import join, set_up_group, token_in
from tests.telegram import TgUser, running_bot, visible


async def _group(fake: FakeTelegram, core: Core) -> tuple[TgUser, int, str]:
    async with running_bot(fake, core):
        return await set_up_group(fake)


async def test_hello_in_arabic_gets_a_greeting_and_the_menu(fake: FakeTelegram, core: Core) -> None:
    samir = TgUser(fake, 1301, language_code="ar")
    async with running_bot(fake, core):
        await samir.onboard("ar")
        await samir.send("مرحبا")
    greeting = visible("ar", "Hello! 👋 I am Wegwijs. Choose a topic below, or type your question.")
    assert greeting in samir.screen()
    assert ("menu:me" in [data for _label, data in samir.last_buttons()])  # the main menu


async def test_good_and_not_so_good_typed_after_the_check_in_are_its_answers(
    fake: FakeTelegram, moving_core: Core, clock: MovingClock
) -> None:
    happy, worried = TgUser(fake, 1302), TgUser(fake, 1303)
    async with running_bot(fake, moving_core):
        for user in (happy, worried):
            await user.onboard("en")
        async with moving_core.db.session() as session:
            due = min((await session.scalars(select(Reminder.due_at).where(
                Reminder.kind == "checkin"))).all())
        clock.jump(seconds=(due - clock()).total_seconds() + 1)
        question = visible("en", "👋 How are things going?")
        await fake.wait_for(lambda: question in worried.screen() and question in happy.screen(),
                            8, what="the check-ins")
        await happy.send("good")
        await worried.send("not so good")
    assert happy.screen()[-1] == visible("en", "Good to hear! 😊")
    assert not any("113" in line for line in happy.screen())
    assert worried.screen()[-1].startswith(visible("en", "I am sorry to hear that.")[:20])
    assert any(data.startswith("q:ask:") for _label, data in worried.last_buttons())


def gentle_line_on(user: TgUser, code: str) -> Callable[[], bool]:
    """Whether the distress line has reached this person's screen."""
    return lambda: visible(code, distress_text(None)) in user.screen()


async def test_crisis_and_distress_in_arabic_and_tigrinya(fake: FakeTelegram, core: Core) -> None:
    amal, yonas = TgUser(fake, 1304, language_code="ar"), TgUser(fake, 1305, language_code="ti")
    async with running_bot(fake, core):
        await amal.onboard("ar")
        await yonas.onboard("ti")
        await amal.send("زوجي يضربني كل يوم وأخذ جواز سفري")
        await yonas.send("ክሞት እደሊ፡ ኩሉ ሰብ ብዘይ ኣነ ይሓይሾ")
        await amal.send("أشعر بالوحدة هنا، أين أتعلم اللغة الهولندية مجانا؟")
        await yonas.send("ብዙሕ ጓሂ ኣለኒ፡ ሆላንድኛ ብነጻ ኣበይ ክመሃር")
        for user, code in ((amal, "ar"), (yonas, "ti")):
            await fake.wait_for(gentle_line_on(user, code), 5, what="the gentle line")
    assert any(line.startswith(visible("ar", crisis_text("domestic_violence"))[:40])
               for line in amal.screen())
    assert any(line.startswith(visible("ti", crisis_text("suicide"))[:40])
               for line in yonas.screen())


async def test_when_unsure_the_bot_asks_in_arabic_and_tigrinya_and_yes_shows_the_numbers(
    fake: FakeTelegram, core: Core
) -> None:
    # "enough, I don't want to wake up tomorrow"; "I have no reason to live": words the
    # learned model is unsure about (if a change moves one out of that band, pick another)
    unsure = {"ar": "خلص ما بدي صحى بكرا", "ti": "ዝነብረሉ ምኽንያት የብለይን"}
    assert all(safety.read(text).check == "suicide" for text in unsure.values())
    huda, senait = TgUser(fake, 1309, language_code="ar"), TgUser(fake, 1310, language_code="ti")
    async with running_bot(fake, core):
        for user, code in ((huda, "ar"), (senait, "ti")):
            await user.onboard(code)
            await user.send(unsure[code])
            assert visible(code, question_text()) in user.screen()
            await user.press("cr:y:suicide:me")
            answer = next(m for m in fake.messages(user.user_id)
                          if str(m.get("text", "")).startswith(
                              visible(code, crisis_text("suicide"))[:40]))
            assert [data[:6] for _label, data in buttons(answer)] == ["q:ask:"]  # 🙋 at once


async def test_a_formal_arabic_question_and_a_town_in_arabic_and_geez(
    fake: FakeTelegram, core: Core
) -> None:
    huda, tesfay = TgUser(fake, 1306, language_code="ar"), TgUser(fake, 1307)
    async with running_bot(fake, core):
        for user, code, town in ((huda, "ar", "أمستردام"), (tesfay, "ti", "ሮተርዳም")):
            await user.send("/start")
            for data in (f"lang:{code}", "priv:yes", "ob:role:newcomer", "ob:sit:refugee",
                         "ob:kids:no"):
                await user.press(data)
            await user.send(town)
            await user.press("ob:arr:skip")
        await huda.send("هل يحق لي أن أعمل في هولندا بعد حصولي على الإقامة؟")
        offered = [data for _label, data in huda.last_buttons()]
        if "faq:work.allowed:s" not in offered:  # not sure enough: the answer is offered first
            assert offered[0] == "faq:work.allowed:a"
            await huda.press("faq:work.allowed:a")
    assert any(data == "faq:work.allowed:s" for _label, data in huda.last_buttons())
    async with core.db.session() as session:
        towns = (await session.execute(select(User.telegram_id, User.municipality_code)
                                       .order_by(User.telegram_id))).all()
    assert (1306, "GM0363") in towns and (1307, "GM0599") in towns  # Amsterdam, Rotterdam


async def test_a_sponsor_member_reporting_violence_gets_the_advice_for_bystanders(
    fake: FakeTelegram, core: Core
) -> None:
    coordinator, gid, _newcomer_token = await _group(fake, core)
    member = TgUser(fake, 1308, first_name="Joost")
    async with running_bot(fake, core):
        coordinator_calls = await coordinator.press(f"g:i:{gid}:m")
        await join(member, token_in(coordinator_calls), "nl")
        await member.send("de ex van onze nieuwkomer bedreigt haar en slaat haar dochter")
    advice = next(line for line in member.screen() if "0800-2000" in line)
    assert "112" in advice and member.screen()[-1].startswith(visible("nl", "Main menu")[:8])
    assert visible("nl", "Tell your coordinator as well: press 🙋 Talk to a person.") in advice
