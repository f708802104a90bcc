"""Sending a broadcast: one row per recipient, each worded in the recipient's language.

Starting a broadcast writes, in one transaction, a delivery per recipient (the broadcast's
own record, which its report counts) and a row in the one outbound queue
(bot.core.outbox) in the broadcast lane: the sender spends on it what replies, reminders
and notices leave of Telegram's budget. The queue tells `ended` how each row went. After a
crash a row cut off mid-send becomes `interrupted` and is not resent; every other row is
sent or still pending, so a restart continues where it stopped: nobody twice, nobody
skipped. The coordinator's report is one message, redrawn as numbers change.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.broadcasts.audience import recipients
from bot.core.outbox import Lane
from bot.core.ports import Reply
from bot.core.render import finish, format_html
from bot.i18n import FALLBACK_LANGUAGE, _, use_locale
from bot.storage import broadcasts as repo
from bot.storage import groups as group_repo
from bot.storage import outbox
from bot.storage.models import Broadcast, Delivery, User

log = logging.getLogger(__name__)
SOURCE = "broadcast"  # how the outbox names what it reports back to this module
REPORT_EVERY = 3.0  # seconds between redraws of the coordinators' reports
# How an outbox row's end is recorded on its delivery.
ENDINGS = {"sent": "sent", "blocked": "blocked", "failed": "failed",
           "interrupted": "interrupted", "expired": "failed"}


async def start(session: AsyncSession, broadcast: Broadcast, now: datetime) -> int:
    """Choose the recipients now and queue one row each; returns how many."""
    people = await recipients(session, broadcast.audience, broadcast.organisation_id,
                              broadcast.urgent)
    rows = await repo.add_deliveries(session, broadcast.id,
                                     [(p.user_id, p.chat_id, p.language) for p in people])
    await _queue(session, broadcast, rows)
    broadcast.state = "sending"
    await update_report(session, broadcast, now)
    return len(people)


async def _queue(session: AsyncSession, broadcast: Broadcast, rows: list[Delivery]) -> None:
    """One outbound row per delivery, worded once per language."""
    texts: dict[str, str] = {}
    for row in rows:
        if row.language not in texts:
            texts[row.language] = (await preview(session, broadcast, row.language)).text
    await outbox.queue_many(session, [
        {"chat_id": row.chat_id, "user_id": row.user_id, "text": texts[row.language],
         "lane": Lane.BROADCAST, "source": SOURCE, "source_id": row.id} for row in rows])


async def requeue(session: AsyncSession, now: datetime, zone: ZoneInfo) -> None:
    """At startup: deliveries of running broadcasts that have no outbound row (written by
    a version before the one queue) get one, so nobody is skipped. Locked: an instance
    starting at the same moment waits, then finds them queued."""
    for broadcast in await repo.running(session, lock=True):
        orphans = await repo.unqueued(session, broadcast.id, SOURCE)
        if orphans:
            await _queue(session, broadcast, orphans)
            log.warning("broadcast %s: %s deliveries queued again", broadcast.id, len(orphans))


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


async def ended(session: AsyncSession, delivery_id: int, state: str, reason: str,
                now: datetime) -> None:
    """The outbox is done with one delivery: sent, or why not (a 403 has already marked
    the person blocked, so later broadcasts leave them out too)."""
    await repo.finish(session, delivery_id, ENDINGS[state], now,
                      None if state == "sent" else reason[:40])


async def cancel(session: AsyncSession, broadcast: Broadcast, now: datetime) -> None:
    """Stop a broadcast: what was not sent yet will not be."""
    await outbox.cancel_sources(session, SOURCE, repo.pending_ids(broadcast.id))
    await repo.cancel(session, broadcast.id, now)


async def update_reports(session: AsyncSession, now: datetime, _zone: ZoneInfo) -> bool:
    """Redraw the report of every running broadcast; close those that are done (a report
    another instance is redrawing now is left to it)."""
    changed = False
    for broadcast in await repo.running(session, skip_locked=True):
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
    with use_locale(author.locale or FALLBACK_LANGUAGE):
        text = finish(report_text(broadcast, counts))
    ref = f"b:{broadcast.id}"
    post = await outbox.by_ref(session, author.telegram_id, ref)
    if post is None:
        await outbox.queue_text(session, author.telegram_id, text, ref=ref, lane=Lane.NOTICE,
                                user_id=author.id)
        return True
    return await outbox.rewrite(session, post, text)


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
