"""Who is asking: the session cookie (only its hash is stored), the person's roles as the
bot's permission table sees them, the CSRF token of the session, and the slow-down for
wrong login links.

The cookie holds 256 random bits, is HttpOnly and SameSite=Strict (Secure behind HTTPS)
and lasts 12 hours. The CSRF token is derived from the cookie (an HMAC), so it needs no
storage and changes with every login.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from bot.core.dashboard import hash_token, may_use
from bot.core.engine import Core
from bot.core.permissions import Actor, actor_for
from bot.storage import dashboard as repo
from bot.storage.models import User

COOKIE = "wegwijs_dashboard"
SESSION_LIFETIME = timedelta(hours=12)
SESSION_BYTES = 32
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
FAILURE_WINDOW = timedelta(minutes=15)
FAILURE_LIMIT = 10  # wrong login links from one place per window, then 429
LANGUAGES = ("nl", "en")
# Failed logins are counted under a keyed hash of the address: nothing stored can be
# turned back into an address (the key lives only in this process).
_SOURCE_KEY = secrets.token_bytes(32)


@dataclass(frozen=True)
class Viewer:
    """A logged-in person: who, their roles, the session's language and CSRF token."""

    user: User
    actor: Actor
    language: str
    csrf: str

    @property
    def allowed(self) -> bool:
        """Still an admin or coordinator (a role taken away ends the access at once)."""
        return may_use(self.actor)


def csrf_for(cookie: str) -> str:
    """The session's CSRF token."""
    return hmac.new(cookie.encode(), b"csrf", hashlib.sha256).hexdigest()


async def viewer(request: Request, core: Core) -> Viewer | None:
    """The person behind the request's cookie, or None without a live session."""
    cookie = request.cookies.get(COOKIE, "")
    if not cookie:
        return None
    async with core.db.session() as session:
        found = await repo.live_session(session, hash_token(cookie), core.clock())
        user = await session.get(User, found.user_id) if found else None
        if found is None or user is None:
            return None
        actor = await actor_for(session, user, core.policy.admin_ids)
        return Viewer(user, actor, found.language, csrf_for(cookie))


async def csrf_ok(request: Request, viewer: Viewer) -> bool:
    """A POST carries the session's token, as a form field or (htmx) a header."""
    given = request.headers.get(CSRF_HEADER, "")
    if not given:
        form = await request.form()
        value = form.get(CSRF_FIELD, "")
        given = value if isinstance(value, str) else ""
    return bool(given) and hmac.compare_digest(given, viewer.csrf)


def new_cookie() -> str:
    """A fresh session cookie value."""
    return secrets.token_urlsafe(SESSION_BYTES)


def set_cookie(response: Response, value: str, path: str, secure: bool) -> None:
    """HttpOnly, SameSite=Strict, Secure behind HTTPS, 12 hours, only for the dashboard."""
    response.set_cookie(COOKIE, value, max_age=int(SESSION_LIFETIME.total_seconds()),
                        path=path or "/", secure=secure, httponly=True, samesite="strict")


def clear_cookie(response: Response, path: str, secure: bool) -> None:
    """Logged out: the browser forgets the cookie too."""
    response.delete_cookie(COOKIE, path=path or "/", secure=secure, httponly=True,
                           samesite="strict")


def source(request: Request) -> str:
    """Where a login attempt came from, as a keyed hash (never the address itself)."""
    address = request.client.host if request.client else "?"
    return hmac.new(_SOURCE_KEY, address.encode(), hashlib.sha256).hexdigest()


def browser_language(request: Request) -> str:
    """Before login: Dutch, unless the browser prefers English."""
    wanted = request.headers.get("accept-language", "").lower()
    return "en" if wanted.startswith("en") else "nl"


def session_language(user: User) -> str:
    """The dashboard speaks Dutch or English: the person's own if it is one of them."""
    return user.locale if user.locale in LANGUAGES else "nl"
