"""Repository functions for organisations, coordinators, groups, memberships and invites."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import (
    Attempt,
    Coordinator,
    Group,
    Invite,
    Membership,
    Organisation,
    User,
)


async def create_organisation(session: AsyncSession, name: str) -> Organisation:
    """A new organisation (made by an admin)."""
    organisation = Organisation(name=name)
    session.add(organisation)
    await session.flush()
    return organisation


async def organisation(session: AsyncSession, organisation_id: int) -> Organisation | None:
    """One organisation by id."""
    return await session.get(Organisation, organisation_id)


async def all_organisations(session: AsyncSession) -> list[Organisation]:
    """Every organisation, by name."""
    return list(await session.scalars(select(Organisation).order_by(Organisation.name)))


async def coordinator_orgs(session: AsyncSession, user_id: int) -> list[int]:
    """The organisations a user coordinates."""
    rows = await session.scalars(
        select(Coordinator.organisation_id).where(Coordinator.user_id == user_id))
    return list(rows)


async def roles(session: AsyncSession, user_id: int) -> tuple[list[int], dict[int, str]]:
    """Organisations coordinated and group memberships, in one round trip."""
    rows = await session.execute(
        select(literal("c"), Coordinator.organisation_id, literal(""))
        .where(Coordinator.user_id == user_id)
        .union_all(select(literal("m"), Membership.group_id, Membership.role)
                   .where(Membership.user_id == user_id)))
    found = rows.all()
    organisations = [ref for kind, ref, _role in found if kind == "c"]
    groups = {ref: role for kind, ref, role in found if kind == "m"}
    return organisations, groups


async def appoint(session: AsyncSession, user_id: int, organisation_id: int) -> bool:
    """Make a user coordinator of an organisation; False if they already were."""
    if organisation_id in await coordinator_orgs(session, user_id):
        return False
    session.add(Coordinator(user_id=user_id, organisation_id=organisation_id))
    await session.execute(update(User).where(User.id == user_id).values(has_roles=True))
    await session.flush()
    return True


async def coordinators_of(session: AsyncSession, organisation_id: int) -> list[User]:
    """Everyone who coordinates an organisation."""
    rows = await session.scalars(
        select(User).join(Coordinator, Coordinator.user_id == User.id)
        .where(Coordinator.organisation_id == organisation_id))
    return list(rows)


async def create_group(session: AsyncSession, group: Group) -> Group:
    """Store a new group."""
    session.add(group)
    await session.flush()
    return group


async def group(session: AsyncSession, group_id: int) -> Group | None:
    """One group by id."""
    return await session.get(Group, group_id)


async def group_by_chat(session: AsyncSession, chat_id: int) -> Group | None:
    """The group whose Telegram group chat this is."""
    return (await session.scalars(select(Group).where(Group.chat_id == chat_id))).first()


async def group_by_link_code(session: AsyncSession, code_hash: str) -> Group | None:
    """The group a chat-link code was made for, expired or not (only its hash is stored)."""
    return (await session.scalars(select(Group).where(Group.link_code_hash == code_hash))).first()


async def groups_of_orgs(session: AsyncSession, organisation_ids: list[int]) -> list[Group]:
    """All groups of some organisations (a coordinator's view)."""
    rows = await session.scalars(
        select(Group).where(Group.organisation_id.in_(organisation_ids)).order_by(Group.name))
    return list(rows)


async def all_groups(session: AsyncSession) -> list[Group]:
    """Every group (an admin's view, the weekly job)."""
    return list(await session.scalars(select(Group).order_by(Group.name)))


async def organisations_in(session: AsyncSession, municipality_code: str) -> list[int]:
    """The organisations with groups in a municipality, once per group, oldest group first."""
    rows = await session.scalars(select(Group.organisation_id).where(
        Group.municipality_code == municipality_code).order_by(Group.id))
    return list(rows)


async def municipalities_of(session: AsyncSession, organisation_id: int | None) -> list[str]:
    """The municipalities where an organisation (None: any) has groups, sorted."""
    query = select(Group.municipality_code).distinct().where(Group.municipality_code.is_not(None))
    if organisation_id is not None:
        query = query.where(Group.organisation_id == organisation_id)
    return sorted(code for code in await session.scalars(query) if code)


async def memberships(session: AsyncSession, user_id: int) -> dict[int, str]:
    """group id → role, for every group the user belongs to."""
    rows = await session.execute(
        select(Membership.group_id, Membership.role).where(Membership.user_id == user_id))
    return {group_id: role for group_id, role in rows.all()}


async def newcomer_groups(session: AsyncSession, user_id: int) -> list[tuple[int, bool]]:
    """The groups supporting a newcomer, each with whether it may see their questions."""
    rows = await session.execute(select(Membership.group_id, Membership.share_questions).where(
        Membership.user_id == user_id, Membership.role == "newcomer"))
    return [(group_id, share) for group_id, share in rows.all()]


async def share_questions(session: AsyncSession, user_id: int, share: bool) -> None:
    """The newcomer decides for all their groups at once whether they see their questions."""
    await session.execute(update(Membership).where(
        Membership.user_id == user_id, Membership.role == "newcomer")
        .values(share_questions=share))


async def members(session: AsyncSession, group_id: int, role: str | None = None) -> list[User]:
    """The users in a group, optionally only one role, in the order they joined."""
    query = (select(User).join(Membership, Membership.user_id == User.id)
             .where(Membership.group_id == group_id).order_by(Membership.joined_at, User.id))
    if role is not None:
        query = query.where(Membership.role == role)
    return list(await session.scalars(query))


async def join(session: AsyncSession, group_id: int, user_id: int, role: str) -> bool:
    """Add a user to a group; False if they were already in it (their role stays)."""
    found = await session.scalar(select(Membership.id).where(
        Membership.group_id == group_id, Membership.user_id == user_id))
    if found is not None:
        return False
    session.add(Membership(group_id=group_id, user_id=user_id, role=role))
    await session.execute(update(User).where(User.id == user_id).values(has_roles=True))
    await session.flush()
    return True


async def touch_group(session: AsyncSession, group_id: int, now: datetime) -> None:
    """Remember activity, for the coordinator's "no activity in 14 days" list."""
    await session.execute(update(Group).where(Group.id == group_id).values(last_activity_at=now))


async def add_invite(session: AsyncSession, invite: Invite) -> Invite:
    """Store a new invite (its token hash, never the token)."""
    session.add(invite)
    await session.flush()
    return invite


async def invite_by_hash(session: AsyncSession, token_hash: str) -> Invite | None:
    """The invite a token belongs to, whatever its state."""
    return (await session.scalars(select(Invite).where(Invite.token_hash == token_hash))).first()


async def use_invite(session: AsyncSession, invite_id: int, now: datetime) -> bool:
    """Count one use atomically; False when it expired, was revoked or is used up meanwhile."""
    result = await session.execute(
        update(Invite)
        .where(Invite.id == invite_id, Invite.revoked_at.is_(None), Invite.expires_at > now,
               (Invite.max_uses.is_(None)) | (Invite.uses < Invite.max_uses))
        .values(uses=Invite.uses + 1).returning(Invite.id))
    return result.scalar() is not None


async def revoke_invites(session: AsyncSession, group_id: int, role: str, now: datetime) -> int:
    """Revoke a group's open invites of one role; returns how many."""
    result = await session.execute(
        update(Invite).where(Invite.group_id == group_id, Invite.role == role,
                             Invite.revoked_at.is_(None)).values(revoked_at=now)
        .returning(Invite.id))
    return len(result.all())


async def record_failure(session: AsyncSession, user_id: int, kind: str, now: datetime,
                         window: timedelta) -> int:
    """Count a failed try in the current window; returns the count so far."""
    attempt = await session.get(Attempt, (user_id, kind))
    if attempt is None:
        attempt = Attempt(user_id=user_id, kind=kind, window_start=now, count=0)
        session.add(attempt)
    elif attempt.window_start + window <= now:
        attempt.window_start, attempt.count = now, 0
    attempt.count += 1
    await session.flush()
    return attempt.count


async def failures(session: AsyncSession, user_id: int, kind: str, now: datetime,
                   window: timedelta) -> tuple[int, datetime | None]:
    """Failed tries in the current window, and when that window ends."""
    attempt = await session.get(Attempt, (user_id, kind))
    if attempt is None or attempt.window_start + window <= now:
        return 0, None
    return attempt.count, attempt.window_start + window


async def clear_failures(session: AsyncSession, user_id: int, kind: str) -> None:
    """A success wipes the slate."""
    await session.execute(delete(Attempt).where(Attempt.user_id == user_id, Attempt.kind == kind))
