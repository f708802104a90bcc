"""Invite links: t.me/<bot>?start=i_<token> to join a group (member or newcomer) or to coordinate.

Tokens carry 128 random bits and only their SHA-256 is stored. They expire, can be limited
in uses and revoked. Someone who keeps trying wrong tokens is slowed down. Joining is a
separate press after the person has read what the group will see (the newcomer's consent).
"""

from __future__ import annotations

import hashlib
import math
import secrets
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import states
from bot.core.groups import feed
from bot.core.payloads import Payload
from bot.core.ports import Button
from bot.core.render import format_html
from bot.core.router import Router, Turn
from bot.i18n import _, ngettext
from bot.storage import audit
from bot.storage import groups as group_repo
from bot.storage.models import Invite

TOKEN_BYTES = 16  # 128 bits
PREFIX = "i"
LIFETIME = {"member": timedelta(days=14), "newcomer": timedelta(days=14),
            "coordinator": timedelta(days=7)}
MAX_USES = {"member": 10, "newcomer": 2, "coordinator": 1}
FAILURE_WINDOW = timedelta(minutes=15)
FAILURE_LIMIT = 5  # wrong tokens per window before we stop checking


class InviteAnswer(Payload, prefix="inv"):
    """✅ Join (y) or No thanks (n)."""

    join: Literal["y", "n"]


def hash_token(token: str) -> str:
    """What is stored: a leaked database does not leak working invite links."""
    return hashlib.sha256(token.encode()).hexdigest()


def link(bot_username: str, token: str) -> str:
    """The deep link that opens the bot with this token."""
    return f"https://t.me/{bot_username}?start={PREFIX}_{token}"


async def create(turn: Turn, role: str, organisation_id: int, group_id: int | None) -> str:
    """A new invite; returns the link (the only time the token exists in clear)."""
    return await issue(turn.session, turn.user.id, turn.bot_username, role, organisation_id,
                       group_id=group_id, now=turn.now)


