"""Parse Bot API HTML like Telegram does, so formatting mistakes fail in tests, not in production.

The rules follow https://core.telegram.org/bots/api#html-style and the error texts mimic the
ones Telegram returns after "Bad Request: can't parse entities: ". One deliberate difference:
Telegram silently keeps an "&" that starts no known entity; here it is an error, because a
missing html.escape() is always a bug in the bot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

JsonDict = dict[str, Any]

_ENTITY_TYPES: Final[dict[str, str]] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
SUPPORTED_TAGS: Final = frozenset(_ENTITY_TYPES)
_NAMED_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MAX_CODE_POINT: Final = 0x10FFFF

_PLAIN = re.compile(r"[^<&]+")
_TAG_NAME = re.compile(r"[^\s>]*")
_ATTRIBUTE_NAME = re.compile(r"[^\s=>]+")
_NAME_TOKEN = re.compile(r"[A-Za-z0-9.-]*")
_SPACES = re.compile(r"\s*")
_ENTITY = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,7})|([A-Za-z][A-Za-z0-9]*));")


class TelegramHtmlError(ValueError):
    """The text would be rejected by Telegram; `reason` is what follows "can't parse entities: "."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _OpenTag:
    """A start tag waiting for its end tag; offset is in UTF-16 units of the visible text."""

    name: str
    attributes: dict[str, str]
    offset: int
    language: str = ""


