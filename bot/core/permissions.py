"""Who may do what: the one place where group and task permissions are decided.

Every command and every button of the group features asks `allowed()` before it acts, with
the group taken from the database (never from the button), so a forged or stale button
from someone outside the group changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import groups as group_repo
from bot.storage.models import Group, Task, User


class Role(StrEnum):
    """A person's role with respect to one group."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    MEMBER = "member"
    NEWCOMER = "newcomer"
    NONE = "none"


class Action(StrEnum):
    """Everything the group features let someone do."""

    VIEW_GROUP = "view_group"
    VIEW_TASKS = "view_tasks"
    CREATE_TASK = "create_task"
    CLAIM = "claim"
    UNCLAIM = "unclaim"
    COMPLETE = "complete"
    COMMENT = "comment"
    REASSIGN = "reassign"
    EDIT = "edit"
    CANCEL = "cancel"
    INVITE_MEMBER = "invite_member"
    INVITE_NEWCOMER = "invite_newcomer"
    LINK_CHAT = "link_chat"
    APPLY_PLAN = "apply_plan"
    NEWCOMER_VIEW = "newcomer_view"
    NEWCOMER_DONE = "newcomer_done"
    ASK_HELP = "ask_help"


HELPERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.MEMBER})
LEADS = frozenset({Role.ADMIN, Role.COORDINATOR})
NEWCOMER = frozenset({Role.NEWCOMER})

RULES: dict[Action, frozenset[Role]] = {
    Action.VIEW_GROUP: HELPERS,
    Action.VIEW_TASKS: HELPERS,
    Action.CREATE_TASK: HELPERS,
    Action.CLAIM: HELPERS,
    Action.UNCLAIM: HELPERS,
    Action.COMPLETE: HELPERS,
    Action.COMMENT: HELPERS | NEWCOMER,
    Action.REASSIGN: HELPERS,
    Action.EDIT: HELPERS,
    Action.CANCEL: HELPERS,
    Action.INVITE_MEMBER: HELPERS,
    Action.INVITE_NEWCOMER: LEADS,
    Action.LINK_CHAT: HELPERS,
    Action.APPLY_PLAN: LEADS,
    Action.NEWCOMER_VIEW: NEWCOMER,
    Action.NEWCOMER_DONE: NEWCOMER,
    Action.ASK_HELP: NEWCOMER,
}


@dataclass(frozen=True)
class Actor:
    """What we know about the person pressing: admin flag, organisations, group roles."""

    user_id: int
    admin: bool
    organisations: frozenset[int]
    groups: dict[int, str]

    @property
    def coordinator(self) -> bool:
        """Coordinates at least one organisation."""
        return bool(self.organisations)


async def actor_for(session: AsyncSession, user: User, admin_ids: frozenset[int]) -> Actor:
    """Load a person's roles (no query at all for people without any)."""
    admin = user.telegram_id in admin_ids
    if not user.has_roles:
        return Actor(user.id, admin, frozenset(), {})
    organisations, groups = await group_repo.roles(session, user.id)
    return Actor(user.id, admin, frozenset(organisations), groups)


def role_in(actor: Actor, group: Group) -> Role:
    """The strongest role someone has for this group."""
    if actor.admin:
        return Role.ADMIN
    if group.organisation_id in actor.organisations:
        return Role.COORDINATOR
    return Role(actor.groups[group.id]) if group.id in actor.groups else Role.NONE


def allowed(actor: Actor, action: Action, group: Group, task: Task | None = None,
            assignee_ids: frozenset[int] = frozenset()) -> bool:
    """The rule table, plus the few rules that depend on the task itself."""
    role = role_in(actor, group)
    if role not in RULES[action]:
        return False
    if task is not None and task.group_id != group.id:
        return False
    if role is Role.NEWCOMER and task is not None and not task.visible_to_newcomer:
        return False
    if action is Action.UNCLAIM and role is Role.MEMBER:
        return actor.user_id in assignee_ids
    if action is Action.CANCEL and role is Role.MEMBER and task is not None:
        return task.created_by == actor.user_id
    return True


def may_create_groups(actor: Actor) -> bool:
    """Coordinators create groups for their organisation; admins for any."""
    return actor.admin or actor.coordinator


def may_answer_match(actor: Actor, telegram_id: int, contact_telegram_id: int | None,
                     organisations_here: Collection[int]) -> bool:
    """Who answers for a volunteer opportunity: its contact person, a coordinator of an
    organisation with groups in its municipality, or an admin."""
    return actor.admin or telegram_id == contact_telegram_id or \
        bool(actor.organisations & frozenset(organisations_here))
