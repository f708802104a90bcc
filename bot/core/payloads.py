"""Typed button data: a feature declares what its buttons carry, the codec writes the compact
`prefix:part:part` string Telegram keeps (at most 64 bytes) and reads it back checked.

    class StopBroadcast(Payload, prefix="bc", action="k"):
        number: int

    StopBroadcast(12).encode() == "bc:k:12"

Parts follow `action` and the fields that need a value, in order, unless `shape` spells
them out, for wire formats older buttons in chats still use: `shape="{task}:c"` gives
`t:12:c`, a literal may lead a field (`"t:{number}:d{day}"`) and a part may be empty
(`"{journey}::o"`). Fields are `int` (a positive id: ASCII digits, under 10 of them), a
`Literal` of words, `str` (a word from content: letters, digits, `_`, `.`, `-`), `date`
(yyyymmdd) and `time` (HHMM), or any of these `Annotated` with a `Number`, `Word` or
`Stamp` of other bounds (a generic base's type parameter works too). A field that
defaults to None may be left off the end of the data, or out of the shape (then it is
always None). Reading anything malformed, forged, truncated or too long raises the one
`BadPayload`; the router answers that kindly.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from typing import (
    Annotated,
    Any,
    ClassVar,
    Literal,
    Protocol,
    Self,
    TypeVar,
    Union,
    cast,
    dataclass_transform,
    get_args,
    get_origin,
    get_type_hints,
)

from bot.core.ports import CALLBACK_DATA_LIMIT

SEPARATOR = ":"


class BadPayload(ValueError):
    """Button data (or a state) that no declared payload reads: old, forged or truncated."""


class Codec(Protocol):
    """How one field is written and read; `read` raises ValueError for anything else."""

    def write(self, value: Any) -> str: ...

    def read(self, text: str) -> Any: ...


@dataclass(frozen=True)
class Number:
    """A whole number in ASCII digits, from `lowest`, at most `longest` digits, no leading 0."""

    lowest: int = 1
    longest: int = 9

    def write(self, value: Any) -> str:
        return str(value)

    def read(self, text: str) -> int:
        if not (text.isascii() and text.isdigit() and len(text) <= self.longest) or \
                text != str(int(text)) or int(text) < self.lowest:
            raise ValueError(text)
        return int(text)


@dataclass(frozen=True)
class Word:
    """A token from content or a fixed set: ids of journeys, FAQ entries, municipalities."""

    allowed: frozenset[str] | None = None  # None: any word of the pattern below
    PATTERN: ClassVar[re.Pattern[str]] = re.compile(r"[A-Za-z0-9_.\-]{1,40}")

    def write(self, value: Any) -> str:
        return str(value)

    def read(self, text: str) -> str:
        if not self.PATTERN.fullmatch(text) or (self.allowed is not None
                                                and text not in self.allowed):
            raise ValueError(text)
        return text


@dataclass(frozen=True)
class Stamp:
    """A date, month, time or hour in digits (`%Y%m%d`, `%Y%m`, `%H%M`, `%Y%m%d%H`).

    Only the one spelling `write` gives is read, and years 1 and 9999 are refused: a
    calendar page there would link to a month Python's dates cannot hold.
    """

    pattern: str
    kind: type[date] | type[time] | type[datetime] = date

    def write(self, value: Any) -> str:
        return str(value.strftime(self.pattern))

    def read(self, text: str) -> date | time | datetime:
        moment = datetime.strptime(text, self.pattern)
        if self.write(moment) != text or not date.min.year < moment.year < date.max.year:
            raise ValueError(text)
        if self.kind is datetime:
            return moment
        return moment.time() if self.kind is time else moment.date()


Month = Annotated[date, Stamp("%Y%m")]  # the first day of a month, written yyyymm
Count = Annotated[int, Number(lowest=0)]  # a page, or 0 for "nobody"


@dataclass(frozen=True)
class Part:
    """One colon-separated part of the data: a literal, then perhaps a field."""

    literal: str
    field: str | None
    codec: Codec | None
    optional: bool

    def read(self, text: str) -> Any:
        """The field's value (None for a plain literal); ValueError if it does not fit."""
        if self.field is None or self.codec is None:
            if text != self.literal:
                raise ValueError(text)
            return None
        if not text.startswith(self.literal):
            raise ValueError(text)
        return self.codec.read(text.removeprefix(self.literal))

    def reads_back(self, text: str, value: Any) -> bool:
        """Whether `text` is read as `value` again (a field's value with a colon is not)."""
        try:
            return bool(self.read(text) == value)
        except ValueError:
            return False


