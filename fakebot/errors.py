"""How the fake Bot API fails: Telegram's error answers, and the faults a test can inject."""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web

JsonDict = dict[str, Any]  # a Bot API object, or the parameters of one call


class ApiError(Exception):
    """A Bot API failure; raised inside handlers and turned into Telegram's error JSON.

    With `from_proxy`, the answer is the HTML error page of a proxy in front of the Bot
    API (what a 502 from Telegram's edge looks like), not JSON.
    """

    def __init__(self, error_code: int, description: str, retry_after: int | None = None,
                 from_proxy: bool = False) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after
        self.from_proxy = from_proxy

    def payload(self) -> JsonDict:
        """The body Telegram sends; only flood errors carry parameters.retry_after."""
        body: JsonDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def error_response(error: ApiError) -> web.Response:
    """Telegram uses the error code as the HTTP status too, which is what PTB looks at."""
    if error.from_proxy:
        page = f"<html><head><title>{error.error_code} {error.description}</title></head></html>"
        return web.Response(text=page, status=error.error_code, content_type="text/html")
    return web.json_response(error.payload(), status=error.error_code)


class Drop:
    """A fault that cuts the connection before the method runs: no answer, nothing done."""


DROP: Final = Drop()
Fault = ApiError | Drop


def bad_request(reason: str) -> ApiError:
    """Most validation failures are 400 with a "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {reason}")
