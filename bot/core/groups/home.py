"""👥 Groups: the helpers' screens. Create a group, see it, invite, link its chat, add the plan."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import format_date

from bot.core import access, municipalities, states
from bot.core.dialogs import (
    Calendar,
    Dialog,
    Link,
    Pager,
    Step,
    Tap,
    TextInput,
    a_year_back,
    ask,
    chars,
)
from bot.core.groups import deadlines, invites, plan
from bot.core.groups.buttons import (
    ApplyPlan,
    ArrivalDay,
    ArrivalMonth,
    ArrivalUnknown,
    CoordinatorInvite,
    GroupsHome,
    Invite,
    InviteRole,
    LinkChat,
    ListKind,
    NewGroup,
    NewTask,
    OpenGroup,
    OpenTask,
    Overview,
    RevokeInvites,
    SkipMunicipality,
    SupportPlan,
    TaskList,
)
from bot.core.groups.feed import task_added
from bot.core.groups.overview import next_monday_morning, show_overview
from bot.core.menu import OpenMenu
from bot.core.payloads import Payload
from bot.core.permissions import Action, allowed, may_create_groups
from bot.core.ports import Button, Keyboard
from bot.core.render import format_html
from bot.core.router import Router, Turn
from bot.i18n import N_, _, backward, current_locale, ngettext, shorten
from bot.storage import audit, jobs
from bot.storage import groups as group_repo
from bot.storage import tasks as task_repo
from bot.storage.models import Group, Task

LINK_CODE_LIFETIME = timedelta(minutes=30)
NAME_LIMIT = 80
TASKS = Pager[Task](8)  # a page of a list of tasks
GROUPS = Pager[Group](12)  # groups a page for coordinators and admins (Telegram allows 100)
ROLES: dict[InviteRole, str] = {"m": "member", "n": "newcomer"}


class NamingGroup(Payload, prefix="group", action="name"):
    """The state of someone typing the name of a new group of an organisation."""

    organisation: int


class SettingUp(Payload, prefix="group"):
    """The state of someone answering the new group's next questions."""

    step: str
    group: int


@dataclass
class Setup:
    """A group being set up: the step, its organisation, and the group once it is named."""

    step: str
    organisation: int
    group: Group | None = None


async def is_helper(turn: Turn) -> bool:
    """Shows 👥 Groups to members, coordinators and admins only."""
    who = await access.actor(turn)
    return who.admin or who.coordinator or "member" in who.groups.values()


async def visible_groups(turn: Turn) -> list[Group]:
    """Admins see all groups, coordinators their organisations', members their own."""
    who = await access.actor(turn)
    if who.admin:
        return await group_repo.all_groups(turn.session)
    found = {g.id: g for g in await group_repo.groups_of_orgs(turn.session,
                                                                list(who.organisations))}
    for group_id, role in who.groups.items():
        group = await group_repo.group(turn.session, group_id) if role == "member" else None
        if group is not None:
            found[group.id] = group
    return sorted(found.values(), key=lambda g: g.name)


async def show_home(turn: Turn, page: int = 0) -> None:
    """One group: straight to it. Several, or a coordinator: the list, a page at a time."""
    who = await access.actor(turn)
    shown = await visible_groups(turn)
    if len(shown) == 1 and not may_create_groups(who):
        await show_group(turn, shown[0])
        return
    page, listed = GROUPS.page(shown, page)
    rows: list[tuple[Button, ...]] = [(Button(g.name, OpenGroup(g.id).encode()),) for g in listed]
    rows += GROUPS.arrows(len(shown), page, GroupsHome)
    if may_create_groups(who):
        rows.append((Button(_("➕ New group"), NewGroup().encode()),
                     Button(_("📊 Overview"), Overview().encode())))
    if who.admin:
        rows += [(Button(_("🔑 Coordinator invite: {name}").format(name=o.name),
                         CoordinatorInvite(o.id).encode()),)
                 for o in await group_repo.all_organisations(turn.session)]
    rows.append((Button(backward(_("Back")), OpenMenu().encode()),))
    text = _("<b>Groups</b>") if shown else _("<b>Groups</b>\nNo groups yet.")
    if who.admin:
        text += "\n" + _("New organisation: send /neworg and its name.")
    turn.say(text, tuple(rows))


