"""Repository queries for a broadcast's audience: counted, or listed, in one statement each.

A person is in it when they accepted the privacy notice, did not block the bot, did not
mute updates (unless the broadcast is urgent), pass the language, municipality, situation
and unfinished-journey filters, and hold one of the chosen roles within the reach:
coordinators of the organisation; members of its groups; newcomers in its groups or living
in a municipality where it has a group. Chosen groups narrow members and newcomers (not
coordinators) to the people of those groups, and group chats to theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    func,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import FALLBACK_LANGUAGE
from bot.storage import progress
from bot.storage.models import Coordinator, Group, Membership, User

_Rows = Select[*tuple[Any, ...]]  # (user_id, chat_id, language, group_id)


@dataclass(frozen=True)
class Recipient:
    """One chat to deliver to, and the language to write in."""

    user_id: int | None
    chat_id: int
    language: str
    group_id: int | None = None  # for a group chat: its group


@dataclass(frozen=True)
class Selection:
    """Who a broadcast reaches; an empty filter lets everyone within reach through."""

    roles: tuple[str, ...]  # newcomer, member, coordinator
    organisation_id: int | None = None  # the reach; None: everyone (an admin's broadcast)
    groups: tuple[int, ...] = ()  # only the people and chats of these groups
    language: str = ""
    municipality: str = ""
    situation: str = ""
    unfinished: str = ""  # only people who have not finished this journey
    chats: bool = False  # the linked group chats too
    urgent: bool = False  # muted people too


async def count(session: AsyncSession, selection: Selection) -> int:
    """How many chats the selection reaches (the number on the coordinator's screen)."""
    chats = _chats(selection)
    if chats is None:
        return 0
    return await session.scalar(select(func.count()).select_from(chats)) or 0


async def recipients(session: AsyncSession, selection: Selection) -> list[Recipient]:
    """Every chat the selection reaches, by chat id, with the language to write in."""
    chats = _chats(selection)
    if chats is None:
        return []
    rows = await session.execute(select(chats).order_by(chats.c.chat_id))
    return [Recipient(user_id, chat_id, language, group_id)
            for user_id, chat_id, language, group_id in rows.all()]


def _chats(selection: Selection) -> Subquery | None:
    """People and group chats as rows of (user_id, chat_id, language, group_id)."""
    parts = [part for part in (_people(selection), _group_chats(selection)) if part is not None]
    if not parts:
        return None
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("chats")


def _people(s: Selection) -> _Rows | None:
    """The people of the chosen roles who pass every filter."""
    if not s.roles:
        return None
    language = func.coalesce(func.nullif(User.locale, ""), FALLBACK_LANGUAGE)
    query = select(User.id.label("user_id"), User.telegram_id.label("chat_id"),
                   language.label("language"), null().label("group_id")).where(
        User.privacy_version.is_not(None), User.blocked_at.is_(None),
        or_(*[alternative for role in s.roles for alternative in _role(s, role)]))
    if not s.urgent:
        query = query.where(User.muted.is_(False))
    if s.language:
        query = query.where(language == s.language)
    if s.municipality:
        query = query.where(User.municipality_code == s.municipality)
    if s.situation:
        query = query.where(User.situation == s.situation)
    if s.unfinished:
        query = query.where(~progress.finished(s.unfinished))
    return query


def _role(s: Selection, role: str) -> list[ColumnElement[bool]]:
    """People with a role within the reach (and in the chosen groups, but coordinators), as
    alternatives that each narrow by an index: one OR over them all lets SQLite look the
    few people within a coordinator's reach up instead of reading every user."""
    held = _HELD[role](s.organisation_id)
    if not s.groups or role == "coordinator":
        return held
    in_groups = User.id.in_(select(Membership.user_id).where(Membership.group_id.in_(s.groups)))
    return [alternative & in_groups for alternative in held]


def _coordinator(organisation_id: int | None) -> list[ColumnElement[bool]]:
    """Coordinators of the organisation (of any, for None)."""
    query = select(Coordinator.user_id)
    if organisation_id is not None:
        query = query.where(Coordinator.organisation_id == organisation_id)
    return [User.id.in_(query)]


def _member(organisation_id: int | None) -> list[ColumnElement[bool]]:
    """Members of a group of the organisation (of any, for None)."""
    query = select(Membership.user_id).where(Membership.role == "member")
    if organisation_id is not None:
        query = query.join(Group, Group.id == Membership.group_id).where(
            Group.organisation_id == organisation_id)
    return [User.id.in_(query)]


def _newcomer(organisation_id: int | None) -> list[ColumnElement[bool]]:
    """Newcomers; within an organisation's reach: in its groups, or living where it has one."""
    newcomer = User.declared_role == "newcomer"
    if organisation_id is None:
        return [newcomer]
    in_groups = select(Membership.user_id).join(Group, Group.id == Membership.group_id).where(
        Group.organisation_id == organisation_id)
    towns = select(Group.municipality_code).where(Group.organisation_id == organisation_id)
    return [newcomer & User.id.in_(in_groups), newcomer & User.municipality_code.in_(towns)]


_HELD: dict[str, Callable[[int | None], list[ColumnElement[bool]]]] = {
    "coordinator": _coordinator, "member": _member, "newcomer": _newcomer}


def _group_chats(s: Selection) -> _Rows | None:
    """The linked Telegram group chats (if asked for), in each group's working language."""
    if not s.chats:
        return None
    query = select(null().label("user_id"), Group.chat_id, Group.locale.label("language"),
                   Group.id.label("group_id")).where(Group.chat_id.is_not(None))
    if s.organisation_id is not None:
        query = query.where(Group.organisation_id == s.organisation_id)
    if s.groups:
        query = query.where(Group.id.in_(s.groups))
    return query
