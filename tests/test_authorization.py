"""The authorization matrix: every command and every button prefix the router knows, tried by
every role, in private and in group chats, with forged data that points at other groups'
tasks, other organisations' broadcasts and other people's questions, reminders and invites.

The world (tests/roles_world.py) is built once through the core on a real database and
frozen. Each attempt starts from that frozen world; afterwards:

- nothing raised, and every reply is what Telegram accepts (HTML, length, callback_data);
- no reply shows an object the person may not see (each object carries a unique word);
- every row that does not belong to the person acting is unchanged, unless the table below
  says their role MAY change it with that input (derived from permissions.RULES where the
  group features are concerned);
- the person's own rows point only at things they may use (their state, their task draft).

The table must classify every command, group command and button prefix of the Router, and
every kind of payload registered under each prefix: a new one fails
`test_every_command_and_prefix_is_classified` until it is added here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.core.permissions import RULES, Action, Role
from bot.core.ports import Incoming, Kind, Outcome, Reply
from tests.databases import discard
from tests.roles_world import (
    ADMIN,
    CHAT_A,
    CHAT_B,
    CHAT_C,
    COORD_A,
    COORD_B,
    FRESH,
    LONER,
    MARK,
    MEMBER_A,
    MEMBER_B,
    NAMES,
    NEWCOMER_A,
    STRANGER,
    Probe,
    Snapshot,
    World,
    base,
    copy_of,
    open_probe,
    outcome_problems,
    records,
    snapshot,
    tables,
)

ROLES = {"admin": ADMIN, "coordinator A": COORD_A, "coordinator B": COORD_B,
         "member A": MEMBER_A, "newcomer A": NEWCOMER_A, "member B": MEMBER_B,
         "newcomer without group": LONER, "not onboarded": FRESH, "stranger": STRANGER}
GROUP_CHATS = (CHAT_A, CHAT_C)  # a linked chat (B's works the same) and an unlinked one
# Who has which role in which group, written out here, not asked from the code under test.
GROUP_ROLES: dict[str, dict[int, Role]] = {
    "A": {ADMIN: Role.ADMIN, COORD_A: Role.COORDINATOR, MEMBER_A: Role.MEMBER,
          NEWCOMER_A: Role.NEWCOMER},
    "B": {ADMIN: Role.ADMIN, COORD_B: Role.COORDINATOR, MEMBER_B: Role.MEMBER},
    "B2": {ADMIN: Role.ADMIN, COORD_B: Role.COORDINATOR},
}
COORDINATES = {"A": {COORD_A}, "B": {COORD_B}}  # organisation → its coordinators
LINKED = {CHAT_A: "A", CHAT_B: "B"}
GARBAGE = ("0", "²", "9" * 20)  # no such object; a digit int() refuses; too big for SQLite
# Tables whose rows name a user but belong to a group, an organisation or a broadcast.
SHARED_WITH_USER_ID = frozenset({"memberships", "coordinators", "task_assignees",
                                 "deliveries"})


# ---------------------------------------------------------------- the facts of the world


@dataclass(frozen=True)
class Facts:
    """What the frozen world holds, read from its tables, for the rules below."""

    world: World
    snap: Snapshot
    cache: dict[str, list[dict[str, object]]] = field(default_factory=dict)

    def uid(self, telegram_id: int) -> int:
        """users.id of a person (0 for the stranger, who is not in the frozen world)."""
        return self.world.users.get(telegram_id, 0)

    def rows(self, table: str) -> list[dict[str, object]]:
        """The rows of one table."""
        if table not in self.cache:
            self.cache[table] = records(self.snap[table])
        return self.cache[table]

    def row(self, table: str, value: str) -> dict[str, object] | None:
        """The row with this id, if the id is a number of an existing row."""
        if not (value.isascii() and value.isdigit()):
            return None
        return next((r for r in self.rows(table) if r["id"] == int(value)), None)

    def group_key(self, group_id: object) -> str:
        """A, B or B2 (or "" for anything else)."""
        return next((k for k, v in self.world.groups.items() if v == group_id), "")

    def org_key(self, organisation_id: object) -> str:
        """A or B (or "")."""
        return next((k for k, v in self.world.orgs.items() if v == organisation_id), "")

    def role(self, telegram_id: int, group_id: object) -> Role:
        """The person's role for a group, from the table at the top of this file."""
        return GROUP_ROLES.get(self.group_key(group_id), {}).get(telegram_id, Role.NONE)

    def state(self, telegram_id: int) -> str:
        """The conversation state a person is in, in the frozen world."""
        found = [r["state"] for r in self.rows("users") if r["telegram_id"] == telegram_id]
        return str(found[0]) if found else ""

    def assignees(self, task_id: object) -> set[object]:
        """users.id of the people carrying a task."""
        return {r["user_id"] for r in self.rows("task_assignees") if r["task_id"] == task_id}

    def may_task(self, telegram_id: int, action: Action, task_id: str) -> bool:
        """permissions.RULES plus the written rules that depend on the task itself."""
        task = self.row("tasks", task_id)
        if task is None:
            return False
        role = self.role(telegram_id, task["group_id"])
        if role not in RULES[action] or (role is Role.NEWCOMER
                                         and not task["visible_to_newcomer"]):
            return False
        if action is Action.UNCLAIM and role is Role.MEMBER:
            return self.uid(telegram_id) in self.assignees(task["id"])
        if action is Action.CANCEL and role is Role.MEMBER:
            return task["created_by"] == self.uid(telegram_id)
        return True

    def may_group(self, telegram_id: int, action: Action, group_id: str) -> bool:
        """The rule table for an action on a whole group."""
        if not (group_id.isascii() and group_id.isdigit()):
            return False
        return self.role(telegram_id, int(group_id)) in RULES[action]

    def may_answer(self, telegram_id: int, question: dict[str, object]) -> bool:
        """Admins; the coordinators of the organisation a question went to; its group's
        members when the newcomer shares questions with the group."""
        if telegram_id == ADMIN:
            return True
        route = question["route"]
        org = self.org_key(question["organisation_id"])
        if route in ("group", "coordinators") and telegram_id in COORDINATES.get(org, ()):
            return True
        return route == "group" and self.role(telegram_id, question["group_id"]) is Role.MEMBER

    def may_broadcast(self, telegram_id: int, broadcast_id: str) -> bool:
        """The author and admins."""
        found = self.row("broadcasts", broadcast_id)
        return found is not None and (telegram_id == ADMIN
                                      or found["author_id"] == self.uid(telegram_id))

    def has_draft(self, telegram_id: int, chat: int) -> bool:
        """A task being made by this person in this chat."""
        return any(r["user_id"] == self.uid(telegram_id) and r["chat_id"] == chat
                   for r in self.rows("task_drafts"))