_PART = re.compile(r"([^{}]*)(?:\{(\w+)\})?")


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
class Payload:
    """What one kind of button carries; subclasses are frozen dataclasses of their fields."""

    prefix: ClassVar[str] = ""
    shape: ClassVar[str] = ""

    def __init_subclass__(cls, *, prefix: str = "", action: str = "",
                          shape: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclass(frozen=True)(cls)
        if not prefix:
            return  # a base that shares fields; its subclasses name their data
        names = [f.name for f in fields(cast(Any, cls)) if f.default is not None]
        cls.prefix = prefix
        cls.shape = shape if shape is not None else SEPARATOR.join(
            [*([action] if action else []), *(f"{{{name}}}" for name in names)])

    @classmethod
    def parts(cls) -> tuple[Part, ...]:
        """The parts after the prefix, worked out once from the shape and the field types."""
        found: tuple[Part, ...] | None = cls.__dict__.get("_parts")
        if found is None:
            found = _parts(cls)
            cls._parts = found  # type: ignore[attr-defined]
        return found

    def encode(self) -> str:
        """The button data; a value the codec would not read back is a bug, found here."""
        texts, parts = [], self.parts()
        unsent = {f.name for f in fields(cast(Any, self))} - {p.field for p in parts}
        if any(getattr(self, name) is not None for name in unsent):
            raise ValueError(f"{self!r}: a field outside the shape {self.shape!r} cannot be sent")
        for part in parts:
            value = getattr(self, part.field) if part.field else None
            if part.optional and value is None:
                break
            texts.append(part.literal + (part.codec.write(value) if part.codec else ""))
            if not part.reads_back(texts[-1], value):
                raise ValueError(f"{type(self).__name__}.{part.field} = {value!r} cannot be sent")
        data = SEPARATOR.join([self.prefix, *texts])
        if len(data.encode("utf-8")) > CALLBACK_DATA_LIMIT:
            raise ValueError(f"callback data over {CALLBACK_DATA_LIMIT} bytes: {data!r}")
        return data

    @classmethod
    def decode(cls, data: str) -> Self:
        """This kind's value in `data`, or BadPayload."""
        found = decode(data, [cls])
        assert isinstance(found, cls)
        return found

    @classmethod
    def read(cls, data: str) -> Self | None:
        """This kind's value in `data` (a state, say), or None."""
        try:
            return cls.decode(data)
        except BadPayload:
            return None

    @classmethod
    def _match(cls, texts: list[str]) -> Self | None:
        parts = cls.parts()
        needed = sum(1 for p in parts if not p.optional)
        if not needed <= len(texts) <= len(parts):
            return None
        values: dict[str, Any] = {}
        try:
            for part, text in zip(parts, texts, strict=False):
                value = part.read(text)
                if part.field is not None:
                    values[part.field] = value
        except ValueError:
            return None
        return cls(**values)


def decode(data: str, kinds: Iterable[type[Payload]]) -> Payload:
    """The first of `kinds` that reads `data`, or BadPayload."""
    prefix, _sep, rest = data.partition(SEPARATOR)
    texts = rest.split(SEPARATOR) if rest else []
    if len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
        for kind in kinds:
            found = kind._match(texts) if kind.prefix == prefix else None
            if found is not None:
                return found
    raise BadPayload(data)


def prefix_of(data: str) -> str:
    """The owner's part of button data (`bc` in `bc:k:12`)."""
    return data.partition(SEPARATOR)[0]


def _parts(kind: type[Payload]) -> tuple[Part, ...]:
    """The shape's parts; a field that defaults to None is optional while only such fields
    follow it (a key before a month must be sent)."""
    hints = _hints(kind)
    defaults = {f.name: f.default for f in fields(cast(Any, kind))}
    found: list[Part] = []
    for text in reversed(kind.shape.split(SEPARATOR) if kind.shape else []):
        match = _PART.fullmatch(text)
        if match is None:
            raise TypeError(f"{kind.__name__}: bad shape part {text!r}")
        literal, name = match.groups()
        if name is not None and name not in defaults:
            raise TypeError(f"{kind.__name__}: the shape names {name!r}, not a field")
        codec = _codec(kind, name, hints[name]) if name else None
        trailing = all(p.optional for p in found)
        found.insert(0, Part(literal, name, codec, trailing and name is not None
                             and defaults[name] is None))
    named = [p.field for p in found if p.field]
    required = [name for name, default in defaults.items() if default is not None]
    if len(named) != len(set(named)) or not set(required) <= set(named):
        raise TypeError(f"{kind.__name__}: the shape names each field once, and every field "
                        "that does not default to None")
    return tuple(found)


def _hints(kind: type[Payload]) -> dict[str, Any]:
    """The field types, with a generic base's parameters put in (Chosen[time]: time)."""
    hints = get_type_hints(kind, include_extras=True)
    bound: dict[Any, Any] = {}
    for cls in reversed(kind.__mro__):
        for base in cls.__dict__.get("__orig_bases__", ()):
            parameters = getattr(get_origin(base), "__parameters__", ())
            bound.update(zip(parameters, (bound.get(a, a) for a in get_args(base)),
                             strict=False))
    return {name: bound.get(hint, hint) if isinstance(hint, TypeVar) else hint
            for name, hint in hints.items()}


def _codec(kind: type[Payload], name: str, hint: Any) -> Codec:
    """The codec of a field's type: Annotated wins, then the plain types."""
    if get_origin(hint) in (Union, types.UnionType):
        hint = next(a for a in get_args(hint) if a is not type(None))
    if get_origin(hint) is Annotated:
        codec: Codec = hint.__metadata__[0]
        return codec
    if get_origin(hint) is Literal:
        return Word(frozenset(get_args(hint)))
    plain: dict[Any, Codec] = {int: Number(), str: Word(), date: Stamp("%Y%m%d"),
                               time: Stamp("%H%M", time)}
    if hint not in plain:
        raise TypeError(f"{kind.__name__}.{name}: no codec for {hint!r}")
    return plain[hint]
