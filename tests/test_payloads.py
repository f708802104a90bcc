"""The button-data codec: what it writes reads back the same, fits Telegram's 64 bytes, and
anything malformed, forged or cut short is one BadPayload, for every kind the bot uses.

How such data is answered in a chat (kindly, without an exception) is tested with people in
every state in tests/test_properties.py.
"""

from __future__ import annotations

import contextlib
import functools
from datetime import date, datetime, time
from typing import Annotated, Any, Generic, Literal, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.app import build_router, load_content
from bot.core.payloads import (
    BadPayload,
    Codec,
    Count,
    Month,
    Number,
    Payload,
    Stamp,
    Word,
    decode,
)
from bot.core.ports import CALLBACK_DATA_LIMIT
from tests.forged import garbled


class Stop(Payload, prefix="x", action="k"):
    number: int


class Pick(Payload, prefix="x", shape="t:{number}:d{day}"):
    number: int
    day: date


class Page(Payload, prefix="x", action="m"):
    month: Month


class At(Payload, prefix="x", action="h"):
    number: int
    at: Annotated[datetime, Stamp("%Y%m%d%H", datetime)]
    clock: time


class Open(Payload, prefix="x", shape="{topic}::o"):
    topic: str


class Home(Payload, prefix="x", shape="p:{page}"):
    page: Count | None = None


class Mood(Payload, prefix="y"):
    mood: Literal["g", "o", "b"]


class Plain(Payload, prefix="z"):
    pass


class Pair(Payload, prefix="x", action="2"):
    first: str
    second: str


T = TypeVar("T")
KINDS: list[type[Payload]] = [Stop, Pick, Page, At, Open, Home, Mood, Plain]


@functools.cache
def registered() -> dict[str, list[type[Payload]]]:
    """Every kind of button data the bot reads, by prefix."""
    content = load_content()
    return build_router(content.journeys, content.answers).buttons


def every_kind() -> list[type[Payload]]:
    return [kind for found in registered().values() for kind in found]


# ---------------------------------------------------------------- examples


@pytest.mark.parametrize(("value", "data"), [
    (Stop(12), "x:k:12"),
    (Pick(3, date(2026, 11, 23)), "x:t:3:d20261123"),
    (Page(date(2026, 12, 1)), "x:m:202612"),
    (At(3, datetime(2026, 11, 23, 10), time(9, 30)), "x:h:3:2026112310:0930"),
    (Open("first_steps"), "x:first_steps::o"),
    (Home(), "x:p"),
    (Home(0), "x:p:0"),
    (Mood("b"), "y:b"),
    (Plain(), "z"),
])
def test_the_wire_format_is_compact_and_reads_back(value: Payload, data: str) -> None:
    assert value.encode() == data
    assert decode(data, KINDS) == value
    assert type(value).decode(data) == value


def test_a_bare_prefix_with_or_without_colon_is_the_kind_without_fields() -> None:
    assert Plain.decode("z:") == Plain.decode("z") == Plain()


MALFORMED = [
    "", ":", "x", "x:", "x:k", "x:k:", "x:k:12:", "x:k:12:13",  # truncated, too long
    "x:k:0", "x:k:-1", "x:k:012", "x:k:²", "x:k:٣", "x:k:1.5", "x:k: 1", "x:k:9999999999",
    "x:zz:1", "X:k:1", "w:k:1", "x:K:1",  # unknown action or prefix
    "x:t:3:20261123", "x:t:3:d2026112", "x:t:3:d20261131", "x:t:3:d00011201",
    "x:t:3:d99991231", "x:t:3:d٢٠٢٦١١٢٣", "x:t:0:d20261123", "x:m:2026-12", "x:m:20261",
    "x:h:3:2026112324:0930", "x:h:3:2026112310:0960", "x:h:3:2026112310",
    "x:first_steps:x:o", "x:a b::o", "x:é::o", "x:" + "w" * 41 + "::o", "x:::o",
    "x:p:x", "x:p:-1", "y:x", "y:", "y:g:g", "z:z", "x:k:1" + "0" * 60,
]


