"""Volunteering's buttons, apart from its screens so that the menu, the Volunteering journey
and the messages to organisations can offer them without importing the feature."""

from __future__ import annotations

from typing import Annotated, Literal

from bot.core.dialogs import Chosen, DayPick, MonthPage, Pressed
from bot.core.payloads import Count, Number, Payload, Word
from bot.core.ports import Button
from bot.i18n import _

Opportunity = Annotated[str, Word()]  # an opportunity's id (letters, digits, _ . -)
Round = Annotated[int, Number(longest=1)]  # which "did it work out?" it answers (1…3)
Side = Literal["n", "o"]  # the newcomer, or the organisation
Outcome = Literal["y", "w", "n"]  # yes, not yet (wait), no


class VolunteerHome(Payload, prefix="vw", action="h"):
    """🤲 Volunteer work: the person's wishes, matches and answers."""


class ShowMatches(Payload, prefix="vw", shape="m:{page}"):
    """The opportunities that fit best, a page of them."""

    page: Count | None = None


class Interested(Payload, prefix="vw", action="i"):
    """🙋 I'm interested: what the organisation will see, before it is sent."""

    opportunity: Opportunity


class SendInterest(Payload, prefix="vw", action="y"):
    """✅ Send it (tell: the sponsor group hears when a place says yes)."""

    opportunity: Opportunity
    tell: Literal["0", "1"]


class MyMatches(Payload, prefix="vw", action="l"):
    """📋 My matches and how each stands."""


class EditWishes(Payload, prefix="vw", action="e"):
    """✏️ My wishes: the profile questions again."""


class PickInterest(Chosen[str], prefix="vw", action="pi"):
    """An interest switched on or off."""


class PickDay(Chosen[str], prefix="vw", action="pd"):
    """A day switched on or off."""


class PickLanguage(Chosen[str], prefix="vw", action="pl"):
    """A language switched on or off."""


class PickPlace(Chosen[str], prefix="vw", action="pp"):
    """The person's own municipality (a CBS code)."""


class PickLevel(Chosen[str], prefix="vw", action="pv"):
    """A Dutch level."""


class PickAsylum(Chosen[str], prefix="vw", action="pa"):
    """Still waiting for an asylum decision: yes or no."""


class NextWish(Pressed, prefix="vw", action="n"):
    """On to the next question (what is chosen stays)."""


class SkipWish(Pressed, prefix="vw", action="s"):
    """Skip this question."""


class Answer(Payload, prefix="vc", shape="{match}:{answer}"):
    """The organisation's answer on a card: accept, decline, or call me first."""

    match: int
    answer: Literal["a", "d", "c"]


class StartPage(MonthPage, prefix="vc", action="sm"):
    """The first agreed date: a calendar page."""


class StartDay(DayPick, prefix="vc", action="sd"):
    """The first agreed date, picked."""


class NoDateYet(Pressed, prefix="vc", action="sn"):
    """📅 Not agreed yet."""


class WorkedOut(Payload, prefix="vu", shape="{match}:{round}:{side}:{answer}"):
    """"Did it work out?": yes, not yet or no, from the newcomer (n) or the organisation (o)."""

    match: int
    round: Round
    side: Side
    answer: Outcome


def volunteer_button() -> Button:
    """🤲 Volunteer work, where another screen leads on to it."""
    return Button(_("🤲 Volunteer work"), VolunteerHome().encode())
