"""What to offer one newcomer: their wishes (profile, else what the bot knows of them) put to
the ranking over the open opportunities near them that still have a free place and that
they have not answered yet; asylum seekers only get places open to them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.volunteer.ranking import Offer, Ranked, Wish, rank
from bot.storage import volunteer as repo
from bot.storage.models import User, VolunteerProfile
from bot.storage.volunteer import Stored


@dataclass(frozen=True)
class Suggestion:
    """One opportunity with its fit."""

    ranked: Ranked
    stored: Stored


def wish(user: User, profile: VolunteerProfile | None) -> Wish:
    """The profile's wishes; languages default to the person's own, the place to theirs."""
    if profile is None:
        return Wish(languages=frozenset([user.locale] if user.locale else []),
                    municipality=user.municipality_code)
    return Wish(frozenset(profile.interests), frozenset(profile.days),
                frozenset(profile.languages or ([user.locale] if user.locale else [])),
                profile.municipality or user.municipality_code, profile.dutch_level)


def waiting_for_asylum(profile: VolunteerProfile | None) -> bool:
    """Without a permit yet: only places whose organisation may take asylum seekers."""
    return bool(profile and profile.asylum_seeker)


async def suggestions(session: AsyncSession, user: User,
                      profile: VolunteerProfile | None) -> list[Suggestion]:
    """Best first; full, closed and already answered opportunities left out."""
    wanted = wish(user, profile)
    found = await repo.open_near(session, wanted.municipality)
    if waiting_for_asylum(profile):
        found = [s for s in found if s.opportunity.open_to_asylum_seekers]
    answered = {m.opportunity_id for m in await repo.matches_of(session, user.id)}
    found = [s for s in found if s.opportunity.id not in answered]
    held = await repo.taken(session, [s.opportunity.id for s in found])
    by_id = {s.opportunity.id: s for s in found}
    offers = [offer_of(s, held.get(s.opportunity.id, 0)) for s in found]
    return [Suggestion(r, by_id[r.id]) for r in rank(wanted, offers)]


def offer_of(stored: Stored, held: int) -> Offer:
    """What the ranking compares; free places are the places minus those `held` by accepted
    and active matches (the one rule the bot and `volunteer match` share)."""
    o = stored.opportunity
    return Offer(o.id, o.interests, o.days, o.languages, o.municipality, o.online,
                 o.dutch_level, o.places - held)
