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
