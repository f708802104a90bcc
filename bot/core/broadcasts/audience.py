"""Who a broadcast reaches: roles and filters, always within the author's reach.

A coordinator reaches the people of their own organisations: members and newcomers of
its groups, newcomers living in a municipality where it has a group, and its other
coordinators. Admins reach everyone. Nobody who blocked the bot, has not accepted the
privacy notice, or muted updates (unless the broadcast is urgent) is included.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.permissions import Actor
from bot.i18n import FALLBACK_LANGUAGE
from bot.storage.models import Coordinator, Group, JourneyProgress, Membership, User

ROLES = ("newcomer", "member", "coordinator")
SITUATIONS = ("", "refugee", "family", "eu", "other")
LANGUAGES = ("", "nl", "en", "ar", "ti")


@dataclass(frozen=True)
class Recipient:
    """One chat to deliver to, and the language to write in."""

    user_id: int | None
    chat_id: int
    language: str
    group_id: int | None = None  # for a group chat: its group


def spec(audience: dict[str, object]) -> tuple[list[str], str, str, bool, bool]:
    """(roles, language, municipality, unfinished first steps, group chats), with defaults."""
    chosen = audience.get("roles", ["newcomer"])
    roles = [r for r in chosen if r in ROLES] if isinstance(chosen, list) else []
    return (roles, str(audience.get("language", "")), str(audience.get("municipality", "")),
            bool(audience.get("unfinished", False)), bool(audience.get("chats", False)))


async def recipients(session: AsyncSession, audience: dict[str, object],
                     organisation_id: int | None, urgent: bool) -> list[Recipient]:
    """Everyone the audience selects (organisation None: an admin's broadcast to all)."""
    roles, language, municipality, unfinished, chats = spec(audience)
    users: dict[int, User] = {}
    chosen = chosen_groups(audience)
    for role in roles:
        query = _role_query(role, organisation_id)
        if chosen and role != "coordinator":  # only the people of the chosen groups
            query = query.where(User.id.in_(select(Membership.user_id).where(
                Membership.group_id.in_(chosen))))
        for user in (await session.scalars(query)).all():
            users[user.id] = user
    situation = str(audience.get("situation", ""))
    found = [u for u in users.values() if _wanted(u, language, municipality, urgent)
             and (not situation or u.situation == situation)]
    if unfinished:
        found = [u for u in found if not await _finished_first_steps(session, u.id)]
    result = [Recipient(u.id, u.telegram_id, u.locale or FALLBACK_LANGUAGE) for u in found]
    if chats:
        result += [r for r in await _group_chats(session, organisation_id)
                   if not chosen or r.group_id in chosen]
    return sorted(result, key=lambda r: r.chat_id)


def _role_query(role: str, organisation_id: int | None) -> Select[User]:
    """People with a role, limited to one organisation's reach when given."""
    base = select(User).where(User.privacy_version.is_not(None), User.blocked_at.is_(None))
    if role == "coordinator":
        query = base.join(Coordinator, Coordinator.user_id == User.id)
        return query if organisation_id is None else query.where(
            Coordinator.organisation_id == organisation_id)
    if role == "member":
        query = base.join(Membership, Membership.user_id == User.id).where(
            Membership.role == "member")
        return query if organisation_id is None else query.join(
            Group, Group.id == Membership.group_id).where(Group.organisation_id == organisation_id)
    newcomers = base.where(User.declared_role == "newcomer")
    if organisation_id is None:
        return newcomers
    in_groups = select(Membership.user_id).join(Group, Group.id == Membership.group_id).where(
        Group.organisation_id == organisation_id)
    towns = select(Group.municipality_code).where(Group.organisation_id == organisation_id)
    return newcomers.where(User.id.in_(in_groups) | User.municipality_code.in_(towns))


def chosen_groups(audience: dict[str, object]) -> list[int]:
    """Specific groups, if the author picked some (else: all within reach)."""
    picked = audience.get("groups", [])
    return [g for g in picked if isinstance(g, int)] if isinstance(picked, list) else []


def _wanted(user: User, language: str, municipality: str, urgent: bool) -> bool:
    if user.muted and not urgent:
        return False
    if language and (user.locale or FALLBACK_LANGUAGE) != language:
        return False
    return not municipality or user.municipality_code == municipality


async def _finished_first_steps(session: AsyncSession, user_id: int) -> bool:
    """Whether someone reached the end of First steps (its last node is ticked)."""
    progress = await session.scalar(select(JourneyProgress).where(
        JourneyProgress.user_id == user_id, JourneyProgress.journey == "first_steps"))
    return bool(progress and progress.node in progress.done)


async def _group_chats(session: AsyncSession, organisation_id: int | None) -> list[Recipient]:
    """The linked Telegram group chats, in each group's working language."""
    query = select(Group).where(Group.chat_id.is_not(None))
    if organisation_id is not None:
        query = query.where(Group.organisation_id == organisation_id)
    return [Recipient(None, g.chat_id or 0, g.locale, g.id)
            for g in (await session.scalars(query)).all()]


def reach(actor: Actor) -> int | bool | None:
    """The organisation an author's broadcasts are limited to; None for admins; False: none."""
    if actor.admin:
        return None
    return min(actor.organisations) if actor.organisations else False
