"""Sending a broadcast: one row per recipient, claimed before sending, each in its language.

Starting a broadcast writes every recipient's row in one transaction. The adapter's
sender claims rows (pending → sending) at Telegram's pace and reports each result. After
a crash, rows left `sending` become `interrupted` and are not resent; every other row is
either sent or still pending, so a restart continues where it stopped: nobody twice,
nobody skipped. The coordinator's report is one message, redrawn as numbers change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.broadcasts.audience import recipients
from bot.core.ports import Reply
from bot.core.render import finish, format_html
from bot.i18n import _, use_locale
from bot.storage import broadcasts as repo
from bot.storage import groups as group_repo
from bot.storage import outbox
from bot.storage.models import Broadcast, Delivery, Post, User

log = logging.getLogger(__name__)
RETRY_LIMIT = 5


@dataclass(frozen=True)
class Outgoing:
    """One claimed delivery, ready to send."""

    delivery_id: int
    broadcast_id: int
    chat_id: int
    reply: Reply
    attempts: int


async def start(session: AsyncSession, broadcast: Broadcast, now: datetime) -> int:
    """Choose the recipients now and queue one row each; returns how many."""
    people = await recipients(session, broadcast.audience, broadcast.organisation_id,
                              broadcast.urgent)
    await repo.add_deliveries(session, broadcast.id,
                              [(p.user_id, p.chat_id, p.language) for p in people])
    broadcast.state = "sending"
    await update_report(session, broadcast, now)
    return len(people)


async def claim(session: AsyncSession, now: datetime, limit: int) -> list[Outgoing]:
    """Rows to send now, each worded for its recipient."""
    rows = await repo.claim(session, now, limit)
    cache: dict[int, Broadcast | None] = {}
    ready = []
    for row in rows:
        if row.broadcast_id not in cache:
            cache[row.broadcast_id] = await session.get(Broadcast, row.broadcast_id)
        broadcast = cache[row.broadcast_id]
        if broadcast is not None:
            ready.append(Outgoing(row.id, row.broadcast_id, row.chat_id,
                                  await preview(session, broadcast, row.language), row.attempts))
    return ready


async def preview(session: AsyncSession, broadcast: Broadcast, language: str) -> Reply:
    """What a reader of `language` gets: their version, or the fallback with a note."""
    heading = await _heading(session, broadcast)
    text = broadcast.texts.get(language)
    with use_locale(language):
        body = format_html("📢 <b>{heading}</b>\n{text}", heading=heading,
                           text=text or broadcast.texts.get(broadcast.fallback, ""))
        if text is None:
            body += "\n\n" + _("ℹ️ This message is not available in your language yet.")
        return Reply(finish(body))


async def _heading(session: AsyncSession, broadcast: Broadcast) -> str:
    """Who it is from: the organisation, or Wegwijs for an admin's broadcast."""
    if broadcast.organisation_id is None:
        return "Wegwijs"
    organisation = await group_repo.organisation(session, broadcast.organisation_id)
    return organisation.name if organisation else "Wegwijs"


async def sent(session: AsyncSession, item: Outgoing, now: datetime) -> None:
    """Telegram has it."""
    await repo.finish(session, item.delivery_id, "sent", now)


async def blocked(session: AsyncSession, item: Outgoing, now: datetime) -> None:
    """403: the person blocked the bot; they are left out of later broadcasts too."""
    await repo.finish(session, item.delivery_id, "blocked", now, "blocked")
    row = await session.get(Delivery, item.delivery_id)
    user = await session.get(User, row.user_id) if row and row.user_id else None
    if user is not None:
        user.blocked_at = now


async def failed(session: AsyncSession, item: Outgoing, now: datetime, reason: str) -> None:
    """400 (chat not found and the like): not retried."""
    await repo.finish(session, item.delivery_id, "failed", now, reason[:40])
    log.warning("broadcast %s delivery %s failed: %s", item.broadcast_id, item.delivery_id,
                reason)


async def later(session: AsyncSession, item: Outgoing, now: datetime, wait: timedelta) -> None:
    """429 or a network error: pending again after `wait`; failed after RETRY_LIMIT tries."""
    if item.attempts >= RETRY_LIMIT:
        await failed(session, item, now, "network")
        return
    await repo.later(session, item.delivery_id, now + wait)


async def update_reports(session: AsyncSession, now: datetime) -> bool:
    """Redraw the report of every running broadcast; close those that are done."""
    changed = False
    for broadcast in await repo.running(session):
        counts = await repo.counts(session, broadcast.id)
        if not counts.get("pending") and not counts.get("sending"):
            broadcast.state, broadcast.finished_at = "done", now
        changed |= await update_report(session, broadcast, now)
    return changed


async def update_report(session: AsyncSession, broadcast: Broadcast, now: datetime) -> bool:
    """The author's status message: created once, then edited (through the outbox)."""
    author = await session.get(User, broadcast.author_id) if broadcast.author_id else None
    if author is None:
        return False
    counts = await repo.counts(session, broadcast.id)
    with use_locale(author.locale or "nl"):
        text = finish(report_text(broadcast, counts))
    post = (await session.scalars(select(Post).where(
        Post.chat_id == author.telegram_id, Post.ref == f"b:{broadcast.id}"))).first()
    if post is None:
        await outbox.queue_text(session, author.telegram_id, text, ref=f"b:{broadcast.id}")
        return True
    if post.text == text:
        return False
    post.text, post.revision = text, post.revision + 1
    return True


def report_text(broadcast: Broadcast, counts: dict[str, int]) -> str:
    """Sent / waiting / blocked / failed, in the reader's language."""
    title = (_("📢 <b>Broadcast #{number}: finished</b>") if broadcast.state == "done"
             else _("📢 <b>Broadcast #{number}: sending…</b>") if broadcast.state == "sending"
             else _("📢 <b>Broadcast #{number}</b>")).format(number=broadcast.id)
    waiting = counts.get("pending", 0) + counts.get("sending", 0)
    lost = counts.get("failed", 0) + counts.get("interrupted", 0)
    return title + "\n" + _("✅ sent {sent} · ⏳ waiting {waiting} · 🚫 blocked {blocked} · "
                            "⚠️ failed {failed}").format(
        sent=counts.get("sent", 0), waiting=waiting, blocked=counts.get("blocked", 0),
        failed=lost)


async def recover(session: AsyncSession, now: datetime, zone: ZoneInfo) -> None:
    """At startup: deliveries cut off mid-send are not resent."""
    count = await repo.interrupted(session)
    if count:
        log.warning("%s broadcast deliveries were in flight when the process stopped", count)
