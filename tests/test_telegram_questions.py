"""Ask a person, over the fake Bot API: to the sponsor group (answered by a Telegram reply and
relayed in Arabic), to a coordinator when there is no group, two helpers racing, follow-ups."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.core.engine import Core
from bot.core.render import finish, format_html
from bot.i18n import _, use_locale
from bot.storage.models import Question
from fakebot import FakeTelegram, buttons, check_telegram_html
from tests.chat import said
from tests.conftest import MovingClock
from tests.groups import CHAT, join, linked, set_up_group, token_in
from tests.telegram import GroupChat, TgUser, running_bot

REPLY = "Nee, katten mogen niet mee naar school."
UNKNOWN_AR = "هل يمكنني أخذ قطتي إلى المدرسة؟"  # "can I take my cat to school?": not in the FAQ


def plain(text: str) -> str:
    """Without the bidi isolates, to find a translated phrase inside a longer message."""
    return text.replace("\u2066", "").replace("\u2069", "")


async def newcomer_in_group(fake: FakeTelegram, token: str, code: str) -> TgUser:
    """The newcomer joins their group and lets it see their questions."""
    amira = TgUser(fake, 820, language_code=code, first_name="أميرة")
    await amira.send(f"/start {token}")
    for data in (f"lang:{code}", "priv:yes", "inv:y", "ob:sit:refugee", "ob:kids:no",
                 "ob:muni:skip", "ob:arr:skip", "nt:l", "nt:s"):
        await amira.press(data)
    return amira


async def ask_a_person(user: TgUser, question: str) -> None:
    """Type a question the bot cannot answer and press 🙋 Ask a person."""
    await user.send(question)
    if "faq:-:n" in [d for _, d in user.last_buttons()]:  # "did you mean": none of these
        await user.press("faq:-:n")
    ask = next(d for _, d in user.last_buttons() if d.startswith("q:ask:"))
    await user.press(ask)


async def test_group_member_answers_by_reply_and_it_reaches_the_newcomer_in_arabic(
    fake: FakeTelegram, moving_core: Core
) -> None:
    anna = TgUser(fake, 810, first_name="Anna")
    chat = GroupChat(fake, CHAT)
    async with running_bot(fake, moving_core):
        coordinator, gid, newcomer_token = await set_up_group(fake)
        await join(anna, token_in(await coordinator.press(f"g:i:{gid}:m")), "nl")
        await linked(fake, anna, gid, chat)
        amira = await newcomer_in_group(fake, newcomer_token, "ar")
        await ask_a_person(amira, UNKNOWN_AR)
        assert plain(said("ar", "your sponsor group")) in plain(amira.transcript()[-1])
        await chat.shows(UNKNOWN_AR)
        card = chat.message_with(UNKNOWN_AR)
        assert "Arabisch" in chat.texts()[-1]  # the language in the helpers' words (Dutch)
        assert "العربية" not in chat.texts()[-1]
        await chat.reply(anna, card, REPLY)
        await fake.wait_for(lambda: any("katten" in t for t in amira.screen()), 8,
                            what="the answer in the newcomer's chat")
        answer = next(t for t in amira.screen() if "katten" in t)
        assert said("ar", "✅ Thanks, solved") in [label for label, _ in amira.last_buttons()]
        await amira.press(next(d for _, d in amira.last_buttons() if d.startswith("q:ok:")))
    with use_locale("ar"):  # marked as coming from a person, with their first name
        expected = finish(format_html(_("💬 <b>Answer from a person</b> ({name}):\n{answer}"),
                                      name="Anna", answer=REPLY))
    assert answer == check_telegram_html(expected)
    async with moving_core.db.session() as session:
        stored = (await session.scalars(select(Question))).one()
    assert (stored.status, stored.route, stored.text) == ("closed", "group", UNKNOWN_AR)


async def test_without_a_group_the_coordinator_of_the_municipality_answers(
    fake: FakeTelegram, moving_core: Core
) -> None:
    samir = TgUser(fake, 830, first_name="Samir")
    async with running_bot(fake, moving_core):
        coordinator, _gid, _token = await set_up_group(fake)  # a group in Utrecht
        await samir.send("/start")
        for data in ("lang:en", "priv:yes", "ob:role:newcomer", "ob:sit:eu", "ob:kids:no"):
            await samir.press(data)
        await samir.send("Utrecht")
        await samir.press("ob:arr:skip")
        await ask_a_person(samir, "Where can I find a vet for my cat?")
        await fake.wait_for(lambda: any("cat" in t for t in coordinator.screen()), 8,
                            what="the question at the coordinator")
        async with moving_core.db.session() as session:
            number = (await session.scalars(select(Question.id))).one()
        await coordinator.send(f"/answer {number} No, pets cannot come to school.")
        await fake.wait_for(lambda: any("pets" in t for t in samir.screen()), 8,
                            what="the answer")
        # A second answer to the same question is refused, with who answered it.
        again = await coordinator.send(f"/answer {number} Something else")
    assert "Carla" in str(again[-1]["params"]["text"])
    assert not any("Something else" in t for t in samir.screen())


async def test_two_helpers_race_for_one_question(fake: FakeTelegram, moving_core: Core) -> None:
    anna, bram = TgUser(fake, 840, first_name="Anna"), TgUser(fake, 841, first_name="Bram")
    chat = GroupChat(fake, CHAT)
    async with running_bot(fake, moving_core):
        coordinator, gid, newcomer_token = await set_up_group(fake)
        token = token_in(await coordinator.press(f"g:i:{gid}:m"))
        for member in (anna, bram):
            await join(member, token, "nl")
        await linked(fake, anna, gid, chat)
        amira = await newcomer_in_group(fake, newcomer_token, "ar")
        await ask_a_person(amira, UNKNOWN_AR)
        await chat.shows(UNKNOWN_AR)
        question = next(d for m in reversed(fake.messages(CHAT)) for _, d in buttons(m)
                        if d.startswith("q:ans:"))
        queries = await asyncio.gather(chat.press_now(anna, question),
                                       chat.press_now(bram, question))
        answers = [await fake.next_callback_answer(q) for q in queries]
        texts = [str(a.get("text")) for a in answers]
        taken = [t for t in texts if "al" in t and ("Anna" in t or "Bram" in t)]
        assert len(taken) == 1, texts
        winner = anna if "Anna" in taken[0] else bram  # the refusal names who has it
        await fake.wait_for(lambda: any(UNKNOWN_AR in t for t in winner.screen()), 8,
                            what="the private answer prompt")
        await winner.send("Nee, helaas niet.")
        await fake.wait_for(lambda: any("helaas" in t for t in amira.screen()), 8,
                            what="the answer")
    async with moving_core.db.session() as session:
        stored = (await session.scalars(select(Question))).one()
    assert stored.status == "answered" and stored.answer == "Nee, helaas niet."


async def test_follow_ups_join_the_question_and_a_day_later_helpers_are_reminded(
    fake: FakeTelegram, moving_core: Core, clock: MovingClock
) -> None:
    anna = TgUser(fake, 850, first_name="Anna")
    chat = GroupChat(fake, CHAT)
    async with running_bot(fake, moving_core) as app:
        coordinator, gid, newcomer_token = await set_up_group(fake)
        await join(anna, token_in(await coordinator.press(f"g:i:{gid}:m")), "nl")
        await linked(fake, anna, gid, chat)
        amira = await newcomer_in_group(fake, newcomer_token, "ar")
        await ask_a_person(amira, UNKNOWN_AR)
        await amira.send("huurtoeslag")  # would be a confident FAQ answer otherwise
        assert said("ar", "I added this to your question. A person will answer you here.") == \
            amira.transcript()[-1]
        await fake.wait_for(lambda: sum(UNKNOWN_AR in t for t in chat.texts()) >= 2, 8,
                            what="the question shown again with the addition")
        assert "huurtoeslag" in chat.texts()[-1]
        clock.jump(hours=24, minutes=1)
        await moving_core.run_due_jobs()
        app.bot_data["background"].wake()
        await chat.shows("⏰")