async def show_group(turn: Turn, group: Group) -> None:
    """The group's page: who is in it, how the tasks stand, what can be done."""
    who = await access.actor(turn)
    people = await group_repo.members(turn.session, group.id)
    today = turn.now.astimezone(turn.timezone).date()
    open_tasks = await task_repo.of_group(turn.session, group.id, task_repo.OPEN_STATES)
    late = [t for t in open_tasks if t.due_date and t.due_date < today]
    names = ", ".join(p.first_name or "?" for p in people) or _("nobody yet")
    text = format_html(_("<b>{name}</b>\nPeople: {people}\nOpen tasks: {open} · overdue: {late}"),
                       name=group.name, people=names, open=len(open_tasks), late=len(late))
    if group.arrival_date:
        text += "\n" + _("Arrival: {date}").format(
            date=format_date(group.arrival_date, "d MMMM y", locale=current_locale()))
    text += "\n" + (_("💬 Group chat linked") if group.chat_id else _("💬 No group chat linked"))
    turn.say(text, _group_buttons(group, allowed(who, Action.APPLY_PLAN, group)))


def _group_buttons(group: Group, lead: bool) -> Keyboard:
    gid = group.id
    rows: list[tuple[Button, ...]] = [
        (Button(_("➕ New task"), NewTask(gid).encode()),),
        (Button(_("📋 Open"), TaskList(gid, "o", 0).encode()),
         Button(_("🙋 Mine"), TaskList(gid, "m", 0).encode())),
        (Button(_("⏰ Overdue"), TaskList(gid, "v", 0).encode()),
         Button(_("✅ Done"), TaskList(gid, "d", 0).encode())),
        (Button(_("👋 Invite a member"), Invite(gid, "m").encode()),),
        (Button(_("💬 Link group chat"), LinkChat(gid).encode()),),
    ]
    if lead:
        rows.insert(4, (Button(_("🧑‍🤝‍🧑 Invite the newcomer"), Invite(gid, "n").encode()),))
        rows.append((Button(_("📅 12-month support plan"), SupportPlan(gid).encode()),))
    rows.append((Button(backward(_("Back")), GroupsHome().encode()),))
    return tuple(rows)


LISTS: dict[ListKind, str] = {"o": N_("Open tasks"), "m": N_("My tasks"),
                              "v": N_("Overdue tasks"), "d": N_("Done tasks")}


async def show_list(turn: Turn, group: Group, which: ListKind, page: int) -> None:
    """A page of tasks as buttons; pressing one opens its card."""
    found = await _tasks_for(turn, group, which)
    page, shown = TASKS.page(found, page)
    rows: list[tuple[Button, ...]] = [
        (Button(f"#{t.id} {_short(t)}", OpenTask(t.id).encode()),) for t in shown]
    rows += TASKS.arrows(len(found), page, lambda number: TaskList(group.id, which, number))
    rows.append((_back(group),))
    heading = format_html(_("<b>{title}</b> · {group}"), title=_(LISTS[which]), group=group.name)
    turn.say(heading if found else heading + "\n" + _("Nothing here."), tuple(rows))


def _back(group: Group) -> Button:
    return Button(backward(_("Back")), OpenGroup(group.id).encode())


async def _tasks_for(turn: Turn, group: Group, which: ListKind) -> list[Task]:
    today = turn.now.astimezone(turn.timezone).date()
    if which == "m":
        return await task_repo.of_assignee(turn.session, group.id, turn.user.id)
    if which == "v":
        return await task_repo.overdue(turn.session, group.id, today)
    statuses = ("done",) if which == "d" else task_repo.OPEN_STATES
    return await task_repo.of_group(turn.session, group.id, statuses)


def _short(task: Task) -> str:
    """A task's title for its button, cut after a whole word."""
    return shorten(_(task.title) if task.template else task.title, 40)


