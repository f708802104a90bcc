"""The one outbound queue: every message that is not the direct reply of the current turn.

Kept replies, reminders, journey follow-ups, check-ins, task boards, notices, overviews and
broadcast deliveries are all rows of the outbox table, written in the recipient's
language when queued (boards are drawn when sent). One `claim` hands the adapter's sender
the most urgent row that may go now; one `report` records a typed `Result` and tells the
feature that queued the row (its `source`) how it ended. Lanes order the work: a kept reply
or a crisis notice goes before a reminder, a reminder before a group notice, and a
broadcast takes what is left of Telegram's budget.

Each claim names its owner (the instance and this life of it) and the time. A crash
leaves the rows in flight `sending`; whoever finds them abandoned (the same instance when
it starts again, or any instance once the claim is older than the lease, longer than any
send can take) settles them: a new message is marked `interrupted` and not sent again (it
may have arrived: a second copy of "your appointment is in one hour" is worse than a log
line), while an edit is simply redone. A send that timed out after its request left is
settled the same way (`Result.interrupted`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntEnum
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.ports import Button, Keyboard, Reply
from bot.core.render import finish
from bot.core.router import Router
from bot.i18n import FALLBACK_LANGUAGE, use_locale
from bot.storage import outbox as repo
from bot.storage import users
from bot.storage.models import Post, User

log = logging.getLogger(__name__)
RETRY_LIMIT = 5  # tries of one row before it fails for good (429s and network errors)


class Lane(IntEnum):
    """Who goes first when Telegram's budget is short (lower first)."""

    URGENT = 0  # a reply that waited for the line, a notice about someone in danger
    REMINDER = 1  # appointments, follow-ups, check-ins: late is useless
    NOTICE = 2  # task boards, group notices, answers from helpers, overviews
    BROADCAST = 3  # thousands of rows: they take what the others leave


@dataclass(frozen=True)
class Outgoing:
    """One claimed row, ready to send (message_id set: redraw that message instead)."""

    post_id: int
    revision: int
    chat_id: int
    message_id: int | None
    lane: Lane
    attempts: int
    reply: Reply


@dataclass(frozen=True)
class Result:
    """What Telegram said about one send, in the core's words."""

    state: Literal["sent", "retry", "blocked", "failed", "interrupted"]
    message_id: int | None = None
    after: timedelta = timedelta()
    reason: str = ""

    @classmethod
    def sent(cls, message_id: int) -> Result:
        """Telegram has it (or the redrawn message already showed it)."""
        return cls("sent", message_id)

    @classmethod
    def retry(cls, after: timedelta, reason: str) -> Result:
        """A 429 or a network error: try again after `after`."""
        return cls("retry", after=after, reason=reason)

    @classmethod
    def blocked(cls) -> Result:
        """403: the person blocked the bot (or the bot left the chat)."""
        return cls("blocked", reason="blocked")

    @classmethod
    def failed(cls, reason: str) -> Result:
        """400: this message can never go (chat not found, bad markup)."""
        return cls("failed", reason=reason)

    @classmethod
    def interrupted(cls, reason: str) -> Result:
        """No answer after the request left: it may have arrived, so it is not sent again."""
        return cls("interrupted", reason=reason)


@dataclass(frozen=True)
class Claimant:
    """Who claims rows: `name/life`; `name` stays across restarts, `life` is new each start."""

    name: str
    life: str

    @property
    def owner(self) -> str:
        """What claimed rows are marked with."""
        return f"{self.name}/{self.life}"


async def claim(session: AsyncSession, router: Router, now: datetime, zone: ZoneInfo,
                busy: frozenset[int] = frozenset(), *, owner: str, last_lane: int = max(Lane),
                limit: int = 1) -> list[Outgoing]:
    """Up to `limit` of the most urgent rows (lane ≤ `last_lane`) that may go now, each to
    a different chat without a send in flight in any instance (group chats within
    Telegram's 20 a minute, counted in the database across processes; private chats are
    paced by the sender). Claims are serialised across instances (repo.lock_claims)."""
    taken: list[Outgoing] = []
    chats = set(busy)
    today = now.astimezone(zone).date()
    await repo.lock_claims(session)
    for post, blocked_at in await repo.due(session, now, tuple(busy), last_lane):
        if len(taken) == limit:
            break
        if post.chat_id in chats:
            continue
        if post.expires_at is not None and now >= post.expires_at:
            await _end(session, router, post, "expired", reason="too late", now=now)
        elif blocked_at is not None and post.lane != Lane.URGENT:
            await _end(session, router, post, "blocked", reason="blocked", now=now)
        elif await repo.take(session, post.id, owner, now):
            chats.add(post.chat_id)
            taken.append(Outgoing(post.id, post.revision, post.chat_id, post.message_id,
                                  Lane(post.lane), post.attempts + 1,
                                  await draw(session, router, post, today)))
    return taken


