"""Long texts get a clear word and never break a message: Telegram refuses over 4096."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.engine import Core
from bot.storage.models import Post, Question
from fakebot import check_telegram_html
from tests.chat import CoreChat, said, texts
from tests.test_groups_core import ADMIN


async def test_a_very_long_question_and_additions_fit_the_helpers_card(core: Core) -> None:
    await CoreChat(core, ADMIN).onboard("nl")
    newcomer = CoreChat(core, 61)
    await newcomer.onboard("en")
    asked = await newcomer.send("Waarom & hoe <b> " * 400)  # 6800 characters, HTML-like
    assert said("en", "Your message is very long. If you ask a person, they get the first "
                      "{limit} characters.").format(limit=2000) in texts(asked)
    await newcomer.press(next(b.data for b in newcomer.buttons if b.data.startswith("q:ask:")))
    for number in range(4):
        await newcomer.send(f"{number} " + "meer uitleg & details " * 150)  # 3300 characters
    async with core.db.session() as session:
        question = (await session.scalars(select(Question))).one()
        cards = [p.text or "" for p in await session.scalars(
            select(Post).where(Post.chat_id == ADMIN, Post.ref == f"q:{question.id}"))]
    assert len(question.text) == 2000 and len(question.followups) == 4
    assert cards, "the admin was not told"
    for card in cards:
        assert len(check_telegram_html(card)) <= 4096