def _ids(facts: Facts, table: str) -> list[str]:
    return [str(r["id"]) for r in facts.rows(table)]


# ---------------------------------------------------------------- the expectation table
#
# For every prefix: the data to try (real sub-actions with other objects' ids, garbage) and
# who MAY change other people's data with it. "May" is not "must": a permitted press that
# finds nothing to do is fine; a forbidden one that changes anything is a hole.

Data = Callable[[Facts], list[str]]
May = Callable[[Facts, int, str, int], bool]  # facts, person, data, chat


def never(_facts: Facts, _who: int, _data: str, _chat: int) -> bool:
    """Only the person's own rows may change (their state, settings, drafts)."""
    return False


def _part(data: str, index: int) -> str:
    parts = data.split(":")
    return parts[index] if len(parts) > index else ""


TASK_ACTIONS = {"v": Action.VIEW_TASKS, "c": Action.CLAIM, "u": Action.UNCLAIM,
                "d": Action.COMPLETE, "x": Action.CANCEL, "r": Action.REASSIGN,
                "a": Action.REASSIGN, "w": Action.REASSIGN, "m": Action.COMMENT,
                "k": Action.EDIT, "n": Action.EDIT, "h": Action.VIEW_TASKS}
TASK_CHANGES = frozenset("cudxawk")  # the letters that change the task or its history


def task_data(facts: Facts) -> list[str]:
    member_a, member_b = facts.uid(MEMBER_A), facts.uid(MEMBER_B)
    found = [f"t:{task}:{letter}" for task in _ids(facts, "tasks") for letter in TASK_ACTIONS]
    for task in (facts.world.tasks["a_open"], facts.world.tasks["b_open"]):
        found += [f"t:{task}:a:{member_a}", f"t:{task}:a:{member_b}", f"t:{task}:a:0",
                  f"t:{task}:k:housing", f"t:{task}:k:nonsense"]
    found += [f"t:{bad}:{letter}" for bad in GARBAGE for letter in "vcx"]
    return [*found, "t:1:zz", "t:1:c:extra:more"]


def task_may(facts: Facts, who: int, data: str, chat: int) -> bool:
    """The rule table; in a group chat, only for tasks of the group linked to that chat."""
    letter, task = _part(data, 2), facts.row("tasks", _part(data, 1))
    here = chat == who or (task is not None and
                           LINKED.get(chat) == facts.group_key(task["group_id"]))
    return here and letter in TASK_CHANGES and facts.may_task(who, TASK_ACTIONS[letter],
                                                              _part(data, 1))


def draft_data(facts: Facts) -> list[str]:
    return [*(f"tn:{g}" for g in [*_ids(facts, "groups"), *GARBAGE]),
            "tn:m:202612", "tn:m:999912", "tn:m:000101", "tn:d:20261201", "tn:d:20200101",
            "tn:d:99991231", "tn:n", "tn:t:0900", "tn:t:n", "tn:t:2500", "tn:a:me",
            "tn:a:any", f"tn:a:{facts.uid(MEMBER_A)}", f"tn:a:{facts.uid(MEMBER_B)}",
            "tn:a:²", "tn:x", "tn:zz"]


def draft_may(facts: Facts, who: int, data: str, chat: int) -> bool:
    """Only the person's own unfinished task, in the chat where it was started."""
    return not _part(data, 1).isdigit() and facts.has_draft(who, chat)


GROUP_ACTIONS = ("o", "l", "i", "r", "c", "p")


def group_data(facts: Facts) -> list[str]:
    found = ["g:h", "g:v", "g:n", "g:m:skip", "g:zz", "g:n:999", "g:ci:999", "g:ci:²"]
    found += [f"g:{a}:{org}" for org in facts.world.orgs.values() for a in ("n", "ci")]
    for group in _ids(facts, "groups"):
        found += [f"g:o:{group}", f"g:l:{group}:o:0", f"g:l:{group}:m:0", f"g:l:{group}:d:1",
                  f"g:l:{group}:zz:0", f"g:l:{group}:o:²", f"g:i:{group}:m", f"g:i:{group}:n",
                  f"g:i:{group}:zz", f"g:r:{group}:m", f"g:r:{group}:n", f"g:c:{group}",
                  f"g:p:{group}", f"g:p:{group}:y"]
    return found + [f"g:{a}:{bad}" for bad in GARBAGE for a in ("o", "l", "i", "c", "p")]


def group_may(facts: Facts, who: int, data: str, _chat: int) -> bool:
    action, group, extra = _part(data, 1), _part(data, 2), _part(data, 3)
    if action in ("i", "r") and extra in ("m", "n"):
        needed = Action.INVITE_NEWCOMER if extra == "n" else Action.INVITE_MEMBER
        return facts.may_group(who, needed, group)
    if action == "c":
        return facts.may_group(who, Action.LINK_CHAT, group)
    if action == "p" and extra == "y":
        return facts.may_group(who, Action.APPLY_PLAN, group)
    return action == "ci" and who == ADMIN


def arrival_data(_facts: Facts) -> list[str]:
    return ["ga:m:202612", "ga:m:999912", "ga:d:20261201", "ga:d:99999999", "ga:d:²",
            "ga:n", "ga:zz", "ga"]


