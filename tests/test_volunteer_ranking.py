"""The ranking's promises (issue 22): what fits more ranks higher, a Dutch level above the
person's never wins over none, a full place is not offered, and the reasons are named."""

from __future__ import annotations

from bot.core.volunteer.ranking import Offer, Wish, rank

UTRECHT = "GM0344"
PERSON = Wish(interests=frozenset({"cooking", "sports"}), days=frozenset({"sat", "sun"}),
              languages=frozenset({"ar", "nl"}), municipality=UTRECHT, dutch_level="A1")


def offer(id: str, **changes: object) -> Offer:
    """An opportunity in Utrecht that fits nothing but the place, unless changed."""
    fields: dict[str, object] = dict(
        id=id, interests=("administration",), days=("tue",), languages=("en",),
        municipality=UTRECHT, online=False, dutch_level="none", free_places=1)
    fields.update(changes)
    return Offer(**fields)  # type: ignore[arg-type]


def test_interests_days_and_language_rank_above_only_the_place() -> None:
    """A kitchen on Saturday where Arabic is spoken beats a desk job that is merely near."""
    near = offer("near")
    fits = offer("fits", interests=("cooking",), days=("sat",), languages=("ar",),
                 municipality="GM0363")
    assert [r.id for r in rank(PERSON, [near, fits])] == ["fits", "near"]


def test_b1_does_not_rank_above_none_for_a_person_at_a1() -> None:
    """The same place asking B1 falls below the one asking nothing, and says why."""
    b1 = offer("b1", interests=("cooking", "sports"), days=("sat", "sun"), dutch_level="B1")
    none = offer("none", interests=("cooking", "sports"), days=("sat", "sun"))
    first, second = rank(PERSON, [b1, none])
    assert (first.id, second.id) == ("none", "b1")
    assert ("dutch", "B1") in second.missing and second.parts["dutch"] < 0
    a1 = offer("a1", interests=("cooking",), dutch_level="A1")
    assert rank(PERSON, [a1])[0].parts["dutch"] == 0


def test_a_full_opportunity_is_not_offered() -> None:
    """No free place: not in the list at all, however well it fits."""
    full = offer("full", interests=("cooking",), days=("sat",), free_places=0)
    assert [r.id for r in rank(PERSON, [full, offer("near")])] == ["near"]


def test_the_reasons_name_what_fits_and_what_is_missing() -> None:
    """cooking ✓ Saturday ✓ Arabic ✓ place ✓; a day that does not fit is named as missing."""
    found = rank(PERSON, [offer("k", interests=("cooking", "music"), days=("sat", "wed"),
                                languages=("nl", "ar"))])[0]
    assert found.fits == (("interest", "cooking"), ("day", "sat"), ("language", "nl"),
                          ("place", UTRECHT))
    other = rank(PERSON, [offer("w", days=("wed",), online=True, municipality=None)])[0]
    assert ("day", "wed") in other.missing and ("online", "") in other.fits


def test_an_empty_profile_still_gets_every_open_place() -> None:
    """Someone who skipped every question gets every open place; an unknown Dutch level
    counts as none, so the place asking A2 comes after the one asking nothing."""
    ranked = rank(Wish(), [offer("b"), offer("a", dutch_level="A2")])
    assert [r.id for r in ranked] == ["b", "a"]
    assert ranked[0].score == 0 and ranked[0].missing == ()
