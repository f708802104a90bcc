"""Which opportunities fit a newcomer, best first, and why: each score is the sum of parts a
person can read back ("cooking ✓ Saturday ✓ Arabic ✓") and what is missing is named too.

The weights make the issue's order hold by construction: shared interests weigh most, then
a shared language, then days, then being in the person's own place; a Dutch level above the
person's costs more than a day or the place can earn back, and a full opportunity is never
offered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.core.volunteer.terms import level_rank

INTEREST, INTEREST_CAP = 3, 2  # per shared interest, counted at most twice
LANGUAGE = 2  # any language spoken there that the person speaks
DAY, DAY_CAP = 1, 3  # per shared day, counted at most three times
PLACE, ONLINE = 2, 1  # in the person's municipality; or online
DUTCH_GAP = 4  # per level asked above the person's


@dataclass(frozen=True)
class Wish:
    """What a newcomer would like; every part may be empty (then it neither helps nor hurts)."""

    interests: frozenset[str] = frozenset()
    days: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    municipality: str | None = None
    dutch_level: str | None = None


@dataclass(frozen=True)
class Offer:
    """What an opportunity asks and gives, as the ranking needs it."""

    id: str
    interests: Sequence[str]
    days: Sequence[str]
    languages: Sequence[str]
    municipality: str | None
    online: bool
    dutch_level: str
    free_places: int


@dataclass(frozen=True)
class Ranked:
    """One opportunity's fit: the score, its parts by aspect, and the matching and missing
    things named in the person's terms (codes: interest, day and language codes, `place`,
    `online`, a Dutch level)."""

    id: str
    score: int
    parts: dict[str, int]
    fits: tuple[tuple[str, str], ...] = field(default=())
    missing: tuple[tuple[str, str], ...] = field(default=())


def rank(wish: Wish, offers: Iterable[Offer]) -> list[Ranked]:
    """The offers that still have a place, best first (ties by id, so the order is stable)."""
    ranked = [_score(wish, offer) for offer in offers if offer.free_places > 0]
    return sorted(ranked, key=lambda r: (-r.score, r.id))


def _score(wish: Wish, offer: Offer) -> Ranked:
    """Sum the parts; keep what fits and what is missing for the explanation."""
    fits: list[tuple[str, str]] = []
    missing: list[tuple[str, str]] = []
    shared = [i for i in offer.interests if i in wish.interests]
    fits += [("interest", i) for i in shared]
    if wish.interests and not shared:
        missing += [("interest", i) for i in offer.interests[:2]]
    days = [d for d in offer.days if d in wish.days]
    fits += [("day", d) for d in days]
    if wish.days and offer.days and not days:
        missing += [("day", d) for d in offer.days[:2]]
    spoken = [lang for lang in offer.languages if lang in wish.languages]
    fits += [("language", lang) for lang in spoken[:1]]
    place = _place(wish, offer)
    if place:
        fits.append(("online", "") if place == ONLINE else ("place", offer.municipality or ""))
    gap = max(0, level_rank(offer.dutch_level) - level_rank(wish.dutch_level))
    if gap:
        missing.append(("dutch", offer.dutch_level))
    parts = {"interests": INTEREST * min(len(shared), INTEREST_CAP),
             "languages": LANGUAGE if spoken else 0,
             "days": DAY * min(len(days), DAY_CAP),
             "place": place,
             "dutch": -DUTCH_GAP * gap}
    return Ranked(offer.id, sum(parts.values()), parts, tuple(fits), tuple(missing))


def _place(wish: Wish, offer: Offer) -> int:
    """In the person's own municipality beats online; elsewhere earns nothing."""
    if wish.municipality is not None and offer.municipality == wish.municipality:
        return PLACE
    return ONLINE if offer.online else 0