def arrival_may(facts: Facts, who: int, _data: str, _chat: int) -> bool:
    """Only while setting up a group this person may set up (its id is in their state)."""
    state = facts.state(who)
    if not state.startswith(("group:municipality:", "group:arrival:")):
        return False
    return facts.may_group(who, Action.APPLY_PLAN, state.rsplit(":", 1)[1])


NEWCOMER_ACTIONS = {"v": Action.NEWCOMER_VIEW, "k": Action.NEWCOMER_DONE,
                    "h": Action.ASK_HELP}


def newcomer_data(facts: Facts) -> list[str]:
    found = ["nt:l", "nt:l:1", "nt:l:x", "nt:s", "nt:zz", "nt:v", "nt:v:1:2"]
    return found + [f"nt:{a}:{t}" for t in [*_ids(facts, "tasks"), *GARBAGE]
                    for a in NEWCOMER_ACTIONS]


def newcomer_may(facts: Facts, who: int, data: str, _chat: int) -> bool:
    action = _part(data, 1)
    if action == "s":  # what the newcomer's own group may see: their own choice
        return any(r == Role.NEWCOMER for g in GROUP_ROLES.values() for p, r in g.items()
                   if p == who)
    return action in ("k", "h") and facts.may_task(who, NEWCOMER_ACTIONS[action],
                                                   _part(data, 2))


QUESTION_ACTIONS = ("ask", "ans", "ok", "more")


def question_data(facts: Facts) -> list[str]:
    found = ["q", "q:ask", "q:zz:1", "q:ans:1:extra"]
    return found + [f"q:{a}:{q}" for q in [*_ids(facts, "questions"), *GARBAGE]
                    for a in QUESTION_ACTIONS]


def question_may(facts: Facts, who: int, data: str, _chat: int) -> bool:
    action, question = _part(data, 1), facts.row("questions", _part(data, 2))
    if question is None or len(data.split(":")) != 3:
        return False
    mine = question["user_id"] == facts.uid(who)
    if action == "ask":
        return mine and question["status"] == "draft"
    if action == "more":
        return mine and question["status"] == "answered"
    return action == "ans" and facts.may_answer(who, question) and question["status"] == "open"


def reminder_data(facts: Facts) -> list[str]:
    found = ["r:l", "r:n", "r:w:gemeente", "r:w:other", "r:w:zz", "r:m:202612", "r:m:999912",
             "r:d:20261201", "r:d:99991231", "r:t:1000", "r:t:2500", "r:c:d", "r:c:h",
             "r:c:s", "r:c:x", "r:c:zz", "r:zz"]
    found += [f"r:{a}:{r}" for r in [*_ids(facts, "reminders"), *GARBAGE] for a in "vhox"]
    return found + [f"r:{a}:{r}" for r in [*_ids(facts, "appointments"), *GARBAGE]
                    for a in "ei"]


BROADCAST_ACTIONS = "rlmucithqgfwpsyxokv"
BROADCAST_VALUES = {"r": "member", "w": "nl", "p": "nl", "q": "1", "t": "d20261201",
                    "h": "2026120110"}


def broadcast_data(facts: Facts) -> list[str]:
    found = ["bc:list:0", "bc", "bc:zz:1", "bc:y", "bc:t:1:m999912", "bc:h:1:99991231"]
    for number in _ids(facts, "broadcasts"):
        found += [f"bc:{a}:{number}:{BROADCAST_VALUES.get(a, '')}".rstrip(":")
                  for a in BROADCAST_ACTIONS]
        found.append(f"bc:q:{number}:{facts.world.groups['B']}")
    return found + [f"bc:{a}:{bad}" for bad in GARBAGE for a in "yxo"]


def broadcast_may(facts: Facts, who: int, data: str, _chat: int) -> bool:
    return not data.startswith("bc:list") and facts.may_broadcast(who, _part(data, 2))


def journey_data(_facts: Facts) -> list[str]:
    return ["j:first_steps::o", "j:first_steps::o:1", "j:first_steps:brp:t", "j:first_steps:brp:d",
            "j:first_steps:brp:l", "j:first_steps:brp:b", "j:first_steps:brp:s",
            "j:first_steps:brp:g", "j:first_steps:brp:c9", "j:first_steps:brp:c²",
            "j:first_steps:digid:t", "j:housing::o", "j:zz::o", "j:first_steps:zz:l", "j"]


def journey_may(facts: Facts, who: int, data: str, _chat: int) -> bool:
    """🤝 Ask my group to help: a newcomer of a group, on the step they are at."""
    if _part(data, 3) != "t" or not any(GROUP_ROLES[g].get(who) is Role.NEWCOMER
                                        for g in GROUP_ROLES):
        return False
    return any(r["user_id"] == facts.uid(who) and r["journey"] == _part(data, 1)
               and r["node"] == _part(data, 2) for r in facts.rows("journey_progress"))


def admin_data(_facts: Facts) -> list[str]:
    return [f"adm:erase:{LONER}", f"adm:erase:{COORD_A}", "adm:erase:²", "adm:erase:123",
            f"adm:erase:{'9' * 20}", "adm:zz", "adm"]


def admin_may(facts: Facts, who: int, data: str, _chat: int) -> bool:
    return who == ADMIN and data.startswith("adm:erase:") and _part(data, 2) in {
        str(t) for t in facts.world.users}


# Directory entries of the world (tests/roles_world.py) and who keeps them: admins all,
# a coordinator those in their groups' municipalities (A: Utrecht, B: Amsterdam).
DIRECTORY_KEEPERS = {"dir-a": {ADMIN, COORD_A}, "dir-b": {ADMIN, COORD_B}, "dir-n": {ADMIN}}
DIRECTORY_ACTIONS = ("o", "ok", "x", "ap", "k", "th", "t:legal", "t:debt", "ar", "a:GM0344",
                     "a:GM0363", "a:national", "e:ph")


