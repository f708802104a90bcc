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

ONBOARDING = (LANGUAGE, PRIVACY, ROLE, SITUATION, CHILDREN, MUNICIPALITY, ARRIVAL)


def in_onboarding(state: str) -> bool:
    """Whether the user has not finished the first questions yet."""
    return state in ONBOARDING