def utf16_length(text: str) -> int:
    """Telegram measures text length and entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def check_telegram_html(text: str) -> str:
    """Return the visible text of Telegram HTML, or raise TelegramHtmlError like Telegram."""
    return parse_telegram_html(text)[0]


def parse_telegram_html(text: str) -> tuple[str, list[JsonDict]]:
    """Return visible text and MessageEntity dicts, the way Telegram turns HTML into a message."""
    return _HtmlParser(text).run()


class _HtmlParser:
    """A single left-to-right scan, mirroring the structure of Telegram's own parser."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._out: list[str] = []
        self._length = 0
        self._stack: list[_OpenTag] = []
        self._entities: list[JsonDict] = []

    def run(self) -> tuple[str, list[JsonDict]]:
        """Scan everything, then insist that every start tag was closed."""
        while self._pos < len(self._text):
            self._step()
        if self._stack:
            name = self._stack[-1].name
            raise TelegramHtmlError(f'Can\'t find end tag corresponding to start tag "{name}"')
        entities = sorted(self._entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self._out), entities

    def _step(self) -> None:
        """Consume one piece: plain text, an HTML entity, or a tag."""
        plain = _PLAIN.match(self._text, self._pos)
        if plain:
            self._emit(plain.group())
            self._pos = plain.end()
        elif self._text[self._pos] == "&":
            self._emit(self._read_entity())
        elif self._text.startswith("</", self._pos):
            self._end_tag()
        else:
            self._start_tag()

    def _emit(self, visible: str) -> None:
        """Append visible text, keeping the UTF-16 length that entity offsets need."""
        self._out.append(visible)
        self._length += utf16_length(visible)

    def _byte_offset(self, pos: int) -> int:
        """Telegram reports positions as UTF-8 byte offsets into the raw text."""
        return len(self._text[:pos].encode("utf-8"))

    def _fail(self, message: str, pos: int) -> TelegramHtmlError:
        """Build an error that names the byte offset, as Telegram's messages do."""
        return TelegramHtmlError(f"{message} at byte offset {self._byte_offset(pos)}")

    def _read_entity(self) -> str:
        """Decode the entity at the cursor; only the four named ones and numeric ones exist."""
        begin = self._pos
        match = _ENTITY.match(self._text, begin)
        if match is None:
            raise self._fail('Character "&" must be escaped as "&amp;"', begin)
        decimal, hexadecimal, name = match.groups()
        self._pos = match.end()
        if name is not None:
            if name not in _NAMED_ENTITIES:
                raise self._fail(f'Unsupported HTML entity "{match.group()}"', begin)
            return _NAMED_ENTITIES[name]
        code = int(decimal, 10) if decimal is not None else int(hexadecimal, 16)
        if code == 0 or code > _MAX_CODE_POINT or 0xD800 <= code <= 0xDFFF:
            raise self._fail(f'Invalid numeric HTML entity "{match.group()}"', begin)
        return chr(code)

    def _start_tag(self) -> None:
        """Parse `<name attr="value">` and remember it until the matching end tag."""
        begin = self._pos
        name_match = _TAG_NAME.match(self._text, begin + 1)
        assert name_match is not None  # the pattern also matches the empty string
        self._pos = name_match.end()
        if self._pos >= len(self._text):
            raise self._fail("Unclosed start tag", begin)
        name = name_match.group().lower()
        if name not in SUPPORTED_TAGS:
            raise self._fail(f'Unsupported start tag "{name}"', begin)
        attributes = self._attributes(name, begin)
        self._pos += 1  # the ">"
        self._check_attributes(name, attributes, begin)
        self._stack.append(_OpenTag(name, attributes, self._length))

    def _attributes(self, tag: str, begin: int) -> dict[str, str]:
        """Read attributes up to the closing ">"; valueless ones (expandable) map to ""."""
        attributes: dict[str, str] = {}
        while True:
            self._skip_spaces(begin)
            if self._text[self._pos] == ">":
                return attributes
            name_match = _ATTRIBUTE_NAME.match(self._text, self._pos)
            if name_match is None:
                raise self._fail(f'Empty attribute name in the tag "{tag}"', begin)
            self._pos = name_match.end()
            self._skip_spaces(begin)
            value = ""
            if self._text[self._pos] == "=":
                self._pos += 1
                self._skip_spaces(begin)
                value = self._attribute_value(begin)
            attributes[name_match.group().lower()] = value

    def _skip_spaces(self, tag_begin: int) -> None:
        """Skip whitespace inside a tag; running off the end means the tag never closed."""
        match = _SPACES.match(self._text, self._pos)
        assert match is not None  # the pattern also matches the empty string
        self._pos = match.end()
        if self._pos >= len(self._text):
            raise self._fail("Unclosed start tag", tag_begin)

    def _attribute_value(self, tag_begin: int) -> str:
        """Quoted values may contain entities; unquoted ones must be a plain name token."""
        quote = self._text[self._pos]
        if quote in "\"'":
            return self._quoted_value(quote, tag_begin)
        token = _NAME_TOKEN.match(self._text, self._pos)
        assert token is not None  # the pattern also matches the empty string
        self._pos = token.end()
        if self._pos >= len(self._text):
            raise self._fail("Unclosed start tag", tag_begin)
        follower = self._text[self._pos]
        if not token.group() or not (follower.isspace() or follower == ">"):
            raise self._fail("Unexpected end of name token", token.start())
        return token.group().lower()

    def _quoted_value(self, quote: str, tag_begin: int) -> str:
        """Read up to the matching quote, decoding entities on the way."""
        self._pos += 1
        pieces: list[str] = []
        while self._pos < len(self._text) and self._text[self._pos] != quote:
            if self._text[self._pos] == "&":
                pieces.append(self._read_entity())
            else:
                pieces.append(self._text[self._pos])
                self._pos += 1
        if self._pos >= len(self._text):
            raise self._fail("Unclosed start tag", tag_begin)
        self._pos += 1
        return "".join(pieces)

    def _check_attributes(self, tag: str, attributes: dict[str, str], begin: int) -> None:
        """Reject the two tags whose meaning depends on a mandatory attribute."""
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            raise self._fail('Tag "span" must have class "tg-spoiler"', begin)
        if tag == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
            raise self._fail("Custom emoji entity must contain a valid emoji identifier", begin)

    def _end_tag(self) -> None:
        """Parse `</name>`; it must close the innermost open tag."""
        begin = self._pos
        close = self._text.find(">", begin)
        if close < 0:
            raise self._fail("Unclosed end tag", begin)
        name = self._text[begin + 2 : close].strip().lower()
        self._pos = close + 1
        if not self._stack:
            raise self._fail("Unexpected end tag", begin)
        expected = self._stack[-1].name
        if name != expected:
            message = f'Unmatched end tag, expected "</{expected}>", found "</{name}>"'
            raise self._fail(message, begin)
        self._close(self._stack.pop())

    def _close(self, tag: _OpenTag) -> None:
        """Turn a closed tag into a MessageEntity; Telegram drops empty ones."""
        length = self._length - tag.offset
        language = tag.attributes.get("class", "").removeprefix("language-")
        if tag.name == "code" and self._stack and self._stack[-1].name == "pre" and language:
            self._stack[-1].language = language
            return
        entity = _entity_for(tag)
        if entity is not None and length > 0:
            self._entities.append({**entity, "offset": tag.offset, "length": length})


def _entity_for(tag: _OpenTag) -> JsonDict | None:
    """Map a tag to the entity fields Telegram would report for it (offset/length aside)."""
    kind = _ENTITY_TYPES[tag.name]
    if kind == "text_link":
        href = tag.attributes.get("href")
        return {"type": kind, "url": href} if href else None
    if kind == "custom_emoji":
        return {"type": kind, "custom_emoji_id": tag.attributes["emoji-id"]}
    if kind == "blockquote" and "expandable" in tag.attributes:
        return {"type": "expandable_blockquote"}
    if kind == "pre" and tag.language:
        return {"type": kind, "language": tag.language}
    return {"type": kind}
