"""Reading a Bot API call's parameters: query, JSON body, urlencoded or multipart form."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Final, NoReturn

from aiohttp import web

from fakebot.errors import JsonDict, bad_request

# Parameters whose value is text even when it looks like JSON ("123", "true", ...).
_STRING_PARAMS: Final = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "inline_message_id", "url",
        "language_code", "action", "title", "description", "short_description", "name",
        "business_connection_id", "message_effect_id", "emoji", "query", "secret_token",
        "document", "photo", "voice", "audio", "video", "animation", "sticker", "thumbnail",
    }
)  # fmt: skip


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part exactly as the bot uploaded it."""

    part_name: str
    filename: str
    content_type: str
    data: bytes


async def read_params(request: web.Request) -> JsonDict:
    """Merge query, JSON body, urlencoded or multipart form into one typed parameter dict."""
    params: JsonDict = dict(request.query)
    if request.content_type == "application/json" and request.can_read_body:
        try:
            body = await request.json()
        except ValueError as error:
            raise bad_request("can't parse JSON request body") from error
        if isinstance(body, dict):
            params.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            params[key] = _form_value(key, value)
    return {key: _coerce(key, value) for key, value in params.items()}


def _form_value(key: str, value: object) -> object:
    """File parts become UploadedFile; text parts stay strings until _coerce."""
    if isinstance(value, web.FileField):
        data = value.file.read()
        return UploadedFile(key, value.filename, value.content_type, data)
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8")
    return value


def _coerce(key: str, value: object) -> object:
    """Form values arrive JSON-encoded (numbers, booleans, reply_markup); text stays text."""
    if not isinstance(value, str) or key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value, parse_constant=_reject_constant)
    except ValueError:
        return value


def _reject_constant(name: str) -> NoReturn:
    """NaN and Infinity are not JSON as Telegram understands it."""
    raise ValueError(name)


def optional_int(value: object) -> int | None:
    """Chat and message ids may come as int or numeric string; anything else is no id."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def int_param(params: JsonDict, key: str, default: int) -> int:
    """An optional integer parameter; garbage is a 400 like in Telegram."""
    value = params.get(key)
    if value is None:
        return default
    number = optional_int(value)
    if number is None:
        raise bad_request(f"invalid {key} specified")
    return number
