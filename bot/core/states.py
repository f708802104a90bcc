"""Names of the conversation states a user can be in; stored in users.state."""

from __future__ import annotations

LANGUAGE = "onboarding:language"
PRIVACY = "onboarding:privacy"
ROLE = "onboarding:role"
SITUATION = "onboarding:situation"
CHILDREN = "onboarding:children"
MUNICIPALITY = "onboarding:municipality"
ARRIVAL = "onboarding:arrival"
MENU = "menu"
JOURNEY_PREFIX = "journey:"  # followed by the journey id: reading a step of that journey

ONBOARDING = (LANGUAGE, PRIVACY, ROLE, SITUATION, CHILDREN, MUNICIPALITY, ARRIVAL)


def journey(journey_id: str) -> str:
    """The state of someone reading a step of this journey."""
    return f"{JOURNEY_PREFIX}{journey_id}"


def journey_of(state: str) -> str | None:
    """The journey someone is reading, if any."""
    return state.removeprefix(JOURNEY_PREFIX) if state.startswith(JOURNEY_PREFIX) else None


def in_onboarding(state: str) -> bool:
    """Whether the user has not finished the first questions yet."""
    return state in ONBOARDING

INVITE = "invite"  # deciding whether to accept the invite in users.pending_invite_id
GROUP_NAME = "group:name"  # a coordinator typing the name of a new group
GROUP_MUNICIPALITY = "group:municipality"  # … its municipality
GROUP_ARRIVAL = "group:arrival"  # … the newcomer's arrival date (calendar)
TASK_TITLE = "task:title"  # typing the title of a new task
TASK_COMMENT = "task:comment"  # followed by ":<task id>": typing a comment on that task
TASK_NOTES = "task:notes"  # followed by ":<task id>": typing the notes of that task


def task_in(state: str) -> int | None:
    """The task someone is commenting on or writing notes for, if any."""
    prefix, _, rest = state.rpartition(":")
    return int(rest) if prefix in (TASK_COMMENT, TASK_NOTES) and rest.isdigit() else None