def directory_data(_facts: Facts) -> list[str]:
    return ["dm:l", "dm:l:1", "dm:n", "dm:n:legal", "dm:n:legal:GM0344", "dm:n:legal:GM0363",
            "dm:n:legal:national", "dm:n:zz", "dm:zz",
            *(f"dm:{a}:{e}" for a in DIRECTORY_ACTIONS for e in [*DIRECTORY_KEEPERS, "zz"])]


def directory_may(_facts: Facts, who: int, data: str, _chat: int) -> bool:
    """An entry changes only by a press of one of its keepers."""
    return who in DIRECTORY_KEEPERS.get(data.rsplit(":", 1)[-1], set())


def _fixed(*datas: str) -> Data:
    return lambda _facts: list(datas)


@dataclass(frozen=True)
class Rule:
    """How one prefix or command is tried, and who may change others' data with it."""

    data: Data
    may: May = never


# Who MAY change other people's data, in short (the functions above are the exact rules):
#
#   object                               may change it
#   a group's tasks (claim, give back,   permissions.RULES for the person's role in the task's
#     done, cancel, give to, who sees,     group: admin, the organisation's coordinators, the
#     category, history, comments)         members; the newcomer: done / ask for help on tasks
#                                          shared with them. Members give back only what they
#                                          carry and cancel only what they made. In a group
#                                          chat, only tasks of the group linked to that chat.
#   a group's invites, chat link code,   RULES: INVITE_MEMBER, INVITE_NEWCOMER (leads only),
#     support plan                         LINK_CHAT, APPLY_PLAN (leads only)
#   a group being set up (its date)      the lead whose state names it
#   a new task from a task draft         the draft's author, in the chat where it was started
#   a question                           its asker (send the draft, ask again after an
#                                          answer, add to it); the people it went to (admin,
#                                          that organisation's coordinators, the group's
#                                          members when the newcomer shares): take and answer
#   a broadcast                          its author and admins; a new one: coordinators, admins
#   an organisation, coordinator invite  admins
#   a person's data, erased              admins (adm:erase), and the person (priv:erase)
#   reminders, appointments, profile,    nobody else: forged ids of other people's things
#     progress, language, consent          change nothing
#
# Everything else (views, one's own settings and dialogs) changes nobody else's rows.

MENU_ACTIONS = ("me", "lang", "privacy", "help", "edit", "mute", "home")
PREFIXES: dict[str, Rule] = {
    "t": Rule(task_data, task_may),
    "tn": Rule(draft_data, draft_may),
    "g": Rule(group_data, group_may),
    "ga": Rule(arrival_data, arrival_may),
    "nt": Rule(newcomer_data, newcomer_may),
    "q": Rule(question_data, question_may),
    "r": Rule(reminder_data),  # only one's own appointments and reminders
    "bc": Rule(broadcast_data, broadcast_may),
    "inv": Rule(_fixed("inv:y", "inv:n", "inv:zz")),  # only with one's own pending invite
    # Erasing oneself anonymises one's tasks and ends one's memberships: one's own right.
    "priv": Rule(_fixed("priv:yes", "priv:no", "priv:more", "priv:del", "priv:keep",
                        "priv:show", "priv:erase", "priv:zz"),
                 lambda _f, _w, data, _c: data == "priv:erase"),
    "menu": Rule(_fixed(*(f"menu:{a}" for a in [*MENU_ACTIONS, "back", "zz"]))),
    "lang": Rule(_fixed("lang:nl", "lang:ar", "lang:xx")),
    # "yes, there is danger" under the safety question: public numbers, one's own kept question
    "cr": Rule(_fixed("cr:y:suicide:me", "cr:y:medical:other", "cr:y:zz:me")),
    "ob": Rule(_fixed("ob:role:newcomer", "ob:role:admin", "ob:sit:refugee", "ob:kids:no",
                      "ob:muni:skip", "ob:muni:GM0344", "ob:muni:retry", "ob:arr:skip",
                      "ob:arr:2026-11", "ob:zz")),
    "j": Rule(journey_data, journey_may),
    "steps": Rule(_fixed("steps:", "steps:other", "steps:zz")),
    "faq": Rule(_fixed("faq:-:n", "faq:zz:a", "faq:zz:s")),
    "ci": Rule(_fixed("ci:g", "ci:o", "ci:b", "ci:zz")),
    "adm": Rule(admin_data, admin_may),
    "mydata": Rule(_fixed("mydata:get", "mydata:zz")),
    "dir": Rule(_fixed("dir:t", "dir:r:legal", "dir:r:legal:1", "dir:r:zz", "dir:m:dir-a",
                       "dir:m:zz", "dir:zz")),
    "dm": Rule(directory_data, directory_may),
    # volunteering: one's own wishes and interests; answers only on matches (none here)
    "vw": Rule(_fixed("vw:h", "vw:m", "vw:m:1", "vw:i:zz", "vw:y:zz:0", "vw:y:zz:1", "vw:l",
                      "vw:e", "vw:pi:cooking", "vw:pd:sat", "vw:pl:ar", "vw:pp:GM0344",
                      "vw:pv:A1", "vw:pa:yes", "vw:n", "vw:s", "vw:zz")),
    "vc": Rule(_fixed("vc:1:a", "vc:1:d", "vc:1:c", "vc:sm:202612", "vc:sd:20261201",
                      "vc:sn", "vc:zz")),
    "vu": Rule(_fixed("vu:1:1:n:y", "vu:1:1:o:n", "vu:1:2:n:w", "vu:zz")),
    # coordinators keeping volunteering: no opportunity in this world, so nothing changes
    # (tests/test_telegram_volunteer_admin.py presses them on real ones, area by area)
    "vco": Rule(_fixed("vco:l:1", "vco:o:zz", "vco:ok:zz", "vco:x:zz", "vco:xy:zz",
                       "vco:r:zz", "vco:p:2:zz", "vco:py:0:zz", "vco:n:202612", "vco:zz")),
}
# Every kind of payload the router reads under each prefix (its shape after the prefix),
# against the kinds this file knows and tries: a new one must be added to the data (and, if
# it changes others' data, to the rule) above.
SHAPES: dict[str, set[str]] = {
    "t": {"{task}:v", "{task}:c", "{task}:u", "{task}:d", "{task}:x", "{task}:r",
          "{task}:a:{person}", "{task}:w", "{task}:m", "{task}:k", "{task}:k:{category}",
          "{task}:n", "{task}:h"},
    "tn": {"{group}", "m:{month}", "d:{day}", "n", "t:{value}", "t:n", "a:me", "a:any",
           "a:{value}", "x"},
    "g": {"h:{page}", "o:{group}", "l:{group}:{kind}:{page}", "i:{group}:{role}",
          "r:{group}:{role}", "c:{group}", "p:{group}", "p:{group}:y", "n:{organisation}",
          "m:skip", "ci:{organisation}", "v"},
    "ga": {"m:{month}", "d:{day}", "n"},
    "nt": {"l:{page}", "s", "v:{task}", "k:{task}", "h:{task}"},
    "q": {f"{a}:{{question}}" for a in QUESTION_ACTIONS},
    "r": {"l", "n", "w:{value}", "m:{month}", "d:{day}", "t:{value}", "c:d", "c:h", "c:s",
          "c:x",
          *(f"{a}:{{reminder}}" for a in "vhox"), *(f"{a}:{{appointment}}" for a in "ei")},
    "bc": {"list:0", "t:{key}:m{month}", "t:{key}:d{day}", "r:{key}:{value}",
           "h:{key}:{value}", "q:{key}:{value}", "w:{key}:{value}", "p:{key}:{value}",
           *(f"{a}:{{key}}" for a in BROADCAST_ACTIONS if a not in "rhwp")},
    "inv": {"{join}"},
    "priv": {"{answer}", "more", "del", "erase", "keep"},
    "menu": {"back", *MENU_ACTIONS},
    "lang": {"{code}"},
    "cr": {"y:{kind}:{about}"},
    "ob": {f"{step}:{{value}}" for step in ("role", "sit", "kids", "muni", "arr")},
    "j": {"{journey}::o:{page}", "{journey}:{node}:c{index}",
          *(f"{{journey}}:{{node}}:{a}" for a in "gdlbst")},
    "steps": {"", "other"},
    "faq": {"{entry}:a", "{entry}:s", "-:n"},
    "ci": {"{mood}"},
    "adm": {"erase:{telegram_id}"},
    "mydata": {"get"},
    "dir": {"t", "r:{theme}:{page}", "m:{entry}"},
    "dm": {"l:{page}", *(f"{a}:{{entry}}" for a in ("o", "ok", "x", "ap", "k", "th", "ar")),
           "t:{theme}:{entry}", "a:{code}:{entry}", "e:{field}:{entry}", "n", "n:{theme}",
           "n:{theme}:{code}"},
    "vw": {"h", "m:{page}", "i:{opportunity}", "y:{opportunity}:{tell}", "l", "e",
           *(f"{a}:{{value}}" for a in ("pi", "pd", "pl", "pp", "pv", "pa")), "n", "s"},
    "vc": {"{match}:{answer}", "sm:{month}", "sd:{day}", "sn"},
    "vu": {"{match}:{round}:{side}:{answer}"},
    "vco": {"l:{page}", "o:{opportunity}", "ok:{opportunity}", "x:{opportunity}",
            "xy:{opportunity}", "r:{opportunity}", "p:{places}:{opportunity}",
            "py:{places}:{opportunity}", "n:{month}"},
}


