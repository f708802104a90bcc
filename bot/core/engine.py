"""Handles one Incoming from any transport: a session, the user, their locale, the router."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.config import Settings
from bot.core import conversation
from bot.core.broadcasts import delivery as broadcasts
from bot.core.flood import FloodGate
from bot.core.groups import feed
from bot.core.ports import Incoming, Outcome, Reply
from bot.core.reminders import delivery as reminders
from bot.core.render import finish
from bot.core.router import JobRun, Router, Turn
from bot.i18n import SOURCE_LANGUAGE, _, language_codes, use_locale
from bot.storage import groups, jobs, outbox, users
from bot.storage.db import Database
from bot.storage.models import Group

Clock = Callable[[], datetime]
KEPT_REPLY = "reply"  # outbox ref of a reply that waited for Telegram to be reachable


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Core:
    """The one entry point adapters call; it knows nothing about how messages travel."""

    def __init__(self, db: Database, router: Router, settings: Settings, clock: Clock = _utcnow):
        self.db = db
        self.router = router
        self.settings = settings
        self.clock = clock
        self.flood = FloodGate(settings.flood)

    bot_username = "WegwijsBot"  # replaced by the adapter with the real bot's username

    async def handle(self, event: Incoming) -> Outcome:
        """Answer one input; the database work is committed before anything is sent."""
        if not event.private and not self.router.wants(event):
            return Outcome()  # group chatter that is not for us: stay silent
        verdict = self.flood.check(event.user_id)
        if verdict != "pass":
            return await self._slow_down(event) if verdict == "trip" else Outcome()
        return await self.db.retrying(lambda: self._turn(event))

    async def _turn(self, event: Incoming) -> Outcome:
        """One attempt in one transaction: a retry after a lock starts again from nothing."""
        async with self.db.session() as session:
            user = await users.get_or_create(session, event.user_id)
            users.remember_name(user, event.first_name)
            if user.blocked_at is not None:
                user.blocked_at = None  # whoever writes to us has not blocked us (any more)
            chat_group = None if event.private else await groups.group_by_chat(
                session, event.chat_id)
            with use_locale(_locale(event, user.locale, chat_group)):
                turn = Turn(session, user, event, self.clock(), self.settings.timezone,
                            self.router, admins=self.settings.admin_ids,
                            bot_username=self.bot_username, chat_group=chat_group)
                await self.router.dispatch(turn)
                await _count_group_messages(turn)
                if event.private:
                    users.remember_choices(user, conversation.remember(user.choices,
                                                                       turn.outcome.replies))
        return turn.outcome

    async def _slow_down(self, event: Incoming) -> Outcome:
        """Said once when someone floods us; what they send during the pause is ignored."""
        if not event.private:
            return Outcome()  # never make a group chat noisier
        with use_locale(await self._their_language(event.user_id, _hint(event))):
            text = _("You are sending messages very fast. Please wait half a minute, "
                     "then try again.")
            return Outcome(replies=[Reply(finish(text))])

    async def _their_language(self, user_id: int, otherwise: str) -> str:
        """For a line said outside a turn: the person's chosen language, if they have one."""
        async with self.db.session() as session:
            user = await users.get_by_telegram_id(session, user_id)
        return (user.locale if user else None) or otherwise

    async def startup(self) -> None:
        """What features need at startup (e.g. every group has its next Monday job)."""
        for handler in self.router.startups:
            async with self.db.session() as session:
                await handler(session, self.clock(), self.settings.timezone)

    async def run_due_jobs(self) -> int:
        """Run every job whose time has come, each in its own transaction; returns how many.

        A job is claimed and its work done in one transaction: if two timers fire, or the
        process dies halfway, the job runs exactly once.
        """
        now = self.clock()
        async with self.db.session() as session:
            due = [(job.id, job.kind, job.ref) for job in await jobs.due(session, now)]
        ran = 0
        for job_id, kind, ref in due:
            async with self.db.session() as session:
                if kind in self.router.jobs and await jobs.take(session, job_id, now):
                    await self.router.jobs[kind](JobRun(session, ref, now, self.settings.timezone,
                                                        self.settings.admin_ids))
                    ran += 1
        return ran

    async def due_reminders(self, limit: int = 50) -> list[reminders.Due]:
        """Claim the reminders that go out now (see bot.core.reminders.delivery)."""
        async with self.db.session() as session:
            return await reminders.claim(session, self.router, self.clock(),
                                         self.settings.timezone, limit)

    async def reminder_result(self, due: reminders.Due, outcome: str,
                              wait: timedelta = timedelta(), reason: str = "") -> None:
        """How one send went: sent, blocked (403), failed (400) or later (429, network)."""
        async with self.db.session() as session:
            now = self.clock()
            if outcome == "sent":
                await reminders.sent(session, due.reminder_id, now)
            elif outcome == "blocked":
                await reminders.blocked(session, due, now)
            elif outcome == "failed":
                await reminders.failed(session, due, now, reason)
            else:
                await reminders.later(session, due, now, wait)

    async def broadcast_batch(self, limit: int) -> list[broadcasts.Outgoing]:
        """Claim broadcast deliveries that may go now (the adapter paces them)."""
        async with self.db.session() as session:
            return await broadcasts.claim(session, self.clock(), limit)

    async def broadcast_result(self, item: broadcasts.Outgoing, outcome: str,
                               wait: timedelta = timedelta(), reason: str = "") -> None:
        """How one delivery went: sent, blocked (403), failed (400) or later (429, network)."""
        async with self.db.session() as session:
            now = self.clock()
            if outcome == "sent":
                await broadcasts.sent(session, item, now)
            elif outcome == "blocked":
                await broadcasts.blocked(session, item, now)
            elif outcome == "failed":
                await broadcasts.failed(session, item, now, reason)
            else:
                await broadcasts.later(session, item, now, wait)

    async def broadcast_reports(self) -> bool:
        """Redraw running broadcasts' reports and close finished ones; True if any changed."""
        async with self.db.session() as session:
            return await broadcasts.update_reports(session, self.clock())

    async def deliveries(self) -> list[feed.OutboxMessage]:
        """Outbox posts that may be sent now (group chats stay within 20 a minute)."""
        async with self.db.session() as session:
            return await feed.deliveries(session, self.clock(), self.settings.timezone)

    async def delivered(self, delivery: feed.OutboxMessage, message_id: int) -> None:
        """Record that Telegram has the post (and count it against the chat's budget)."""
        async with self.db.session() as session:
            await feed.sent(session, delivery, message_id, self.clock())

    async def undelivered(self, delivery: feed.OutboxMessage, give_up: bool) -> None:
        """A failed send: retried later, or abandoned when Telegram refuses for good."""
        async with self.db.session() as session:
            await outbox.mark_failed(session, delivery.post_id, give_up)

    async def keep(self, chat_id: int, replies: list[Reply]) -> int:
        """Replies Telegram could not take now go to the outbox, which sends them once the
        line is back; returns how many were kept. A file cannot wait there: it is dropped,
        and the person can ask for it again."""
        texts = [reply for reply in replies if reply.document is None]
        async with self.db.session() as session:
            for reply in texts:
                rows = [[(b.label, b.data) for b in row] for row in reply.keyboard]
                await outbox.queue_text(session, chat_id, reply.text, rows, ref=KEPT_REPLY)
        return len(texts)

    async def apology(self, user_id: int) -> Reply:
        """What to say when handling failed, in the person's own language."""
        with use_locale(await self._their_language(user_id, SOURCE_LANGUAGE)):
            return Reply(finish(_("Sorry, something went wrong on my side. Please try again.")))


def _locale(event: Incoming, chosen: str | None, chat_group: Group | None) -> str:
    """A private chat speaks the user's language; a group chat the group's working language.

    In a chat not linked yet, the person acting is the best guess.
    """
    if event.private or chat_group is None:
        return chosen or _hint(event)
    return chat_group.locale


async def _count_group_messages(turn: Turn) -> None:
    """Replies in a group chat use up its 20-a-minute budget, like the outbox's posts do."""
    if turn.event.private:
        return
    for _reply in turn.outcome.replies:
        await outbox.record_send(turn.session, turn.event.chat_id, turn.now)


def _hint(event: Incoming) -> str:
    """Before a language is chosen, Telegram's language setting is the best guess."""
    hint = (event.language_hint or "").split("-")[0].lower()
    return hint if hint in language_codes() else SOURCE_LANGUAGE
