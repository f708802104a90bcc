"""Telegram's rules for what the bot sends: text and captions (HTML, length, trimming),
edits, inline keyboards and command lists. Each rule raises the 400 Telegram would."""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Iterable
from typing import Final

from fakebot.errors import JsonDict, bad_request
from fakebot.html_check import TelegramHtmlError, parse_telegram_html, utf16_length
from fakebot.state import now

MAX_TEXT_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024
MAX_CALLBACK_DATA_BYTES: Final = 64

_BUTTON_ACTIONS: Final = frozenset(
    {
        "callback_data", "url", "web_app", "login_url", "switch_inline_query",
        "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
        "callback_game", "pay",
    }
)  # fmt: skip
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")


def checked_text(params: JsonDict) -> JsonDict:
    """The text content of a send or edit, after Telegram's emptiness, HTML and length checks."""
    raw = params.get("text")
    if raw is None or raw == "":
        raise bad_request("message text is empty")
    text, entities = _formatted(str(raw), params, "entities")
    if not text:
        raise bad_request("message text is empty")
    if utf16_length(text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return _text_content("text", text, entities, "entities")


def _formatted(raw: str, params: JsonDict, entities_key: str) -> tuple[str, list[JsonDict]]:
    """Apply parse_mode like Telegram, then trim surrounding whitespace as it does."""
    mode = str(params.get("parse_mode") or "").lower()
    if mode == "html":
        try:
            text, entities = parse_telegram_html(raw)
        except TelegramHtmlError as error:
            raise bad_request(f"can't parse entities: {error.reason}") from error
    elif mode in ("", "markdown", "markdownv2"):
        given = params.get(entities_key)
        text, entities = raw, list(given) if isinstance(given, list) else []
    else:
        raise bad_request("unsupported parse_mode")
    return _trim(text, entities)


def _trim(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Telegram strips leading/trailing whitespace and clips entities to what remains."""
    stripped = text.strip()
    lead = utf16_length(text[: len(text) - len(text.lstrip())])
    total = utf16_length(stripped)
    clipped: list[JsonDict] = []
    for entity in entities:
        start = max(int(entity["offset"]) - lead, 0)
        end = min(int(entity["offset"]) + int(entity["length"]) - lead, total)
        if end > start:
            clipped.append({**entity, "offset": start, "length": end - start})
    return stripped, clipped


def _text_content(key: str, text: str, entities: list[JsonDict], entities_key: str) -> JsonDict:
    """Telegram omits the entities field when there are none."""
    content: JsonDict = {key: text}
    if entities:
        content[entities_key] = entities
    return content


def caption_content(params: JsonDict) -> JsonDict:
    """Captions follow the text rules with a 1024-character limit and may be absent."""
    raw = params.get("caption")
    if raw is None or raw == "":
        return {}
    caption, entities = _formatted(str(raw), params, "caption_entities")
    if utf16_length(caption) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    return _text_content("caption", caption, entities, "caption_entities") if caption else {}


def venue_content(params: JsonDict) -> JsonDict:
    """A venue needs a latitude and longitude in range, a title and an address."""
    try:
        latitude, longitude = float(params["latitude"]), float(params["longitude"])
    except (KeyError, TypeError, ValueError):
        raise bad_request("wrong latitude or longitude specified") from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise bad_request("wrong latitude or longitude specified")
    title, address = str(params.get("title") or ""), str(params.get("address") or "")
    if not title or not address:
        raise bad_request("venue title and address must be non-empty")
    return {"location": {"latitude": latitude, "longitude": longitude},
            "title": title, "address": address}


def apply_edit(message: JsonDict, new: JsonDict, fields: Iterable[str]) -> JsonDict:
    """Replace the given fields (absent means removed) unless nothing would change."""
    fields = tuple(fields)
    if all(message.get(name) == new.get(name) for name in fields):
        raise bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )
    for name in fields:
        message.pop(name, None)
    message.update(new)
    message["edit_date"] = now()
    return copy.deepcopy(message)


def check_inline_keyboard(rows: object) -> None:
    """An array of arrays of buttons, each with a label and exactly one action."""
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" must be an Array of Arrays')
    for button in itertools.chain.from_iterable(rows):
        _check_button(button)


def _check_button(button: object) -> None:
    """callback_data must be 1-64 bytes of UTF-8; plain text buttons are not inline buttons."""
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request('can\'t parse inline keyboard button: field "text" must be a String')
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")
    if not button.keys() & _BUTTON_ACTIONS:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )


def check_command(command: object) -> None:
    """Command names are 1-32 of [a-z0-9_]; descriptions 1-256 characters."""
    if not isinstance(command, dict):
        raise bad_request("can't parse BotCommand JSON object")
    if not _COMMAND_NAME.fullmatch(str(command.get("command", ""))):
        raise bad_request("BOT_COMMAND_INVALID")
    if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
        raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")


def scope_key(params: JsonDict) -> tuple[str, str]:
    """(scope type, language) - chat-bound scopes add their ids, e.g. "chat:42"."""
    scope = params.get("scope") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    ids = [str(scope[key]) for key in ("chat_id", "user_id") if key in scope]
    return ":".join([str(scope["type"]), *ids]), str(params.get("language_code") or "")