def _answer_args(facts: Facts) -> list[str]:
    return [*(f"{q} Antwoord" for q in _ids(facts, "questions")), "", "abc",
            "² x", f"{'9' * 20} x"]


def _answer_may(facts: Facts, who: int, text: str, _chat: int) -> bool:
    question = facts.row("questions", text.partition(" ")[0])
    return question is not None and facts.may_answer(who, question) and \
        question["status"] == "open"


def _link_may(facts: Facts, who: int, code: str, chat: int) -> bool:
    return chat not in LINKED and code == facts.world.link_code_b and \
        GROUP_ROLES["B"].get(who, Role.NONE) in RULES[Action.LINK_CHAT]


def _tasks_may(facts: Facts, who: int, _text: str, chat: int) -> bool:
    """/tasks in a linked chat puts the board there (helpers of that group only)."""
    return chat in LINKED and GROUP_ROLES[LINKED[chat]].get(who, Role.NONE) \
        in RULES[Action.VIEW_TASKS]


VIEWS = ("help", "menu", "steps", "language", "privacy", "delete", "reminders", "groups",
         "overview", "inbox", "broadcasts", "mydata", "audit", "dashboard", "help_near",
         "directory", "volunteer", "volunteering")
COMMANDS: dict[str, Rule] = {
    **{name: Rule(_fixed("", "extra words")) for name in VIEWS},
    "start": Rule(_fixed("", "i_wrongtoken", "i_", "x_y", "i_" + "A" * 30)),
    "neworg": Rule(_fixed("", "Nieuwe organisatie", "x"),
                   lambda _f, who, text, _c: who == ADMIN and len(text) >= 2),
    "broadcast": Rule(_fixed(""), lambda _f, who, _t, _c: who in (ADMIN, COORD_A, COORD_B)),
    "answer": Rule(_answer_args, _answer_may),
    "erase": Rule(_fixed(str(LONER), "", "²", "9" * 20)),  # only asks; the button erases
}
GROUP_COMMANDS: dict[str, Rule] = {
    "link": Rule(lambda f: ["", "DEADBEEF", f.world.link_code_b], _link_may),
    "newtask": Rule(_fixed("", "Taak uit de chat", "ab")),  # starts one's own draft only
    "tasks": Rule(_fixed(""), _tasks_may),
}


def _follow_up_may(facts: Facts, who: int, _text: str, _chat: int) -> bool:
    """Text typed while one's question is with a person is added to it (helpers hear it)."""
    return any(r["user_id"] == facts.uid(who) and r["status"] in ("open", "taken")
               for r in facts.rows("questions"))


TEXT = Rule(_fixed("Een vraag over <b>niets</b> & meer"), _follow_up_may)