@pytest.mark.parametrize("data", MALFORMED)
def test_malformed_forged_or_truncated_data_is_one_error(data: str) -> None:
    with pytest.raises(BadPayload):
        decode(data, KINDS)


def test_what_cannot_be_sent_fails_when_it_is_written() -> None:
    with pytest.raises(ValueError, match="cannot be sent"):
        Open("a:b").encode()  # would read as other parts
    with pytest.raises(ValueError, match="cannot be sent"):
        Stop(0).encode()  # ids start at 1
    with pytest.raises(ValueError, match="64 bytes"):
        Pair("w" * 40, "v" * 40).encode()


def test_fields_that_default_to_none_are_optional_at_the_end_or_left_out() -> None:
    class Keyed(Payload, prefix="m", shape="{key}:{number}"):
        number: int
        key: int | None = None
        note: str | None = None  # not in the shape: always None

    assert Keyed(2, key=1).encode() == "m:1:2"
    with pytest.raises(BadPayload):
        Keyed.decode("m:2")  # the key before a number must be sent
    with pytest.raises(ValueError, match="outside the shape"):
        Keyed(2, key=1, note="x").encode()
    assert Home.shape == "p:{page}" and Stop.shape == "k:{number}"


def test_a_generic_base_gives_its_field_the_type_of_its_parameter() -> None:
    class Value(Payload, Generic[T]):
        value: T

    class Clock(Value[time], prefix="c", action="t"):
        pass

    assert Clock(time(9)).encode() == "c:t:0900"
    assert Clock.decode("c:t:0900") == Clock(time(9))


def test_a_shape_must_name_every_field_once() -> None:
    class Missing(Payload, prefix="m", shape="a"):
        number: int

    class Early(Payload, prefix="m", shape="{number}:{number}"):
        number: int

    class Unknown(Payload, prefix="m"):
        when: float

    class Typo(Payload, prefix="m", shape="{numbre}"):
        number: int

    for kind in (Missing, Early, Unknown, Typo):
        with pytest.raises(TypeError):
            kind.parts()


# ---------------------------------------------------------------- every kind the bot uses


def values(codec: Codec) -> st.SearchStrategy[Any]:
    """Values a field of this codec can carry."""
    if isinstance(codec, Number):
        return st.integers(codec.lowest, 10 ** codec.longest - 1)
    if isinstance(codec, Word):
        return (st.sampled_from(sorted(codec.allowed)) if codec.allowed is not None
                else st.from_regex(Word.PATTERN, fullmatch=True))
    assert isinstance(codec, Stamp)
    moments = st.datetimes(datetime(1000, 1, 1), datetime(9998, 12, 31, 23, 59))
    return moments.map(lambda moment: codec.read(codec.write(moment)))


@st.composite
def payloads(draw: st.DrawFn, kind: type[Payload]) -> Payload:
    """A value of `kind` with any fields its codecs allow (optional ones may be left out)."""
    found: dict[str, Any] = {}
    for part in kind.parts():
        if part.field is not None and part.codec is not None:
            value = values(part.codec)
            found[part.field] = draw(st.none() | value if part.optional else value)
    return kind(**found)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_every_kind_the_bot_uses_reads_back_and_survives_garbling(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(every_kind()), label="kind")
    value = data.draw(payloads(kind), label="value")
    try:
        wire = value.encode()
    except ValueError as error:  # two long made-up words need not fit; real ids are short
        assert "64 bytes" in str(error)
        return
    assert len(wire.encode()) <= CALLBACK_DATA_LIMIT
    rivals = registered()[kind.prefix]
    assert decode(wire, rivals) == value, "an earlier kind of the same prefix reads it"
    for bad in garbled(wire):
        with contextlib.suppress(BadPayload):
            decode(bad, rivals)


@given(st.text(max_size=80))
def test_any_text_is_a_payload_or_bad_payload(text: str) -> None:
    prefix = text.partition(":")[0]
    with contextlib.suppress(BadPayload):
        decode(text, registered().get(prefix, []))