async def _home(turn: Turn, pressed: GroupsHome) -> None:
    await show_home(turn, pressed.page or 0)


async def _open(turn: Turn, pressed: OpenGroup) -> None:
    found = await access.group_for(turn, pressed.group, Action.VIEW_GROUP)
    if found:
        await show_group(turn, found[1])


async def _list(turn: Turn, pressed: TaskList) -> None:
    found = await access.group_for(turn, pressed.group, Action.VIEW_TASKS)
    if found:
        await show_list(turn, found[1], pressed.kind, pressed.page)


async def _invite_target(turn: Turn, group_id: int, role: InviteRole) -> Group | None:
    """The group of an invite button, if the presser may invite that role to it."""
    action = Action.INVITE_NEWCOMER if role == "n" else Action.INVITE_MEMBER
    found = await access.group_for(turn, group_id, action)
    return found[1] if found else None


async def _invite(turn: Turn, pressed: Invite) -> None:
    group = await _invite_target(turn, pressed.group, pressed.role)
    if group is None:
        return
    role = ROLES[pressed.role]
    url = await invites.create(turn, role, group.organisation_id, group.id)
    intro = (_("Invite link for the newcomer of <b>{group}</b>:") if role == "newcomer"
             else _("Invite link for a new member of <b>{group}</b>:"))
    turn.say(format_html(intro, group=group.name) + f"\n{url}\n" + invites.lifetime_note(role)
             + "\n" + _("Send it only to the person it is meant for."),
             ((Button(_("🚫 Stop these links"), RevokeInvites(group.id, pressed.role).encode()),),
              (_back(group),)))


async def _revoke(turn: Turn, pressed: RevokeInvites) -> None:
    group = await _invite_target(turn, pressed.group, pressed.role)
    if group is None:
        return
    role = ROLES[pressed.role]
    count = await group_repo.revoke_invites(turn.session, group.id, role, turn.now)
    audit.record(turn.session, turn.user.id, "invite.revoke", turn.now, group=group.id,
                 role=role, count=count)
    turn.say(ngettext("{count} invite link no longer works.",
                      "{count} invite links no longer work.", count).format(count=count),
             ((_back(group),),))


async def _link_code(turn: Turn, pressed: LinkChat) -> None:
    found = await access.group_for(turn, pressed.group, Action.LINK_CHAT)
    if not found:
        return
    group, code = found[1], secrets.token_hex(4).upper()
    group.link_code_hash = hash_code(code)
    group.link_code_expires_at = turn.now + LINK_CODE_LIFETIME
    turn.say(_("<b>Link your group chat</b>\n1. Add me to your group chat in Telegram.\n"
               "2. Send this message in the group chat:\n<code>/link {code}</code>\n"
               "The code works once, for 30 minutes.").format(code=code),
             ((_back(group),),))


def hash_code(code: str) -> str:
    """Link codes are stored hashed, like invite tokens."""
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


async def _apply(turn: Turn, pressed: ApplyPlan) -> None:
    found = await access.group_for(turn, pressed.group, Action.APPLY_PLAN)
    if found:
        await apply_plan(turn, found[1])


async def _plan(turn: Turn, pressed: SupportPlan) -> None:
    found = await access.group_for(turn, pressed.group, Action.APPLY_PLAN)
    if not found:
        return
    group, template = found[1], plan.load_plan()
    start = group.arrival_date or turn.now.astimezone(turn.timezone).date()
    count = sum(1 for _item in template.items())
    turn.say(ngettext(
        "Add the 12-month support plan: {count} task, due counted from {date}. "
        "The group can change or cancel each one.",
        "Add the 12-month support plan: {count} tasks, due counted from {date}. "
        "The group can change or cancel each one.", count).format(
            count=count, date=format_date(start, "d MMMM y", locale=current_locale())),
        ((Button(_("✅ Add the plan"), ApplyPlan(group.id).encode()),), (_back(group),)))