# ---------------------------------------------------------------- running attempts


@dataclass(frozen=True)
class Attempt:
    """One input by one person in one chat, and whether it may change others' data."""

    who: int
    chat: int  # the person's own id for their private chat
    kind: Kind
    value: str  # button data, command arguments, or text
    command: str = ""
    may: bool = False
    control: bool = False  # a positive control: it must change others' data

    @property
    def private(self) -> bool:
        return self.chat == self.who

    def event(self) -> Incoming:
        return Incoming(self.who, self.chat, self.kind, text=self.value if self.kind
                        is not Kind.BUTTON else "", command=self.command,
                        data=self.value if self.kind is Kind.BUTTON else "",
                        private=self.private, first_name=NAMES[self.who],
                        reply_to=1 if self.kind is Kind.TEXT and not self.private else None)

    def __str__(self) -> str:
        where = "private" if self.private else f"chat {self.chat}"
        name = next(k for k, v in ROLES.items() if v == self.who)
        shown = f"/{self.command} {self.value}" if self.command else self.value
        return f"{name} ({where}): {shown!r}"


def attempts_of(facts: Facts, who: int, buttons: set[str]) -> list[Attempt]:
    """Everything one person tries: in private, then in a linked and an unlinked group chat
    (there every command is tried; only the group commands and buttons may do anything)."""
    found = [*_tried(facts, who, who, COMMANDS, Kind.COMMAND),
             *_tried(facts, who, who, {"": TEXT}, Kind.TEXT)]
    found += _pressed(facts, who, who, PREFIXES)
    for chat in GROUP_CHATS:
        found += _tried(facts, who, chat, {**{c: Rule(_fixed("")) for c in COMMANDS},
                                           **GROUP_COMMANDS}, Kind.COMMAND)
        found += [Attempt(who, chat, Kind.BUTTON, f"{p}:1") for p in PREFIXES
                  if p not in buttons]  # not for group chats: silently ignored there
        found += _tried(facts, who, chat, {"": Rule(_fixed("Antwoord <i>in de chat"))},
                        Kind.TEXT)
    if any(who in roles for roles in GROUP_ROLES.values()) or who == STRANGER:
        # People in no group at all press like the stranger does: that run covers them.
        found += _pressed(facts, who, CHAT_A, {p: r for p, r in PREFIXES.items()
                                               if p in buttons})
    tasks = facts.world.tasks
    return found + [Attempt(who, CHAT_C, Kind.BUTTON, data, may=PREFIXES[data.split(":")[0]]
                            .may(facts, who, data, CHAT_C)) for data in (
        f"t:{tasks['a_open']}:c", f"t:{tasks['b_open']}:d", f"t:{tasks['a_hidden']}:r",
        "tn:a:any", f"q:ans:{facts.world.questions['open']}")]


def _tried(facts: Facts, who: int, chat: int, table: dict[str, Rule],
           kind: Kind) -> list[Attempt]:
    return [Attempt(who, chat, kind, value, command=name,
                    may=rule.may(facts, who, value, chat))
            for name, rule in table.items() for value in rule.data(facts)]


def _pressed(facts: Facts, who: int, chat: int, table: dict[str, Rule]) -> list[Attempt]:
    found = []
    for prefix, rule in table.items():
        datas = [*rule.data(facts), prefix, f"{prefix}:", f"{prefix}:zz:²:{'9' * 30}"]
        found += [Attempt(who, chat, Kind.BUTTON, data, may=rule.may(facts, who, data, chat))
                  for data in dict.fromkeys(datas)]
    return found


@dataclass
class Matrix:
    """The world on its own event loop, the frozen template, and what was found."""

    loop: asyncio.AbstractEventLoop
    world: World
    probe: Probe
    facts: Facts

    def run(self, attempts: list[Attempt]) -> list[str]:
        """Try each input on the frozen world; return every problem found."""
        return self.loop.run_until_complete(self._run(attempts))

    async def _run(self, attempts: list[Attempt]) -> list[str]:
        problems: list[str] = []
        for attempt in attempts:
            try:
                outcome = await self.world.handle(attempt.event())
            except Exception as error:  # every exception is a finding
                problems.append(f"{attempt}: {type(error).__name__}: {error}")
                self.probe.restore()
                continue
            problems += [f"{attempt}: {p}" for p in outcome_problems(outcome)]
            problems += [f"{attempt}: {p}" for p in leaks(self.facts, attempt, outcome)]
            problems += self._changes(attempt)
        return problems

    def _changes(self, attempt: Attempt) -> list[str]:
        changed = self.probe.changed()
        if not changed:
            return [f"{attempt}: positive control changed nothing"] if attempt.control else []
        after = {**self.facts.snap, **self.probe.snapshot(changed | {"users"})}
        self.probe.restore(changed)
        found = others_changed(self.facts, after, attempt, changed)
        problems = own_reference_problems(self.facts, after, attempt)
        if found and not attempt.may:
            problems.append(f"{attempt}: changed others' data: {found}")
        if attempt.control and not found:
            problems.append(f"{attempt}: positive control changed nothing of others")
        return problems


def _actor_ids(after: Snapshot, attempt: Attempt) -> int:
    users = records(after["users"])
    return next((int(str(u["id"])) for u in users if u["telegram_id"] == attempt.who), 0)


def _own(table: str, row: dict[str, object], uid: int, attempt: Attempt) -> bool:
    """Rows of the person acting: their user row, progress, drafts, messages to themselves."""
    if table == "users":
        return row["telegram_id"] == attempt.who
    if table == "outbox":
        return row["chat_id"] == attempt.who
    if table == "chat_sends":  # the group chat's message budget, used by any reply there
        return row["chat_id"] == attempt.chat
    if table == "faq_outcomes":  # counts without people: every typed question adds one
        return True
    return table not in SHARED_WITH_USER_ID and row.get("user_id", -1) == uid


