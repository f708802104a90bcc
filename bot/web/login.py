"""Logging in with the one-time link from /dashboard, logging out, and the language.

Opening the link shows a page with one button; only pressing it (a POST) uses the link, so
a link preview or a mail scanner that fetches the URL cannot spend it. Wrong, used or
expired links are refused and counted: ten from one place in 15 minutes and that place
waits (429).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.core.dashboard import hash_token, may_use
from bot.core.permissions import actor_for
from bot.i18n import _, use_locale
from bot.storage import dashboard as repo
from bot.storage.models import User
from bot.web import auth
from bot.web.site import Dashboard, Visit, lead, render

TOKEN_FIELD = "token"
TOKEN_LONGEST = 64  # characters; real tokens have 22


async def open_link(request: Request) -> Response:
    """GET /login/<token>: a button that logs in, if the link would work."""
    dashboard: Dashboard = request.app.state.dashboard
    token = str(request.path_params["token"])[:TOKEN_LONGEST]
    with use_locale(auth.browser_language(request)):
        refusal = await _throttled(dashboard, request)
        if refusal is not None:
            return refusal
        async with dashboard.core.db.session() as session:
            valid = await repo.login_valid(session, hash_token(token), dashboard.now())
            if not valid:
                await repo.record_failure(session, auth.source(request), dashboard.now(),
                                          auth.FAILURE_WINDOW)
        if not valid:
            return _refused(dashboard)
        return render(dashboard, "login.html", token=token)


async def log_in(request: Request) -> Response:
    """POST /login: the link is used (once), a session begins, the inbox opens."""
    dashboard: Dashboard = request.app.state.dashboard
    form = await request.form()
    token = str(form.get(TOKEN_FIELD, ""))[:TOKEN_LONGEST]
    with use_locale(auth.browser_language(request)):
        refusal = await _throttled(dashboard, request)
        if refusal is not None:
            return refusal
        cookie = auth.new_cookie()
        async with dashboard.core.db.session() as session:
            now = dashboard.now()
            user_id = await repo.use_login(session, hash_token(token), now) if token else None
            user = await session.get(User, user_id) if user_id else None
            allowed = user is not None and may_use(await actor_for(
                session, user, dashboard.core.policy.admin_ids))
            if user is not None and allowed:
                await repo.forget_expired(session, now)
                await repo.add_session(session, user.id, hash_token(cookie),
                                       auth.session_language(user), now=now,
                                       lifetime=auth.SESSION_LIFETIME)
            else:
                await repo.record_failure(session, auth.source(request), now,
                                          auth.FAILURE_WINDOW)
        if not allowed:
            return _refused(dashboard)
        response = RedirectResponse(dashboard.config.path + "/inbox", status_code=303)
        auth.set_cookie(response, cookie, dashboard.config.path, dashboard.config.secure)
        return response


async def _throttled(dashboard: Dashboard, request: Request) -> Response | None:
    """Too many wrong links from this place lately: 429, and nothing is checked."""
    async with dashboard.core.db.session() as session:
        count = await repo.failures(session, auth.source(request), dashboard.now(),
                                    auth.FAILURE_WINDOW)
    if count < auth.FAILURE_LIMIT:
        return None
    return render(dashboard, "message.html", 429, title=_("Too many tries"),
                  text=_("Too many login links that do not work. Please wait 15 minutes."))


def _refused(dashboard: Dashboard) -> Response:
    return render(dashboard, "message.html", 400, title=_("This link does not work"),
                  text=_("This login link does not work: it was used already, it expired, "
                         "or it is not complete. Send /dashboard to the bot for a new one."))


async def log_out(visit: Visit) -> Response:
    """POST /logout: the session ends here and in the browser."""
    cookie = visit.request.cookies.get(auth.COOKIE, "")
    async with visit.dashboard.core.db.session() as session:
        await repo.end_session(session, hash_token(cookie))
    response = visit.go("/")
    auth.clear_cookie(response, visit.dashboard.config.path, visit.dashboard.config.secure)
    return response


async def choose_language(visit: Visit) -> Response:
    """POST /language: Dutch or English for this session."""
    form = await visit.request.form()
    language = str(form.get("language", ""))
    cookie = visit.request.cookies.get(auth.COOKIE, "")
    if language in auth.LANGUAGES:
        async with visit.dashboard.core.db.session() as session:
            await repo.set_language(session, hash_token(cookie), language)
    back = str(form.get("back", "/inbox"))
    return visit.go(back if back.startswith("/") and not back.startswith("//") else "/inbox")


def routes() -> list[BaseRoute]:
    """The routes that come before any page."""
    return [
        Route("/login/{token}", open_link, methods=["GET"]),
        Route("/login", log_in, methods=["POST"]),
        Route("/logout", lead(log_out), methods=["POST"]),
        Route("/language", lead(choose_language), methods=["POST"]),
    ]
