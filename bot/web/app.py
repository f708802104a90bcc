"""The dashboard as one ASGI app: the login routes, the pages of `bot.web.pages`, the
static files (htmx, the style sheet), and the security headers on every answer."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.i18n import _, use_locale
from bot.web import auth, login
from bot.web.site import HERE, Dashboard, Page, SecurityHeaders, render


def build(dashboard: Dashboard, pages: Sequence[Page]) -> Starlette:
    """The dashboard as one ASGI app, to mount at the public URL's path."""
    dashboard.pages = list(pages)
    routes: list[BaseRoute] = [
        *login.routes(),
        Route("/", home, methods=["GET"], name="home"),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    for page in pages:
        routes.extend(page.routes)
    app = Starlette(routes=routes)
    app.state.dashboard = dashboard
    app.add_middleware(SecurityHeaders)
    return app


def mounted(dashboard: Dashboard, pages: Sequence[Page]) -> list[BaseRoute]:
    """The routes to add to a server: the dashboard under its public URL's path."""
    return [Mount(dashboard.config.path, app=build(dashboard, pages))]


async def home(request: Request) -> Response:
    """Logged in: the inbox; otherwise how to log in."""
    dashboard: Dashboard = request.app.state.dashboard
    viewer = await auth.viewer(request, dashboard.core)
    if viewer is not None:
        return RedirectResponse(dashboard.config.path + "/inbox", status_code=303)
    with use_locale(auth.browser_language(request)):
        return render(dashboard, "message.html", title=_("Wegwijs dashboard"),
                      text=_("To log in, send /dashboard to the bot in a private chat. It "
                             "answers with a link that works once, for 10 minutes."))