def others_changed(facts: Facts, after: Snapshot, attempt: Attempt,
                   changed: set[str]) -> dict[str, str]:
    """Per table, what changed in rows that are not the actor's own."""
    uid = _actor_ids(after, attempt)
    found = {}
    for table in sorted(changed):
        old = {tuple(r.items()) for r in facts.rows(table) if not _own(table, r, uid, attempt)}
        new = {tuple(r.items()) for r in records(after[table]) if not _own(table, r, uid,
                                                                              attempt)}
        if old != new:
            found[table] = f"-{sorted(map(dict, old - new), key=str)[:2]} " \
                           f"+{sorted(map(dict, new - old), key=str)[:2]}"
    return found


def own_reference_problems(facts: Facts, after: Snapshot, attempt: Attempt) -> list[str]:
    """The actor's own rows must not point at things they may not use: that would be the
    first half of a two-step hole (the state names the object the next text changes)."""
    uid = _actor_ids(after, attempt)
    me = next((u for u in records(after["users"]) if u["telegram_id"] == attempt.who), None)
    problems = []
    if me is not None and not state_allowed(facts, after, (attempt.who, uid), str(me["state"])):
        problems.append(f"{attempt}: state now {me['state']!r}")
    if me is not None and me["pending_invite_id"] != _template_user(facts, attempt.who).get(
            "pending_invite_id"):
        problems.append(f"{attempt}: pending invite now {me['pending_invite_id']}")
    for draft in records(after["task_drafts"]):
        if draft["user_id"] == uid and not facts.may_group(attempt.who, Action.CREATE_TASK,
                                                           str(draft["group_id"])):
            problems.append(f"{attempt}: task draft for group {draft['group_id']}")
    return problems


def _template_user(facts: Facts, telegram_id: int) -> dict[str, object]:
    return next((u for u in facts.rows("users") if u["telegram_id"] == telegram_id), {})


def state_allowed(facts: Facts, after: Snapshot, person: tuple[int, int], state: str) -> bool:
    """Whether a state that names an object names one this person may work on."""
    (who, uid), parts, last = person, state.split(":"), state.rsplit(":", 1)[-1]
    checks: dict[str, Callable[[], bool]] = {
        "task:comment": lambda: facts.may_task(who, Action.COMMENT, last),
        "task:notes": lambda: facts.may_task(who, Action.EDIT, last),
        "question:answer": lambda: (q := facts.row("questions", last)) is not None
        and facts.may_answer(who, q),
        "bc:text": lambda: _broadcast_editable(facts, after, who, parts),
        "bc:when": lambda: _broadcast_editable(facts, after, who, parts),
        "group:name": lambda: who == ADMIN or who in COORDINATES.get(facts.org_key(
            int(last) if last.isdigit() else 0), ()),
        "group:municipality": lambda: _setting_up(facts, after, who, last),
        "group:arrival": lambda: _setting_up(facts, after, who, last),
        "remind": lambda: any(str(a["id"]) == last and a["user_id"] == uid
                              for a in records(after["appointments"])),
        "dm:e": lambda: who in DIRECTORY_KEEPERS.get(last, set()),
        "dm:n": lambda: who == ADMIN or (who, last) in {(COORD_A, "GM0344"),
                                                         (COORD_B, "GM0363")},
    }
    key = next((k for k in checks if state.startswith(f"{k}:")), None)
    return key is None or checks[key]()


def _broadcast_editable(facts: Facts, after: Snapshot, who: int, parts: list[str]) -> bool:
    number = parts[2] if len(parts) > 2 else ""
    found = next((b for b in records(after["broadcasts"]) if str(b["id"]) == number), None)
    return found is not None and (who == ADMIN or found["author_id"] == facts.uid(who))


def _setting_up(facts: Facts, after: Snapshot, who: int, group_id: str) -> bool:
    """A group being set up: an existing one the person leads, or one they just created."""
    if facts.may_group(who, Action.APPLY_PLAN, group_id):
        return True
    created = next((g for g in records(after["groups"]) if str(g["id"]) == group_id), None)
    return created is not None and facts.row("groups", group_id) is None and \
        created["created_by"] == facts.uid(who)


# ---------------------------------------------------------------- what people may see

TASK_MARKS = {"task_a_open": "a_open", "task_a_comment": "a_open",
              "task_a_claimed": "a_claimed", "task_a_hidden": "a_hidden",
              "task_a_done": "a_done", "task_b_open": "b_open"}
QUESTION_MARKS = {"question_answered": "answered", "answer": "answered",
                  "question_open": "open", "question_draft": "draft"}
BROADCAST_MARKS = {"broadcast_a": "a", "broadcast_b": "b", "broadcast_b_sent": "b_sent"}


def may_see(facts: Facts, attempt: Attempt, mark: str) -> bool:
    """Who may read which object, in the chat where the reply appears."""
    world = facts.world
    if mark in TASK_MARKS:
        task = str(world.tasks[TASK_MARKS[mark]])
        if not attempt.private:  # a group chat sees its own group's board, nothing else
            found = facts.row("tasks", task)
            return found is not None and attempt.chat in LINKED and \
                facts.group_key(found["group_id"]) == LINKED[attempt.chat]
        return facts.may_task(attempt.who, Action.VIEW_TASKS, task) or \
            facts.may_task(attempt.who, Action.NEWCOMER_VIEW, task)
    if not attempt.private:
        return False
    if mark in QUESTION_MARKS:
        question = facts.row("questions", str(world.questions[QUESTION_MARKS[mark]]))
        return question is not None and (question["user_id"] == facts.uid(attempt.who)
                                         or facts.may_answer(attempt.who, question))
    if mark in BROADCAST_MARKS:
        return facts.may_broadcast(attempt.who, str(world.broadcasts[BROADCAST_MARKS[mark]]))
    return mark == "appointment_loner" and attempt.who == LONER


