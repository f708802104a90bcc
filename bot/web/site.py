"""What every dashboard page shares: who is asking (checked on the server for every
request), the page record, templates in the viewer's language, and security headers.

A page is a handler `(Visit) -> Response` wrapped by `lead`: no session → the login help;
a session whose person is no longer an admin or coordinator → 403; a POST without the
session's CSRF token → 403. The viewer's language is set for the whole request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.config import Dashboard as DashboardConfig
from bot.core.engine import Core
from bot.core.journeys.schema import Journey
from bot.i18n import _, current_locale, ngettext, use_locale
from bot.web import auth
from bot.web.auth import Viewer

HERE = Path(__file__).resolve().parent
HEADERS = [
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; "
     b"style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; "
     b"base-uri 'none'"),
    (b"referrer-policy", b"no-referrer"),  # a login link's path never travels on
    (b"x-content-type-options", b"nosniff"),
    (b"cache-control", b"no-store"),
]


@dataclass
class Dashboard:
    """What the pages need: the core (database, clock, policy), the settings, the sender's
    wake-up call, and the journeys (for the insights' funnels)."""

    core: Core
    config: DashboardConfig
    wake: Callable[[], None] = lambda: None
    journeys: dict[str, Journey] = field(default_factory=dict)
    pages: list[Page] = field(default_factory=list)  # set by bot.web.app.build
    templates: Environment = field(init=False)

    def __post_init__(self) -> None:
        self.templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                                     autoescape=select_autoescape(default=True),
                                     extensions=["jinja2.ext.i18n"])
        self.templates.install_gettext_callables(_, ngettext)  # type: ignore[attr-defined]
        self.templates.globals["base"] = self.config.path

    def now(self) -> datetime:
        """The core's clock (fixed or moving in tests)."""
        return self.core.clock()


@dataclass
class Visit:
    """One request by a logged-in lead: the request, who, and the dashboard."""

    request: Request
    viewer: Viewer
    dashboard: Dashboard

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        """A page (or an htmx fragment) in the viewer's language."""
        here = self.request.url.path.removeprefix(self.dashboard.config.path) or "/"
        return render(self.dashboard, template, status, viewer=self.viewer, here=here,
                      **values)

    def today(self) -> date:
        """Today in the bot's time zone (last-checked dates and due checks are local days)."""
        return self.dashboard.now().astimezone(self.dashboard.core.policy.timezone).date()

    def go(self, path: str) -> RedirectResponse:
        """After a POST: to a page of the dashboard (303, so a reload does not post again)."""
        return RedirectResponse(self.dashboard.config.path + path, status_code=303)

    def not_found(self) -> HTMLResponse:
        """The same answer for "not yours" and "not there": nothing leaks."""
        return self.render("message.html", 404, title=_("Not found"),
                           text=_("This page does not exist, or it is not yours to see."))


Handler = Callable[[Visit], Awaitable[Response]]


def render(dashboard: Dashboard, template: str, status: int = 200,
           **values: Any) -> HTMLResponse:
    """Render in the current language (set by `lead` or by the login pages)."""
    page = dashboard.templates.get_template(template)
    values.setdefault("here", "/")
    return HTMLResponse(page.render(lang=current_locale(), pages=dashboard.pages, **values),
                        status_code=status)


def lead(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Only for a live session of an admin or coordinator; POSTs carry the CSRF token."""

    async def endpoint(request: Request) -> Response:
        dashboard: Dashboard = request.app.state.dashboard
        viewer = await auth.viewer(request, dashboard.core)
        if viewer is None:
            return RedirectResponse(dashboard.config.path + "/", status_code=303)
        visit = Visit(request, viewer, dashboard)
        with use_locale(viewer.language):
            if not viewer.allowed:
                return visit.render("message.html", 403, title=_("No access"),
                                    text=_("The dashboard is for coordinators and admins."))
            if request.method == "POST" and not await auth.csrf_ok(request, viewer):
                return visit.render("message.html", 403, title=_("Refused"), text=_(
                    "This form has expired. Reload the page and try again."))
            return await handler(visit)

    return endpoint


@dataclass(frozen=True)
class Page:
    """A page of the dashboard: its place in the navigation and its routes. The pages are
    listed in `bot.web.pages` (a new page, like the directory, is one line there)."""

    name: str
    label: str  # an N_() msgid
    path: str
    routes: Sequence[BaseRoute]
    admins_only: bool = False

    def shown_to(self, viewer: Viewer) -> bool:
        """Whether the page is in this viewer's navigation."""
        return viewer.actor.admin or not self.admins_only


class SecurityHeaders:
    """CSP (our own scripts and styles only), no referrer, no caching, on every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)