async def apply_plan(turn: Turn, group: Group) -> None:
    """Every plan item becomes a translatable task; adding it twice is refused."""
    existing = await task_repo.of_group(turn.session, group.id, ("open", "claimed", "done",
                                                                  "cancelled"))
    if any((t.source or "").startswith("plan:") for t in existing):
        turn.say(_("This group already has the support plan."), ((_back(group),),))
        return
    start = group.arrival_date or turn.now.astimezone(turn.timezone).date()
    for item in plan.load_plan().items():
        task = await task_repo.add(turn.session, Task(
            group_id=group.id, title=item.title, template=True, source=f"plan:{item.id}",
            category=item.category, due_date=plan.due(item, start),
            visible_to_newcomer=item.visible, created_by=turn.user.id, created_at=turn.now,
            updated_at=turn.now), turn.user.id)
        await deadlines.schedule(turn.session, task, turn.now, turn.timezone)
        if plan.due(item, start) <= start + timedelta(days=14):
            await task_added(turn.session, group, task)
    await show_group(turn, group)


async def _new_group(turn: Turn, pressed: NewGroup) -> None:
    who = await access.actor(turn)
    organisations = sorted(who.organisations) if not who.admin else [
        o.id for o in await group_repo.all_organisations(turn.session)]
    chosen = pressed.organisation
    if not may_create_groups(who) or (chosen is not None and chosen not in organisations):
        access.refuse(turn)
        return
    if chosen is None and len(organisations) != 1:
        await _pick_organisation(turn, organisations)
        return
    await NEW_GROUP.go(turn, Setup("name", chosen or organisations[0]), "name")


async def _pick_organisation(turn: Turn, organisation_ids: list[int]) -> None:
    if not organisation_ids:
        turn.say(_("There is no organisation yet. Send /neworg and its name first."))
        return
    rows = []
    for org_id in organisation_ids:
        org = await group_repo.organisation(turn.session, org_id)
        rows.append((Button(org.name if org else str(org_id), NewGroup(org_id).encode()),))
    turn.say(_("For which organisation?"), tuple(rows))


async def schedule_weekly(turn: Turn, group: Group) -> None:
    """Every group gets its Monday overview from the first week on."""
    await jobs.ensure(turn.session, "weekly", str(group.id),
                      next_monday_morning(turn.now, turn.timezone))


class NewGroups:
    """The group being set up is named in the state (its organisation, before it has a
    name), never in a button; each step checks the person may still set it up."""

    async def load(self, turn: Turn, _key: int | None) -> Setup | None:
        naming = NamingGroup.read(turn.user.state)
        if naming is not None:
            return Setup("name", naming.organisation)
        setting_up = SettingUp.read(turn.user.state)
        if setting_up is None:
            return None
        found = await access.group_for(turn, setting_up.group, Action.APPLY_PLAN)
        return Setup(setting_up.step, found[1].organisation_id, found[1]) if found else None

    def at(self, _turn: Turn, setup: Setup) -> str:
        return setup.step

    def move(self, turn: Turn, setup: Setup, step: str) -> None:
        setup.step = step
        turn.user.state = (NamingGroup(setup.organisation) if setup.group is None
                           else SettingUp(step, setup.group.id)).encode()

    def key(self, _setup: Setup) -> int | None:
        return None

    def state(self, step: str) -> str:
        return f"group:{step}"


async def _named(turn: Turn, setup: Setup, name: str) -> str:
    """The group exists from here on; the next questions fill it in."""
    group = await group_repo.create_group(turn.session, Group(
        organisation_id=setup.organisation, name=name, created_by=turn.user.id,
        created_at=turn.now, last_activity_at=turn.now))
    audit.record(turn.session, turn.user.id, "group.create", turn.now, group=group.id,
                 organisation=setup.organisation)
    await schedule_weekly(turn, group)
    setup.group = group
    return "municipality"


def _municipality(text: str) -> str | None:
    """Exact names and aliases pass (like in onboarding); otherwise ask again."""
    found = municipalities.match(text[:100])
    return found.exact.code if found.exact else None


async def _located(_turn: Turn, setup: Setup, code: str) -> str:
    if setup.group is not None:
        setup.group.municipality_code = code
    return "arrival"


