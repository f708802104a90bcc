"""Handles one Incoming from any transport: a session, the user, their locale, the router."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from bot.core import conversation, outbox
from bot.core.flood import FloodGate
from bot.core.policies import Policy
from bot.core.ports import Incoming, Outcome, Reply
from bot.core.render import finish
from bot.core.router import JobRun, Router, Turn
from bot.i18n import SOURCE_LANGUAGE, _, language_codes, use_locale
from bot.storage import budget, groups, inbox, jobs, locks, users
from bot.storage import outbox as outbox_repo
from bot.storage.db import Database
from bot.storage.models import Group

Clock = Callable[[], datetime]
KEPT_REPLY = "reply"  # outbox ref of a reply that waited for Telegram to be reachable


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _storable(event: Incoming) -> Incoming:
    """Without NUL characters, which PostgreSQL text cannot hold (nobody types one)."""
    if "\x00" not in event.text + event.command + event.data + event.first_name:
        return event
    return replace(event, text=event.text.replace("\x00", ""),
                   command=event.command.replace("\x00", ""),
                   data=event.data.replace("\x00", ""),
                   first_name=event.first_name.replace("\x00", ""))


class Core:
    """The one entry point adapters call; it knows nothing about how messages travel."""

    def __init__(self, db: Database, router: Router, policy: Policy, clock: Clock = _utcnow):
        self.db = db
        self.router = router
        self.policy = policy
        self.clock = clock
        self.flood = FloodGate(policy.flood)
        # The name of this instance (stable across restarts) and this life of it: the
        # outbox rows it claims carry both, so a restart knows its own abandoned rows.
        self.claimant = outbox.Claimant(policy.instance[:40], secrets.token_hex(4))

    bot_username = "WegwijsBot"  # replaced by the adapter with the real bot's username

    async def handle(self, event: Incoming) -> Outcome:
        """Answer one input; the database work is committed before anything is sent."""
        event = _storable(event)
        if not event.private and not self.router.wants(event):
            return Outcome()  # group chatter that is not for us: stay silent
        verdict = self.flood.check(event.user_id)
        if verdict != "pass":
            return await self._slow_down(event) if verdict == "trip" else Outcome()
        return await self.db.retrying(lambda: self._turn(event))

    async def _turn(self, event: Incoming) -> Outcome:
        """One attempt in one transaction: a retry after a lock starts again from nothing.

        An input from the inbox is marked handled first, in the same transaction: if the
        turn commits, no instance runs it again; if another instance's turn took it
        already (it outlived its lease), this one changes and says nothing.
        """
        async with self.db.session() as session:
            if event.update_id is not None and not await inbox.mark_handled(
                    session, event.update_id):
                return Outcome()
            user = await users.get_or_create(session, event.user_id)
            users.remember_name(user, event.first_name)
            if user.blocked_at is not None:
                user.blocked_at = None  # whoever writes to us has not blocked us (any more)
            chat_group = None if event.private else await groups.group_by_chat(
                session, event.chat_id)
            with use_locale(_locale(event, user.locale, chat_group)):
                turn = Turn(session, user, event, self.clock(), self.policy.timezone,
                            self.router, admins=self.policy.admin_ids,
                            bot_username=self.bot_username, chat_group=chat_group)
                await self.router.dispatch(turn)
                await _count_group_messages(turn)
                turn.outcome.queued = outbox_repo.queued(session)
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
        """A new life begins: settle what earlier lives of this instance were sending, then
        what features need at startup (e.g. every group has its next Monday job)."""
        self.claimant = outbox.Claimant(self.claimant.name, secrets.token_hex(4))
        await self.recover_claims()
        for handler in self.router.startups:  # one instance at a time: none writes twice
            async with self.db.session() as session:
                await locks.serialise(session, locks.STARTUP)
                await handler(session, self.clock(), self.policy.timezone)

    async def recover_claims(self) -> int:
        """Rows another instance (or an earlier life of this one) left `sending` when it
        died: settled, so their chats are free again (see bot.core.outbox.recover)."""
        async with self.db.session() as session:
            return await outbox.recover(session, self.router, self.clock(), self.claimant,
                                        self.policy.send_lease)

    async def run_due_jobs(self) -> int:
        """Run every job whose time has come, each in its own transaction; returns how many.

        A job is claimed and its work done in one transaction: if two timers fire, or the
        process dies halfway, the job runs exactly once.
        """
        now = self.clock()
        async with self.db.session() as session:
            # group-chat sends older than Telegram's window no longer count against a chat
            await outbox_repo.forget_sends(session, now - outbox_repo.WINDOW)
            await budget.forget_chats(session)
            due = [(job.id, job.kind, job.ref) for job in await jobs.due(session, now)]
        ran = 0
        for job_id, kind, ref in due:
            async with self.db.session() as session:
                if kind in self.router.jobs and await jobs.take(session, job_id, now):
                    await self.router.jobs[kind](JobRun(session, ref, now, self.policy.timezone,
                                                        self.policy.admin_ids))
                    ran += 1
        return ran

    async def tick(self, index: int | None = None) -> bool:
        """The features' timed work (reminders falling due, broadcast reports): handler
        `index` of router.ticks, or all of them; each in its own transaction. True if any
        of it queued messages."""
        now, queued = self.clock(), False
        ticks = self.router.ticks if index is None else [self.router.ticks[index]]
        for handler, _seconds in ticks:
            async with self.db.session() as session:
                queued |= await handler(session, now, self.policy.timezone)
        return queued

    async def claim(self, busy: frozenset[int] = frozenset(), *, last_lane: int = max(outbox.Lane),
                    limit: int = 1) -> list[outbox.Outgoing]:
        """The most urgent outbound messages that may go now (see bot.core.outbox)."""
        async with self.db.session() as session:
            return await outbox.claim(session, self.router, self.clock(),
                                      self.policy.timezone, busy, owner=self.claimant.owner,
                                      last_lane=last_lane, limit=limit)

    async def report(self, item: outbox.Outgoing, result: outbox.Result) -> None:
        """How one outbound send went."""
        async with self.db.session() as session:
            await outbox.report(session, self.router, item, result, self.clock())

    async def keep(self, chat_id: int, replies: list[Reply]) -> int:
        """Replies Telegram could not take now go to the outbox, which sends them once the
        line is back; returns how many were kept. A file cannot wait there: it is dropped,
        and the person can ask for it again (so is a place on the map)."""
        texts = [reply for reply in replies if reply.document is None and reply.venue is None]
        async with self.db.session() as session:
            for reply in texts:
                rows = [[(b.label, b.data) for b in row] for row in reply.keyboard]
                await outbox_repo.queue_text(session, chat_id, reply.text, rows, ref=KEPT_REPLY,
                                             lane=outbox.Lane.URGENT)
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
        await outbox_repo.record_send(turn.session, turn.event.chat_id, turn.now)


def _hint(event: Incoming) -> str:
    """Before a language is chosen, Telegram's language setting is the best guess."""
    hint = (event.language_hint or "").split("-")[0].lower()
    return hint if hint in language_codes() else SOURCE_LANGUAGE
