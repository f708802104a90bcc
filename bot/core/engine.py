"""Handles one Incoming from any transport: a session, the user, their locale, the router."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bot.config import Settings
from bot.core.ports import Incoming, Outcome, Reply
from bot.core.render import finish
from bot.core.router import Router, Turn
from bot.i18n import SOURCE_LANGUAGE, _, language_codes, use_locale
from bot.storage import users
from bot.storage.db import Database

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Core:
    """The one entry point adapters call; it knows nothing about how messages travel."""

    def __init__(self, db: Database, router: Router, settings: Settings, clock: Clock = _utcnow):
        self.db = db
        self.router = router
        self.settings = settings
        self.clock = clock

    async def handle(self, event: Incoming) -> Outcome:
        """Answer one input; the database work is committed before anything is sent."""
        if not event.private:
            return Outcome()  # groups the bot does not know: stay silent
        async with self.db.session() as session:
            user = await users.get_or_create(session, event.user_id)
            with use_locale(user.locale or _hint(event)):
                turn = Turn(session, user, event, self.clock(), self.settings.timezone,
                            self.router)
                await self.router.dispatch(turn)
        return turn.outcome

    async def apology(self, user_id: int) -> Reply:
        """What to say when handling failed, in the person's own language."""
        async with self.db.session() as session:
            user = await users.get_by_telegram_id(session, user_id)
        with use_locale((user.locale if user else None) or SOURCE_LANGUAGE):
            return Reply(finish(_("Sorry, something went wrong on my side. Please try again.")))


def _hint(event: Incoming) -> str:
    """Before a language is chosen, Telegram's language setting is the best guess."""
    hint = (event.language_hint or "").split("-")[0].lower()
    return hint if hint in language_codes() else SOURCE_LANGUAGE