async def _skip(_turn: Turn, _setup: Setup) -> str:
    return "arrival"


async def _arrived(turn: Turn, setup: Setup, day: date) -> None:
    if setup.group is not None:
        setup.group.arrival_date = day
    await _ready(turn, setup)


async def _ready(turn: Turn, setup: Setup) -> None:
    turn.user.state = states.MENU
    if setup.group is not None:
        turn.say(format_html(_("The group <b>{name}</b> is ready."), name=setup.group.name))
        await show_group(turn, setup.group)


NEW_GROUP = Dialog(
    NewGroups(),
    Step("name", ask(N_("What is the new group called? For example: Welkom Amira.")),
         TextInput(chars(2, NAME_LIMIT), lambda: _(
             "Please type a name of 2 to {limit} characters.").format(limit=NAME_LIMIT), _named),
         Link(N_("Cancel"), lambda _setup: GroupsHome())),
    Step("municipality", ask(N_("In which municipality (gemeente) is the group? Type its name.")),
         TextInput(_municipality, lambda: _("I do not know that municipality. Please check the "
                                            "spelling, or skip."), _located, hint_buttons=True),
         Tap(N_("Skip"), SkipMunicipality, _skip)),
    Step("arrival", ask(N_("When does (or did) the newcomer arrive? Pick the date.")),
         Calendar(ArrivalMonth, ArrivalDay, _arrived, earliest=a_year_back),
         Tap(N_("Not known yet"), ArrivalUnknown, _ready)),
)


async def _coordinator_invite(turn: Turn, pressed: CoordinatorInvite) -> None:
    who = await access.actor(turn)
    org = await group_repo.organisation(turn.session, pressed.organisation)
    if not who.admin or org is None:
        access.refuse(turn)
        return
    url = await invites.create(turn, "coordinator", org.id, None)
    turn.say(format_html(_("Invite link for a coordinator of <b>{organisation}</b>:"),
                         organisation=org.name) + f"\n{url}\n"
             + invites.lifetime_note("coordinator"),
             ((Button(backward(_("Back")), GroupsHome().encode()),),))


async def new_organisation(turn: Turn) -> None:
    """/neworg <name> (admins): an organisation and its first coordinator invite."""
    who = await access.actor(turn)
    name = turn.event.text.strip()
    if not who.admin:
        access.refuse(turn)
        return
    if not 2 <= len(name) <= NAME_LIMIT:
        turn.say(_("Send /neworg followed by the name, for example: /neworg Samen Hier Utrecht"))
        return
    org = await group_repo.create_organisation(turn.session, name)
    audit.record(turn.session, turn.user.id, "organisation.create", turn.now,
                 organisation=org.id)
    await jobs.ensure(turn.session, "coordinators", str(org.id),
                      next_monday_morning(turn.now, turn.timezone))
    await _coordinator_invite(turn, CoordinatorInvite(org.id))


async def groups_command(turn: Turn) -> None:
    """/groups: the same as the menu button."""
    if not await is_helper(turn):
        turn.say(_("You are not in a sponsor group yet. Ask your coordinator for an invite link."))
        return
    await show_home(turn)


async def _overview(turn: Turn, _pressed: Overview) -> None:
    await show_overview(turn)


def register(router: Router) -> None:
    """The 👥 Groups menu entry, its screens and the new-group questions."""
    router.menu_button(N_("👥 Groups"), GroupsHome(), is_helper)
    router.command("groups", groups_command)
    router.command("neworg", new_organisation)
    router.on(GroupsHome, _home)
    router.on(OpenGroup, _open)
    router.on(TaskList, _list)
    router.on(Invite, _invite)
    router.on(RevokeInvites, _revoke)
    router.on(LinkChat, _link_code)
    router.on(SupportPlan, _plan)
    router.on(ApplyPlan, _apply)
    router.on(NewGroup, _new_group)
    router.on(CoordinatorInvite, _coordinator_invite)
    router.on(Overview, _overview)
    NEW_GROUP.register(router)