def leaks(facts: Facts, attempt: Attempt, outcome: Outcome) -> list[str]:
    """Objects shown to someone who may not see them. Messages are read by everyone in
    the chat; a toast only by the person who pressed."""
    shown = []
    for reply in outcome.replies:
        shown += [reply.text, *(b.label for row in reply.keyboard for b in row)]
        if reply.document is not None:
            shown.append(reply.document.data.decode("utf-8", "replace"))
    text, toast = "\n".join(shown), outcome.toast or ""
    alone = dataclasses.replace(attempt, chat=attempt.who)
    return [f"shows {key} ({word})" for key, word in MARK.items()
            if (word in text and not may_see(facts, attempt, key))
            or (word in toast and not may_see(facts, alone, key))]


# ---------------------------------------------------------------- the tests


@pytest.fixture(scope="module")
def matrix() -> Iterator[Matrix]:
    """The frozen world, opened on this module's own event loop."""
    built, template = base()
    loop = asyncio.new_event_loop()
    folder = Path(tempfile.mkdtemp(prefix="wegwijs-matrix-"))
    world = copy_of(built, template, folder, "matrix.db")
    facts = Facts(world, snapshot(template, tables(template)))
    probe = open_probe(world.url, template)
    yield Matrix(loop, world, probe, facts)
    probe.close()
    loop.run_until_complete(world.core.db.close())
    loop.close()
    discard(world.url)


def test_every_command_and_prefix_is_classified(matrix: Matrix) -> None:
    router = matrix.world.core.router
    assert set(router.commands) == set(COMMANDS), "classify new commands in COMMANDS"
    assert set(router.group_commands) == set(GROUP_COMMANDS), "classify them in GROUP_COMMANDS"
    assert set(router.buttons) == set(PREFIXES), "classify new button prefixes in PREFIXES"
    assert router.group_buttons <= set(PREFIXES)
    assert set(SHAPES) == set(PREFIXES)
    for prefix, known in SHAPES.items():
        shapes = {kind.shape for kind in router.buttons[prefix]}
        assert shapes == known, f"classify the new payloads of {prefix!r}: {shapes ^ known}"


@pytest.mark.parametrize("role", list(ROLES))
def test_no_role_changes_or_sees_what_it_may_not(matrix: Matrix, role: str) -> None:
    router = matrix.world.core.router
    attempts = attempts_of(matrix.facts, ROLES[role], router.group_buttons)
    problems = matrix.run(attempts)
    assert not problems, f"{len(problems)} problems in {len(attempts)} attempts:\n" + \
        "\n".join(problems[:40])


def controls(facts: Facts) -> list[Attempt]:
    """Permitted inputs that do change others' data: proof that the checks can fail."""
    world, tasks = facts.world, facts.world.tasks
    group_a = world.groups["A"]
    presses = [(MEMBER_A, MEMBER_A, f"t:{tasks['a_open']}:c"),
               (COORD_A, COORD_A, f"t:{tasks['a_hidden']}:w"),
               (MEMBER_A, MEMBER_A, f"t:{tasks['a_claimed']}:u"),
               (NEWCOMER_A, NEWCOMER_A, f"nt:k:{tasks['a_open']}"),
               (NEWCOMER_A, NEWCOMER_A, f"nt:h:{tasks['a_open']}"),
               (NEWCOMER_A, NEWCOMER_A, "nt:s"),
               (NEWCOMER_A, NEWCOMER_A, "j:first_steps:brp:t"),
               (NEWCOMER_A, NEWCOMER_A, f"q:more:{world.questions['answered']}"),
               (COORD_B, COORD_B, f"q:ans:{world.questions['open']}"),
               (COORD_B, COORD_B, f"bc:g:{world.broadcasts['b']}"),
               (ADMIN, ADMIN, f"bc:k:{world.broadcasts['b_sent']}"),
               (MEMBER_A, MEMBER_A, f"g:i:{group_a}:m"),
               (COORD_A, COORD_A, f"g:p:{group_a}:y"),
               (COORD_B, COORD_B, "ga:d:20261201"),
               (ADMIN, ADMIN, f"g:ci:{world.orgs['B']}"),
               (ADMIN, ADMIN, f"adm:erase:{LONER}"),
               (MEMBER_B, MEMBER_B, "priv:erase"),
               (MEMBER_A, CHAT_A, "tn:a:any"),
               (COORD_A, CHAT_A, f"t:{tasks['a_hidden']}:d")]
    found = [Attempt(who, chat, Kind.BUTTON, data, control=True,
                     may=PREFIXES[data.split(":")[0]].may(facts, who, data, chat))
             for who, chat, data in presses]
    commands = [(ADMIN, ADMIN, "neworg", "Organisatie C"),
                (COORD_A, COORD_A, "broadcast", ""),
                (COORD_B, COORD_B, "answer", f"{world.questions['open']} Ja"),
                (MEMBER_B, CHAT_C, "link", world.link_code_b),
                (MEMBER_A, CHAT_A, "tasks", "")]
    for who, chat, name, text in commands:
        table = COMMANDS if chat == who else GROUP_COMMANDS
        found.append(Attempt(who, chat, Kind.COMMAND, text, command=name, control=True,
                             may=table[name].may(facts, who, text, chat)))
    found.append(Attempt(LONER, LONER, Kind.TEXT, "Nog een vraag", control=True,
                         may=TEXT.may(facts, LONER, "", LONER)))
    return found


def test_permitted_actions_do_change_the_world(matrix: Matrix) -> None:
    found = controls(matrix.facts)
    assert all(a.may for a in found), [str(a) for a in found if not a.may]
    problems = matrix.run(found)
    assert not problems, "\n".join(problems)


def test_a_hole_would_be_found(matrix: Matrix) -> None:
    """The same permitted change, marked as forbidden, is reported: the check can fail."""
    tasks = matrix.world.tasks
    forged = Attempt(MEMBER_A, MEMBER_A, Kind.BUTTON, f"t:{tasks['a_open']}:c", may=False)
    problems = matrix.run([forged])
    assert len(problems) == 1 and "changed others' data" in problems[0], problems
    shown = Outcome([Reply(f"#{tasks['b_open']} {MARK['task_b_open']}")])
    assert leaks(matrix.facts, forged, shown) == ["shows task_b_open (ZQBTAAK)"]