async def issue(session: AsyncSession, creator_id: int, bot_username: str, role: str,
                organisation_id: int, *, group_id: int | None, now: datetime) -> str:
    """A new invite made by `creator_id` (in the bot or on the dashboard), audited; the
    caller has checked that they may."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    await group_repo.add_invite(session, Invite(
        token_hash=hash_token(token), role=role, organisation_id=organisation_id,
        group_id=group_id, created_by=creator_id, created_at=now,
        expires_at=now + LIFETIME[role], max_uses=MAX_USES[role]))
    audit.record(session, creator_id, "invite.create", now, role=role,
                 organisation=organisation_id, group=group_id or 0)
    return link(bot_username, token)


def lifetime_note(role: str) -> str:
    """How long and how often an invite works, for the person who shares it."""
    days, uses = LIFETIME[role].days, MAX_USES[role]
    return ngettext("Valid for {days} days, for {uses} person.",
                    "Valid for {days} days, for up to {uses} people.", uses).format(
        days=days, uses=uses)


async def throttled(turn: Turn, kind: str) -> bool:
    """Too many wrong codes lately: say when to try again and check nothing."""
    count, until = await group_repo.failures(turn.session, turn.user.id, kind, turn.now,
                                             FAILURE_WINDOW)
    if count < FAILURE_LIMIT or until is None:
        return False
    minutes = max(1, math.ceil((until - turn.now).total_seconds() / 60))
    turn.say(ngettext("Too many wrong codes. Please wait {minutes} minute and try again.",
                      "Too many wrong codes. Please wait {minutes} minutes and try again.",
                      minutes).format(minutes=minutes))
    return True


async def failed(turn: Turn, kind: str) -> None:
    """Count a wrong code towards the slow-down."""
    await group_repo.record_failure(turn.session, turn.user.id, kind, turn.now, FAILURE_WINDOW)


def problem(invite: Invite | None, now: datetime) -> str | None:
    """Why an invite cannot be used, in words for the person holding it."""
    if invite is None or invite.revoked_at is not None:
        return _("This invite link does not work. Please ask the person who sent it for a new one.")
    if invite.expires_at <= now:
        return _("This invite link has expired. Please ask the person who sent it for a new one.")
    if invite.max_uses is not None and invite.uses >= invite.max_uses:
        return _("This invite link has been used up. Please ask the person who sent it for a "
                 "new one.")
    return None


async def redeem(turn: Turn) -> None:
    """/start i_<token>: check the token, then ask the person to confirm."""
    if await throttled(turn, "invite"):
        return
    token = turn.event.text.partition("_")[2]
    invite = await group_repo.invite_by_hash(turn.session, hash_token(token))
    trouble = problem(invite, turn.now)
    if trouble is not None or invite is None:
        await failed(turn, "invite")
        turn.say(trouble or "")
        await turn.resume()
        return
    turn.user.pending_invite_id = invite.id
    if turn.user.state not in (states.LANGUAGE, states.PRIVACY):
        turn.user.state = states.INVITE
    await turn.resume()


async def ask(turn: Turn) -> None:
    """What joining means, then Join / No thanks."""
    invite = await _pending(turn)
    if invite is None:
        return
    turn.say(await _offer(turn, invite),
             ((Button(_("✅ Join"), InviteAnswer("y").encode()),
               Button(_("No thanks"), InviteAnswer("n").encode())),))


async def _offer(turn: Turn, invite: Invite) -> str:
    """The invitation in words, naming the group or the organisation."""
    if invite.role == "coordinator":
        org = await group_repo.organisation(turn.session, invite.organisation_id)
        return format_html(_("You are invited to become a coordinator for <b>{organisation}</b>. "
                             "Coordinators create sponsor groups and see their tasks."),
                           organisation=org.name if org else "")
    group = await group_repo.group(turn.session, invite.group_id or 0)
    name = group.name if group else ""
    if invite.role == "newcomer":
        return format_html(_(
            "The sponsor group <b>{group}</b> would like to support you. If you join, the group "
            "sees your first name and the tasks they do with you. They do not see the questions "
            "you ask me. Do you want to join?"), group=name)
    return format_html(_(
        "You are invited to join the sponsor group <b>{group}</b> as a member. The group will "
        "see your first name and the tasks you take on."), group=name)


async def _pending(turn: Turn) -> Invite | None:
    """The invite the person is deciding on, if it still works; otherwise they move on."""
    found = await _invite(turn)
    trouble = problem(found, turn.now)
    if trouble is None and found is not None:
        return found
    turn.user.pending_invite_id = None
    turn.say(trouble or "")
    await _move_on(turn)
    return None


async def _invite(turn: Turn) -> Invite | None:
    pending = turn.user.pending_invite_id
    return await turn.session.get(Invite, pending) if pending else None


async def on_button(turn: Turn, answer: InviteAnswer) -> None:
    """Join or decline, only while an invite is really pending."""
    if turn.user.state != states.INVITE or turn.user.pending_invite_id is None:
        turn.notice(_("This invitation is no longer open."))
        return
    if answer.join == "y":
        await _accept(turn)
    else:
        turn.user.pending_invite_id = None
        await _move_on(turn)


async def _accept(turn: Turn) -> None:
    """Use the invite atomically (its last use cannot be taken twice), then join."""
    invite = await _pending(turn)
    if invite is None:
        return
    if not await group_repo.use_invite(turn.session, invite.id, turn.now):
        turn.user.pending_invite_id = None
        turn.say(problem(None, turn.now) or "")
        await _move_on(turn)
        return
    turn.user.pending_invite_id = None
    await group_repo.clear_failures(turn.session, turn.user.id, "invite")
    await _join(turn, invite)


async def _join(turn: Turn, invite: Invite) -> None:
    """Become coordinator, member or the group's newcomer."""
    turn.user.declared_role = invite.role
    turn.user.has_roles = True
    turn.memo.pop("actor", None)  # roles change now: load them again when next asked
    if invite.role == "coordinator":
        await group_repo.appoint(turn.session, turn.user.id, invite.organisation_id)
        turn.say(_("Welcome! You are now a coordinator. Open 👥 Groups in the menu."))
    else:
        group = await group_repo.group(turn.session, invite.group_id or 0)
        if group is None:
            return
        await group_repo.join(turn.session, group.id, turn.user.id, invite.role)
        turn.say(format_html(_("Welcome to <b>{group}</b>!"), group=group.name))
        name = turn.user.first_name or ""
        await feed.tell_group(turn.session, group, lambda: format_html(
            _("👋 {name} joined the group."), name=name), author=turn.user)
    await _move_on(turn)


async def _move_on(turn: Turn) -> None:
    """Back to where the person was: the rest of onboarding, or the menu."""
    if turn.user.onboarded_at is not None:
        turn.user.state = states.MENU
    elif turn.user.declared_role == "newcomer":
        turn.user.state = states.SITUATION
    elif turn.user.declared_role in ("member", "coordinator"):
        turn.user.onboarded_at, turn.user.state = turn.now, states.MENU
    else:
        turn.user.state = states.ROLE
    await turn.resume()


def register(router: Router) -> None:
    """Deep-link invites, the confirmation question, and its two buttons."""
    router.deep_link(PREFIX, redeem)
    router.prompt(states.INVITE, ask)
    router.on(InviteAnswer, on_button)