async def report(session: AsyncSession, router: Router, item: Outgoing, result: Result,
                 now: datetime) -> None:
    """Record how one send went; the feature that queued it hears how it ended."""
    post = await session.get(Post, item.post_id)
    if post is None:
        return  # erased meanwhile (the person deleted their data)
    if result.state == "sent":
        await repo.mark_sent(session, post.id, item.revision, result.message_id or 0, now)
        if post.chat_id < 0:
            await repo.record_send(session, post.chat_id, now)
        await _tell(session, router, post, "sent", reason="", now=now)
    elif result.state == "retry" and item.attempts < RETRY_LIMIT:
        await repo.retry(session, post.id, now + result.after, result.reason)
        log.warning("outbox %s: %s, retry in %ss (attempt %s)", post.id, result.reason,
                    result.after.total_seconds(), item.attempts)
    elif result.state == "blocked":
        await users.mark_blocked(session, post.chat_id, now)
        await _end(session, router, post, "blocked", reason="blocked", now=now)
    elif result.state == "interrupted":
        log.warning("outbox %s: %s; not resent (it may have arrived)", post.id, result.reason)
        await _end(session, router, post, "interrupted", reason=result.reason, now=now)
    else:
        await _end(session, router, post, "failed", reason=result.reason or "network", now=now)


async def recover(session: AsyncSession, router: Router, now: datetime, me: Claimant,
                  lease: timedelta) -> int:
    """Rows a stopped instance was sending: an earlier life of this one, or any other whose
    claim is older than `lease` (it would have reported by now). Edits are redone; new
    messages are not sent again (they may have arrived). Returns how many were settled."""
    interrupted = 0
    found = await repo.abandoned(session, me.owner, f"{me.name}/", now - lease)
    for post in found:
        if post.message_id is not None:
            post.state = "active"
        else:
            interrupted += 1
            await _end(session, router, post, "interrupted", reason="process stopped mid-send",
                       now=now)
    if interrupted:
        log.warning("%s messages were being sent when an instance stopped; not resent",
                    interrupted)
    return len(found)


async def _end(session: AsyncSession, router: Router, post: Post, state: str, *, reason: str,
               now: datetime) -> None:
    """A row that will not be sent (again)."""
    await repo.settle(session, post.id, state, reason)
    if state == "failed":
        log.error("outbox %s failed: %s", post.id, reason)
    await _tell(session, router, post, state, reason=reason, now=now)


async def _tell(session: AsyncSession, router: Router, post: Post, state: str, *,
                reason: str, now: datetime) -> None:
    """The feature that queued the row records the end in its own table."""
    hook = router.outbox_results.get(post.source or "")
    if hook is not None and post.source_id is not None:
        await hook(session, post.source_id, state, reason, now)


async def draw(session: AsyncSession, router: Router, post: Post, today: date) -> Reply:
    """Text rows were worded when queued; other kinds are drawn now by their feature."""
    renderer = router.post_renderers.get(post.kind)
    if renderer is not None:
        return await renderer(session, post, today)
    rows = tuple(tuple(Button(label, data) for label, data in row) for row in post.keyboard)
    return Reply(post.text or "", rows)


async def tell(session: AsyncSession, user: User, render: Callable[[], str],
               keyboard: Callable[[], Keyboard] = lambda: (), *, ref: str | None = None,
               lane: Lane = Lane.NOTICE) -> None:
    """A private message to someone else, written in their language."""
    with use_locale(user.locale or FALLBACK_LANGUAGE):
        text, buttons = finish(render()), keyboard()
        rows = [[(finish(b.label), b.data) for b in row] for row in buttons]
    await repo.queue_text(session, user.telegram_id, text, rows, ref=ref, lane=lane,
                         user_id=user.id)
