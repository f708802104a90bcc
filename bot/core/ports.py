"""What the core receives from a transport and what it hands back.

Telegram and the console both translate their own input into `Incoming` and render
`Outcome`; the core sees nothing else of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit for callback_data


class Kind(StrEnum):
    """What sort of input arrived."""

    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"
    MEDIA = "media"
    EDITED = "edited"
    ADDED = "added"  # the bot was added to a group chat
    REMOVED = "removed"  # the bot was removed from a group chat


@dataclass(frozen=True)
class Incoming:
    """One thing a person did: typed, pressed, sent a photo, edited a message."""

    user_id: int
    chat_id: int
    kind: Kind
    text: str = ""
    command: str = ""
    data: str = ""
    private: bool = True
    language_hint: str | None = None
    first_name: str = ""
    reply_to: int | None = None  # the message this one replies to, if any
    # Set when the input waits in the durable inbox (webhook mode): its turn then marks it
    # handled in the turn's own transaction, so the turn runs once even if it is retried.
    update_id: int | None = None


@dataclass(frozen=True)
class Button:
    """A button: a translated label and a short, untranslated action id."""

    label: str
    data: str

    def __post_init__(self) -> None:
        if len(self.data.encode("utf-8")) > CALLBACK_DATA_LIMIT:
            raise ValueError(f"callback data over {CALLBACK_DATA_LIMIT} bytes: {self.data!r}")


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Document:
    """A file to hand over, such as an .ics calendar entry."""

    filename: str
    data: bytes
    mime_type: str


@dataclass(frozen=True)
class Venue:
    """A place on the map (Telegram shows it as a venue one tap from navigation)."""

    latitude: float
    longitude: float
    title: str
    address: str


@dataclass(frozen=True)
class Reply:
    """A message in Telegram's HTML subset, already in the recipient's language.

    With a document, the text is the document's caption. With a venue, the message is the
    venue (its title and address) and the text is not shown.
    """

    text: str
    keyboard: Keyboard = ()
    replace: bool = False
    document: Document | None = None
    venue: Venue | None = None


@dataclass
class Outcome:
    """Everything the transport should do in answer to one Incoming."""

    replies: list[Reply] = field(default_factory=list)
    toast: str | None = None
    queued: bool = False  # the turn queued messages for other chats: wake the sender
