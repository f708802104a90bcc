"""📢 /broadcast for coordinators and admins: choose the audience with buttons, write the
message (and versions in other languages), preview it as a recipient would, send now or
later (bot.core.broadcasts.compose); and /broadcasts with the numbers.

Buttons name the broadcast; every press re-checks that the presser wrote it (or is an
admin).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import access, states
from bot.core.broadcasts import delivery
from bot.core.broadcasts.audience import reach
from bot.core.broadcasts.buttons import (
    BroadcastButton,
    OpenBroadcast,
    Report,
    ShowBroadcasts,
    StopBroadcast,
)
from bot.core.broadcasts.compose import COMPOSE, mine
from bot.core.menu import OpenMenu
from bot.core.ports import Button
from bot.core.router import JobRun, Press, Router, Turn
from bot.i18n import FALLBACK_LANGUAGE, _, backward
from bot.storage import audit
from bot.storage import broadcasts as repo
from bot.storage.models import Broadcast

HISTORY = 15  # broadcasts listed by /broadcasts


async def new(turn: Turn) -> None:
    """/broadcast: a draft to everyone the author reaches who is a newcomer."""
    organisation = reach(await access.actor(turn))
    if organisation is False:
        access.refuse(turn)
        return
    broadcast = Broadcast(author_id=turn.user.id, created_at=turn.now,
                          organisation_id=organisation if isinstance(organisation, int) else None,
                          audience={"roles": ["newcomer"]}, texts={},
                          fallback=turn.user.locale or FALLBACK_LANGUAGE)
    turn.session.add(broadcast)
    await turn.session.flush()
    await COMPOSE.go(turn, broadcast, "draft")


def _on(handler: Callable[[Turn, Broadcast], Awaitable[None]]) -> Press[BroadcastButton]:
    """The pressed broadcast, draft or sent, if the presser wrote it (or is an admin)."""

    async def press(turn: Turn, pressed: BroadcastButton) -> None:
        broadcast = await mine(turn, pressed.key)
        if broadcast is not None:
            await handler(turn, broadcast)

    return press


async def _open(turn: Turn, b: Broadcast) -> None:
    """Back and Cancel of the draft's screens; a sent broadcast shows its numbers."""
    turn.user.state = states.MENU
    await (COMPOSE.go(turn, b, "draft") if b.state == "draft" else _show_report(turn, b))


async def send_scheduled(run: JobRun) -> None:
    """The broadcast's moment has come (unless it was cancelled meanwhile)."""
    broadcast = await run.session.get(Broadcast, int(run.ref)) if run.ref.isdigit() else None
    if broadcast is not None and broadcast.state == "scheduled":
        await delivery.start(run.session, broadcast, run.now)


async def stop(session: AsyncSession, b: Broadcast, user_id: int, now: datetime) -> None:
    """Stop sending, or cancel a scheduled one (the bot's ✖️ and the dashboard's Stop)."""
    if b.state in ("sending", "scheduled"):
        await delivery.cancel(session, b, now)
        audit.record(session, user_id, "broadcast.cancel", now, broadcast=b.id)
        await delivery.update_report(session, b, now)


async def _cancel(turn: Turn, b: Broadcast) -> None:
    await stop(turn.session, b, turn.user.id, turn.now)
    await _show_report(turn, b)


async def _show_report(turn: Turn, b: Broadcast) -> None:
    counts = await repo.counts(turn.session, b.id)
    rows: list[tuple[Button, ...]] = []
    if b.state == "sending":
        rows.append((Button(_("✖️ Stop sending"), StopBroadcast(b.id).encode()),))
    rows.append((Button(backward(_("Back")), ShowBroadcasts().encode()),))
    turn.say(delivery.report_text(b, counts), tuple(rows))


async def history(turn: Turn) -> None:
    """/broadcasts: the author's broadcasts (an admin's: all), newest first, with numbers."""
    who = await access.actor(turn)
    if reach(who) is False:
        access.refuse(turn)
        return
    found = await repo.history(turn.session, None if who.admin else turn.user.id, HISTORY)
    rows = []
    for b in found:
        sent = (await repo.counts(turn.session, b.id)).get("sent", 0)
        rows.append((Button(f"#{b.id} · {b.created_at:%d-%m} · ✅ {sent}",
                            Report(b.id).encode()),))
    turn.say(_("<b>Broadcasts</b>") if found else _("<b>Broadcasts</b>\nNone yet."),
             (*rows, (Button(backward(_("Menu")), OpenMenu().encode()),)))


async def on_list(turn: Turn, _pressed: ShowBroadcasts) -> None:
    """The Back button of a report."""
    await history(turn)


def register(router: Router) -> None:
    """/broadcast, /broadcasts, the draft's dialog, the reports and the planned sending."""
    router.command("broadcast", new)
    router.command("broadcasts", history)
    COMPOSE.register(router)
    router.on(ShowBroadcasts, on_list)
    router.on(OpenBroadcast, _on(_open))
    router.on(StopBroadcast, _on(_cancel))
    router.on(Report, _on(_show_report))
    router.on_startup(delivery.requeue)
    router.every(delivery.REPORT_EVERY, delivery.update_reports)
    router.outbox_result(delivery.SOURCE, delivery.ended)
    router.job("broadcast", send_scheduled)
