"""🧾 Audit: the actions already logged (groups, invites, broadcasts, erasures, retention),
newest first, filtered by kind and period. Admins see every entry; a coordinator sees the
entries of their organisation's coordinators (themselves included). Entries hold ids
and counts only, never message texts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response
from starlette.routing import Route

from bot.i18n import N_
from bot.storage import audit as repo
from bot.storage import groups as group_repo
from bot.web import shown
from bot.web.site import Page, Visit, lead

PERIODS = (1, 7, 30, 365)  # days the filter offers
SHOWN = 200


async def _actors(session: AsyncSession, visit: Visit) -> list[int] | None:
    """Whose entries this viewer may read (None: everyone's, for admins)."""
    actor = visit.viewer.actor
    if actor.admin:
        return None
    people = {visit.viewer.user.id}
    for organisation in actor.organisations:
        people |= {u.id for u in await group_repo.coordinators_of(session, organisation)}
    return sorted(people)


async def audit(visit: Visit) -> Response:
    """GET /audit?action=…&days=…: the filter is in the query (no personal data in it)."""
    query = visit.request.query_params
    days_given = query.get("days", "")
    days = int(days_given) if days_given.isdigit() and int(days_given) in PERIODS else 30
    since = visit.dashboard.now() - timedelta(days=days)
    async with visit.dashboard.core.db.session() as session:
        kinds = await repo.actions(session)
        action = query.get("action", "") if query.get("action", "") in kinds else ""
        found = await repo.entries(session, since=since, action=action,
                                   actor_ids=await _actors(session, visit), limit=SHOWN)
    zone = visit.dashboard.core.policy.timezone
    rows = [{"when": shown.moment(entry.at, zone), "action": entry.action,
             "who": f"{user.first_name or '?'} (#{user.id})" if user else "–",
             "detail": " ".join(f"{k}={v}" for k, v in sorted(entry.detail.items()))}
            for entry, user in found]
    return visit.render("audit.html", rows=rows, kinds=kinds, action=action, days=days,
                        periods=PERIODS, limit=SHOWN)


PAGE = Page("audit", N_("Audit"), "/audit", [
    Route("/audit", lead(audit), methods=["GET"]),
])
