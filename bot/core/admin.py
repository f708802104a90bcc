"""Admin tools: read the audit log, and erase a person's data on their request."""

from __future__ import annotations

from typing import Annotated

from babel.dates import format_datetime

from bot.core import access, fallback
from bot.core.menu import OpenMenu
from bot.core.payloads import Number, Payload
from bot.core.ports import Button
from bot.core.render import format_html
from bot.core.router import Router, Turn
from bot.i18n import _, backward, current_locale
from bot.storage import audit, users
from bot.storage.models import AuditEntry, User

AUDIT_PAGE = 30


class Erase(Payload, prefix="adm", action="erase"):
    """🗑 Yes, erase: the person's Telegram user id (they run past nine digits)."""

    telegram_id: Annotated[int, Number(longest=18)]


async def show_audit(turn: Turn) -> None:
    """/audit: the newest coordinator and admin actions (ids and counts, never texts)."""
    if not (await access.actor(turn)).admin:
        access.refuse(turn)
        return
    lines = [_line(turn, entry, actor) for entry, actor in await audit.recent(turn.session,
                                                                              AUDIT_PAGE)]
    turn.say("\n".join([_("<b>Audit log</b> (newest first)"), *lines])
             if lines else _("The audit log is empty."))


def _line(turn: Turn, entry: AuditEntry, actor: User | None) -> str:
    when = format_datetime(entry.at.astimezone(turn.timezone), "yyyy-MM-dd HH:mm",
                           locale=current_locale())
    who = f"{actor.first_name or '?'} (#{actor.id})" if actor else "—"
    details = " ".join(f"{key}={value}" for key, value in sorted(entry.detail.items()))
    return format_html("{when} · {who} · <code>{action}</code> {details}", when=when, who=who,
                       action=entry.action, details=details)


async def ask_erase(turn: Turn) -> None:
    """/erase <Telegram user id>: an admin erases someone who asked by other means."""
    if not (await access.actor(turn)).admin:
        access.refuse(turn)
        return
    target = turn.event.text.strip()
    person = await users.get_by_telegram_id(turn.session, _telegram_id(target))
    if person is None:
        turn.say(_("Send /erase followed by the person's Telegram user id, for example: "
                   "/erase 123456789. No one with that id uses Wegwijs."))
        return
    turn.say(format_html(_("Erase all data of {name} (#{number})? This cannot be undone."),
                         name=person.first_name or "?", number=person.id),
             ((Button(_("🗑 Yes, erase"), Erase(person.telegram_id).encode()),),
              (Button(_("No, keep it"), OpenMenu().encode()),)))


async def on_button(turn: Turn, pressed: Erase) -> None:
    """Admin rights are checked again at the press."""
    person = await users.get_by_telegram_id(turn.session, pressed.telegram_id)
    if not (await access.actor(turn)).admin:
        access.refuse(turn)
        return
    if person is None or person.id == turn.user.id:
        await fallback.stale(turn)
        return
    audit.record(turn.session, turn.user.id, "user.erase", turn.now, user=person.id)
    await users.erase(turn.session, person)
    turn.say(_("Erased. Nothing about this person is stored any more."),
             ((Button(backward(_("Menu")), OpenMenu().encode()),),))


def _telegram_id(value: str) -> int:
    """A Telegram user id typed or carried by a button; 0 (nobody) for anything else, such
    as "²" (a digit to str.isdigit(), not to int()) or a number too big for the database."""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else 0


def register(router: Router) -> None:
    """/audit and /erase (admins only; not shown in the command menu)."""
    router.command("audit", show_audit)
    router.command("erase", ask_erase)
    router.on(Erase, on_button)
