"""/dashboard: a coordinator or admin gets a one-time link that logs them in to the web
dashboard (bot/web). The link carries 128 random bits; only their SHA-256 is stored; it
works once, within ten minutes, and only in a private chat (a group chat would show it
to everyone there).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import access
from bot.core.permissions import Actor
from bot.core.render import format_html
from bot.core.router import Handler, Router, Turn
from bot.i18n import _
from bot.storage import dashboard as repo
from bot.storage.models import User

TOKEN_BYTES = 16  # 128 bits
LINK_LIFETIME = timedelta(minutes=10)


def hash_token(token: str) -> str:
    """What is stored of a link or a session cookie."""
    return hashlib.sha256(token.encode()).hexdigest()


def may_use(actor: Actor) -> bool:
    """The dashboard is for admins and coordinators (the bot's own rule for leads)."""
    return actor.admin or actor.coordinator


async def issue(session: AsyncSession, user: User, now: datetime) -> str:
    """A new one-time login token for this person (returned once, stored as a hash)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    await repo.add_login(session, user.id, hash_token(token), now, LINK_LIFETIME)
    return token


def command(base_url: str | None) -> Handler:
    """The /dashboard handler for a dashboard at `base_url` (None: not switched on)."""

    async def dashboard(turn: Turn) -> None:
        if not turn.event.private or not may_use(await access.actor(turn)):
            access.refuse(turn)
            return
        if base_url is None:
            turn.say(_("The web dashboard is not switched on for this bot."))
            return
        token = await issue(turn.session, turn.user, turn.now)
        turn.say(format_html(_("Your login link for the dashboard (works once, for 10 "
                               "minutes; do not share it):\n{link}"),
                             link=f"{base_url}/login/{token}"))

    return dashboard


def register(router: Router, base_url: str | None) -> None:
    """/dashboard (not in the command menu: only leads can use it)."""
    router.command("dashboard", command(base_url))
