"""Who a broadcast reaches: roles and filters, always within the author's reach.

A coordinator reaches the people of their own organisations: members and newcomers of
its groups, newcomers living in a municipality where it has a group, and its other
coordinators. Admins reach everyone. Nobody who blocked the bot, has not accepted the
privacy notice, or muted updates (unless the broadcast is urgent) is included.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.permissions import Actor
from bot.i18n import language_codes
from bot.storage import audience as repo
from bot.storage.audience import Recipient, Selection

ROLES = ("newcomer", "member", "coordinator")
SITUATIONS = ("", "refugee", "family", "eu", "other")
LANGUAGES = ("", *language_codes())  # "" is every language; the rest from locales/LINGUAS
FIRST_STEPS = "first_steps"  # the journey of the "Not finished First steps" filter


def spec(audience: dict[str, object]) -> tuple[list[str], str, str, bool, bool]:
    """(roles, language, municipality, unfinished first steps, group chats), with defaults."""
    chosen = audience.get("roles", ["newcomer"])
    roles = [r for r in chosen if r in ROLES] if isinstance(chosen, list) else []
    return (roles, str(audience.get("language", "")), str(audience.get("municipality", "")),
            bool(audience.get("unfinished", False)), bool(audience.get("chats", False)))


def selection(audience: dict[str, object], organisation_id: int | None,
              urgent: bool) -> Selection:
    """The stored audience (organisation None: an admin's broadcast to all) as a query."""
    roles, language, municipality, unfinished, chats = spec(audience)
    return Selection(tuple(roles), organisation_id, tuple(chosen_groups(audience)), language,
                     municipality, str(audience.get("situation", "")),
                     FIRST_STEPS if unfinished else "", chats, urgent)


async def count(session: AsyncSession, audience: dict[str, object],
                organisation_id: int | None, urgent: bool) -> int:
    """How many chats the audience reaches now, counted in the database."""
    return await repo.count(session, selection(audience, organisation_id, urgent))


async def recipients(session: AsyncSession, audience: dict[str, object],
                     organisation_id: int | None, urgent: bool) -> list[Recipient]:
    """Everyone the audience selects, by chat id."""
    return await repo.recipients(session, selection(audience, organisation_id, urgent))


def chosen_groups(audience: dict[str, object]) -> list[int]:
    """Specific groups, if the author picked some (else: all within reach)."""
    picked = audience.get("groups", [])
    return [g for g in picked if isinstance(g, int)] if isinstance(picked, list) else []


def reach(actor: Actor) -> int | bool | None:
    """The organisation an author's broadcasts are limited to; None for admins; False: none."""
    if actor.admin:
        return None
    return min(actor.organisations) if actor.organisations else False
