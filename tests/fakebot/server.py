"""An offline fake of the Telegram Bot API, so the real PTB Application can be tested end to end.

The bot talks HTTP to 127.0.0.1 exactly as it would to api.telegram.org; tests play the users
(user_sends, user_presses, ...) and observe what the bot did (next_message, sent, edits, ...).
"""

from __future__ import annotations

import asyncio
import collections
import copy
import itertools
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final, NoReturn, Self

from aiohttp import web

from tests.fakebot.html_check import TelegramHtmlError, parse_telegram_html, utf16_length

_log = logging.getLogger(__name__)

JsonDict = dict[str, Any]
Handler = Callable[[JsonDict], Awaitable[Any]]

BOT_USER: Final[JsonDict] = {
    "id": 999000,
    "is_bot": True,
    "first_name": "Wegwijs",
    "username": "wegwijs_test_bot",
}
MAX_TEXT_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024
MAX_CALLBACK_DATA_BYTES: Final = 64
SUPERGROUP_ID_LIMIT: Final = -1_000_000_000_000

# Parameters whose value is text even when it looks like JSON ("123", "true", ...).
_STRING_PARAMS: Final = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "inline_message_id", "url",
        "language_code", "action", "title", "description", "short_description", "name",
        "business_connection_id", "message_effect_id", "emoji", "query", "secret_token",
        "document", "photo", "voice", "audio", "video", "animation", "sticker", "thumbnail",
    }
)  # fmt: skip
_BUTTON_ACTIONS: Final = frozenset(
    {
        "callback_data", "url", "web_app", "login_url", "switch_inline_query",
        "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
        "callback_game", "pay",
    }
)  # fmt: skip
_CHAT_ACTIONS: Final = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_COMMAND_PREFIX = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?")
_EDIT_METHODS: Final = frozenset({"editMessageText", "editMessageReplyMarkup"})
_UNRECORDED_METHODS: Final = frozenset({"getUpdates"})  # polling would drown the record


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


def _error_response(error: ApiError) -> web.Response:
    """Telegram uses the error code as the HTTP status too, which is what PTB looks at."""
    if error.from_proxy:
        page = f"<html><head><title>{error.error_code} {error.description}</title></head></html>"
        return web.Response(text=page, status=error.error_code, content_type="text/html")
    return web.json_response(error.payload(), status=error.error_code)


class Drop:
    """A fault that cuts the connection before the method runs: no answer, nothing done."""


DROP: Final = Drop()
Fault = ApiError | Drop


def _bad_request(reason: str) -> ApiError:
    """Most validation failures are 400 with a "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {reason}")


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part exactly as the bot uploaded it."""

    part_name: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class InjectedError:
    """A fault (an error, or a cut connection) that the next `remaining` matching calls get
    instead of a result."""

    method: str
    error: Fault
    remaining: int
    chat_id: int | None = None

    def matches(self, method: str, chat_id: int | None) -> bool:
        """Method names are case-insensitive in the Bot API; no chat_id means any chat."""
        return (
            self.remaining > 0
            and self.method.lower() == method.lower()
            and (self.chat_id is None or self.chat_id == chat_id)
        )


@dataclass
class ChatState:
    """One chat: its Chat JSON, every message in it, and which bot messages a test consumed."""

    chat: JsonDict
    next_message_id: int = 1
    messages: dict[int, JsonDict] = field(default_factory=dict)
    outbox: list[JsonDict] = field(default_factory=list)
    consumed: int = 0
    reply_keyboard: JsonDict | None = None

    def add_message(self, sender: JsonDict, content: JsonDict) -> JsonDict:
        """Message ids are per chat and shared by user and bot, as in Telegram."""
        message = {
            "message_id": self.next_message_id,
            "from": dict(sender),
            "chat": dict(self.chat),
            "date": _now(),
            **content,
        }
        self.next_message_id += 1
        self.messages[message["message_id"]] = message
        return message

    def bot_message(self, message_id: int) -> JsonDict | None:
        """Only the bot's own messages can be edited or carry its buttons."""
        message = self.messages.get(message_id)
        if message is None or message["from"]["id"] != BOT_USER["id"]:
            return None
        return message


class _Signal:
    """Wakes every waiter whenever the fake's state changes, without lock ceremony."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        """Release current waiters; later waiters get a fresh event."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Return True once predicate holds, False if it still fails after `timeout` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            event = self._event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return predicate()
        return True


def _now() -> int:
    """Telegram dates are integer Unix timestamps."""
    return int(time.time())


def _checked_text(params: JsonDict) -> JsonDict:
    """The text content of a send or edit, after Telegram's emptiness, HTML and length checks."""
    raw = params.get("text")
    if raw is None or raw == "":
        raise _bad_request("message text is empty")
    text, entities = _formatted(str(raw), params, "entities")
    if not text:
        raise _bad_request("message text is empty")
    if utf16_length(text) > MAX_TEXT_LENGTH:
        raise _bad_request("message is too long")
    return _text_content("text", text, entities, "entities")


def buttons(message: JsonDict) -> list[tuple[str, str]]:
    """Flatten an inline keyboard to (label, callback_data) pairs; URL buttons give ""."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [(button["text"], button.get("callback_data", "")) for row in rows for button in row]


class FakeTelegram:
    """The fake server plus the test-side API for playing users and inspecting the bot."""

    def __init__(self) -> None:
        self.token: str | None = None
        self.tokens_seen: set[str] = set()
        self.sent: list[JsonDict] = []
        self.requests: list[tuple[str, JsonDict]] = []
        self.failures: list[JsonDict] = []
        self.callback_answers: list[JsonDict] = []
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.menu_buttons: dict[int | None, JsonDict] = {}
        self.uploads: list[UploadedFile] = []
        self._files: dict[str, UploadedFile] = {}
        self._chats: dict[int, ChatState] = {}
        self._users: dict[int, JsonDict] = {}
        self._updates: list[JsonDict] = []
        self._update_ids = itertools.count(10_000)
        self._serials = itertools.count(1)
        self._open_queries: set[str] = set()
        self._injected: list[InjectedError] = []
        self._blocked: set[int] = set()
        self._stalls: dict[tuple[str, int], asyncio.Event] = {}
        self._latency: dict[int | None, float] = {}
        self._limits: tuple[float, float] | None = None
        self._recent: collections.deque[float] = collections.deque()
        self._last_in_chat: dict[int, float] = {}
        self.throttled = 0
        self.stalled: list[JsonDict] = []
        self.dropped: list[JsonDict] = []
        self._signal = _Signal()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._methods = self._method_table()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Listen on a free loopback port; nothing ever leaves the machine."""
        await self._listen(0)

    async def stop(self) -> None:
        """Release pending long polls first so the server shuts down at once."""
        await self.disconnect()
        self._port = None

    async def disconnect(self) -> None:
        """The network goes away: connections are refused until reconnect().

        Chats, queued updates and every record are kept, as Telegram keeps them while a
        bot cannot reach it; the port is kept for reconnect().
        """
        self._closing = True
        self._signal.fire()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None

    async def reconnect(self) -> None:
        """The network is back: listen again on the same port, with the same state."""
        if self._port is None:
            raise RuntimeError("FakeTelegram never ran; call start() first")
        await self._listen(self._port)

    @property
    def online(self) -> bool:
        """Whether the server accepts connections now."""
        return self._runner is not None

    async def _listen(self, port: int) -> None:
        """Serve the Bot API on 127.0.0.1:port (0: any free port)."""
        self._closing = False
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def root_url(self) -> str:
        """The value for TELEGRAM_API_BASE_URL, e.g. http://127.0.0.1:43127."""
        if self._port is None:
            raise RuntimeError("FakeTelegram is not running; call start() first")
        return f"http://127.0.0.1:{self._port}"

    # ------------------------------------------------------------------ HTTP layer

    def _method_table(self) -> dict[str, tuple[str, Handler]]:
        """Map lower-cased method names to (canonical name, handler), as Telegram ignores case."""
        handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "deleteWebhook": self._delete_webhook,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "sendDocument": self._send_document,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "setMyDescription": self._always_true,
            "setMyShortDescription": self._always_true,
            "setMyName": self._always_true,
            "close": self._always_true,
            "logOut": self._always_true,
        }
        return {name.lower(): (name, handler) for name, handler in handlers.items()}

    async def _handle(self, request: web.Request) -> web.Response:
        """Serve POST/GET {root}/bot{token}/{method} with Telegram's response envelope."""
        self.token = request.match_info["token"]
        self.tokens_seen.add(self.token)
        name, handler = self._resolve(request.match_info["method"])
        try:
            params = await read_params(request)
        except ApiError as error:
            return _error_response(error)
        except ValueError as error:  # e.g. a truncated multipart body
            return _error_response(_bad_request(f"can't parse request: {error}"))
        fault = self.fault(name, params) if handler is not None else None
        if isinstance(fault, Drop):
            return self._cut(request, name, params)
        self.requests.append((name, params))
        self._signal.fire()
        try:
            result = await self._execute(name, handler, params, fault)
        except ApiError as error:
            self._note_failure(name, params, error)
            return _error_response(error)
        except Exception as error:
            _log.exception("fake Telegram server failed on %s", name)
            crash = ApiError(500, f"Internal Server Error: fake server bug: {error!r}")
            self._note_failure(name, params, crash)
            return _error_response(crash)
        finally:
            self._signal.fire()
        return web.json_response({"ok": True, "result": result})

    def _cut(self, request: web.Request, name: str, params: JsonDict) -> web.Response:
        """Close the connection without an answer (the response is never written)."""
        self.dropped.append({"method": name, "params": params})
        self._signal.fire()
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=204)

    def fault(self, name: str, params: JsonDict) -> Fault | None:
        """The fault this call meets, if any; here the injected ones, first come first served.

        A subclass may add its own (random faults in a soak test); it is asked once per
        call, before the method runs, so a faulty call never has an effect.
        """
        chat_id = _optional_int(params.get("chat_id"))
        for rule in self._injected:
            if rule.matches(name, chat_id):
                rule.remaining -= 1
                self._injected = [r for r in self._injected if r.remaining > 0]
                return rule.error
        return None

    def _resolve(self, method: str) -> tuple[str, Handler | None]:
        """Canonical name and handler; unknown methods keep their spelling and get None."""
        entry = self._methods.get(method.lower())
        return entry if entry is not None else (method, None)

    async def _execute(
        self, name: str, handler: Handler | None, params: JsonDict, fault: ApiError | None
    ) -> Any:
        """Injected errors win over the real handler, like a flaky network would."""
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        if fault is not None:
            raise fault
        self._enforce_limits(name, params)
        await self._wait_if_stalled(name, params)
        await self._round_trip(params)
        result = await handler(params)
        if name not in _UNRECORDED_METHODS:
            self.sent.append({"method": name, "params": params, "result": copy.deepcopy(result)})
        return result

    def _note_failure(self, name: str, params: JsonDict, error: ApiError) -> None:
        """Keep failures next to successes so a timeout message can explain what went wrong."""
        self.failures.append(
            {"method": name, "params": params, **error.payload()},
        )

    def _enforce_limits(self, name: str, params: JsonDict) -> None:
        """Telegram's flood control: too fast overall or to one chat → 429 with retry_after."""
        if self._limits is None or name not in ("sendMessage", "sendDocument"):
            return
        overall, per_chat = self._limits
        now = time.monotonic()
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        chat = _optional_int(params.get("chat_id")) or 0
        if len(self._recent) >= overall or now - self._last_in_chat.get(chat, -1e9) < per_chat:
            self.throttled += 1
            raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        self._recent.append(now)
        self._last_in_chat[chat] = now

    async def _wait_if_stalled(self, name: str, params: JsonDict) -> None:
        """Hold a call (a slow network) until the test releases it; it then succeeds."""
        gate = self._stalls.get((name.lower(), _optional_int(params.get("chat_id")) or 0))
        if gate is not None:
            self.stalled.append({"method": name, "params": params})
            self._signal.fire()
            await gate.wait()


    async def _round_trip(self, params: JsonDict) -> None:
        """The delay a real network adds: for this chat if set, else for every call."""
        chat = _optional_int(params.get("chat_id"))
        delay = self._latency.get(chat, self._latency.get(None, 0.0))
        if delay:
            await asyncio.sleep(delay)

    # ------------------------------------------------------------------ chats and parameters

    def _chat_state(self, params: JsonDict) -> ChatState:
        """Telegram only knows chats that a user opened (or a group the bot is in)."""
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise _bad_request("chat_id is empty")
        chat_id = _optional_int(raw)
        if chat_id is None or chat_id not in self._chats:
            raise _bad_request("chat not found")
        return self._chats[chat_id]

    def _target_chat(self, params: JsonDict) -> ChatState:
        """A chat that can receive new content: known and not blocking the bot."""
        state = self._chat_state(params)
        if state.chat["id"] in self._blocked:
            raise ApiError(403, _blocked_description(state.chat))
        return state

    def _bot_message(self, params: JsonDict, verb: str) -> tuple[ChatState, JsonDict]:
        """Find the bot message an edit refers to; user messages cannot be edited by the bot."""
        if params.get("inline_message_id") is not None:
            raise _bad_request("inline messages are not supported by the fake server")
        state = self._chat_state(params)
        message_id = _optional_int(params.get("message_id"))
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        if message_id not in state.messages:
            raise _bad_request(f"message to {verb} not found")
        message = state.bot_message(message_id)
        if message is None:
            raise _bad_request(f"message can't be {verb}ed")
        return state, message

    def _ensure_chat(
        self,
        chat_id: int,
        *,
        chat_type: str | None = None,
        title: str | None = None,
        first_name: str = "Test",
    ) -> ChatState:
        """Create the chat on first contact; later calls may refine its type or title."""
        state = self._chats.get(chat_id)
        if state is None:
            state = self._chats[chat_id] = ChatState(chat={})
        kind = chat_type or state.chat.get("type") or _default_chat_type(chat_id)
        if kind == "private":
            state.chat = {"id": chat_id, "type": kind, "first_name": first_name}
        else:
            name = title or state.chat.get("title") or f"Test group {chat_id}"
            state.chat = {"id": chat_id, "type": kind, "title": name}
        return state

    def _remember_user(
        self, user_id: int, first_name: str | None = None, language_code: str | None = None
    ) -> JsonDict:
        """Users keep their name and language across updates, as real accounts do."""
        user = self._users.setdefault(
            user_id, {"id": user_id, "is_bot": False, "first_name": first_name or "Test"}
        )
        if first_name is not None:
            user["first_name"] = first_name
        if language_code is not None:
            user["language_code"] = language_code
        return dict(user)

    def _deliver(self, state: ChatState, message: JsonDict) -> JsonDict:
        """Queue a new bot message for next_message() and return Telegram's copy of it."""
        state.outbox.append(copy.deepcopy(message))
        return copy.deepcopy(message)

    def _inline_markup(self, state: ChatState, params: JsonDict) -> JsonDict | None:
        """Validate reply_markup; only inline keyboards are echoed inside the Message."""
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            _check_inline_keyboard(markup["inline_keyboard"])
            return markup
        if "keyboard" in markup:
            state.reply_keyboard = markup
        elif markup.get("remove_keyboard"):
            state.reply_keyboard = None
        return None

    # ------------------------------------------------------------------ Bot API methods

    async def _always_true(self, params: JsonDict) -> bool:
        """Methods whose effect no test needs to observe beyond the request record."""
        return True

    async def _get_me(self, params: JsonDict) -> JsonDict:
        """getMe carries the capability flags that only it reports."""
        return {
            **BOT_USER,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _delete_webhook(self, params: JsonDict) -> bool:
        """There is never a webhook; drop_pending_updates still works."""
        if params.get("drop_pending_updates") is True:
            self._updates.clear()
        return True

    async def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        """Long polling: confirm by offset, then wait up to `timeout` seconds for updates."""
        self._confirm_updates(_int_param(params, "offset", 0))
        limit = min(max(_int_param(params, "limit", 100), 1), 100)
        timeout = float(params.get("timeout") or 0)
        if timeout > 0:
            await self._signal.wait_until(lambda: bool(self._updates) or self._closing, timeout)
        if self._closing:
            return []
        return copy.deepcopy(self._updates[:limit])

    def _confirm_updates(self, offset: int) -> None:
        """Updates below offset are forgotten; a negative offset keeps only the last -offset."""
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    async def _send_message(self, params: JsonDict) -> JsonDict:
        """sendMessage with Telegram's text, HTML, length and keyboard checks."""
        state = self._target_chat(params)
        content = _checked_text(params)
        markup = self._inline_markup(state, params)
        if markup is not None:
            content["reply_markup"] = markup
        return self._deliver(state, state.add_message(BOT_USER, content))

    async def _send_document(self, params: JsonDict) -> JsonDict:
        """sendDocument: keep the uploaded bytes so tests can check exports."""
        state = self._target_chat(params)
        upload = self._document_upload(params)
        content: JsonDict = {"document": self._store_file(upload)}
        content.update(_caption_content(params))
        markup = self._inline_markup(state, params)
        if markup is not None:
            content["reply_markup"] = markup
        return self._deliver(state, state.add_message(BOT_USER, content))

    def _document_upload(self, params: JsonDict) -> UploadedFile:
        """Accept a direct upload, an attach:// reference, or a file_id sent earlier."""
        document = params.get("document")
        if isinstance(document, str) and document.startswith("attach://"):
            document = params.get(document.removeprefix("attach://"))
        if isinstance(document, str) and document in self._files:
            return self._files[document]
        if document is None:
            raise _bad_request("there is no document in the request")
        if not isinstance(document, UploadedFile):
            raise _bad_request("wrong file identifier/HTTP URL specified")
        if not document.data:
            raise _bad_request("file must be non-empty")
        return document

    def _store_file(self, upload: UploadedFile) -> JsonDict:
        """Give an upload a file_id so it can be re-sent and found again by tests."""
        serial = next(self._serials)
        file_id = f"fake-document-{serial}"
        self._files[file_id] = upload
        self.uploads.append(upload)
        return {
            "file_id": file_id,
            "file_unique_id": f"uniq-document-{serial}",
            "file_name": upload.filename,
            "mime_type": upload.content_type,
            "file_size": len(upload.data),
        }

    async def _edit_message_text(self, params: JsonDict) -> JsonDict:
        """Like Telegram, an edit without reply_markup removes the inline keyboard."""
        state, message = self._bot_message(params, "edit")
        if "text" not in message:
            raise _bad_request("there is no text in the message to edit")
        new = _checked_text(params)
        markup = self._inline_markup(state, params)
        if markup is not None:
            new["reply_markup"] = markup
        return _apply_edit(message, new, ("text", "entities", "reply_markup"))

    async def _edit_message_reply_markup(self, params: JsonDict) -> JsonDict:
        """Replace (or, when absent, remove) the inline keyboard of a bot message."""
        state, message = self._bot_message(params, "edit")
        markup = self._inline_markup(state, params)
        new = {} if markup is None else {"reply_markup": markup}
        return _apply_edit(message, new, ("reply_markup",))

    async def _delete_message(self, params: JsonDict) -> bool:
        """Bots may delete any message in a private chat; deleting twice fails."""
        state = self._chat_state(params)
        message_id = _optional_int(params.get("message_id"))
        if message_id is None or state.messages.pop(message_id, None) is None:
            raise _bad_request("message to delete not found")
        return True

    async def _answer_callback_query(self, params: JsonDict) -> bool:
        """Each callback query can be answered once; unknown ids are "too old"."""
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._open_queries:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self._open_queries.discard(query_id)
        keys = ("callback_query_id", "text", "show_alert", "url", "cache_time")
        self.callback_answers.append({key: params[key] for key in keys if key in params})
        return True

    async def _send_chat_action(self, params: JsonDict) -> bool:
        """Chat actions need a reachable chat and a known action name."""
        self._target_chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    async def _set_my_commands(self, params: JsonDict) -> bool:
        """Commands are stored per (scope, language_code) exactly like Telegram keys them."""
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        for command in commands:
            _check_command(command)
        self.commands[_scope_key(params)] = copy.deepcopy(commands)
        return True

    async def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        """No fallback between scopes: an unset scope/language has no commands."""
        return copy.deepcopy(self.commands.get(_scope_key(params), []))

    async def _delete_my_commands(self, params: JsonDict) -> bool:
        """Forget the commands of one scope/language."""
        self.commands.pop(_scope_key(params), None)
        return True

    async def _set_chat_menu_button(self, params: JsonDict) -> bool:
        """Stored per chat; None is the bot's default button."""
        button = params.get("menu_button") or {"type": "default"}
        self.menu_buttons[_optional_int(params.get("chat_id"))] = button
        return True

    async def _get_chat_menu_button(self, params: JsonDict) -> JsonDict:
        """Echo what was set, or Telegram's default."""
        button = self.menu_buttons.get(_optional_int(params.get("chat_id")))
        return copy.deepcopy(button or {"type": "default"})

    # ------------------------------------------------------------------ test side: setup

    def inject_error(
        self,
        method: str,
        error_code: int,
        description: str,
        *,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
        from_proxy: bool = False,
    ) -> None:
        """Make the next `times` calls of method (optionally in one chat) fail this way.

        `from_proxy`: answer with an HTML error page instead of Telegram's JSON (a 502 or
        504 from the proxy in front of the Bot API).
        """
        if error_code == 429 and retry_after is None:
            retry_after = 1
        error = ApiError(error_code, description, retry_after if error_code == 429 else None,
                         from_proxy)
        self._injected.append(InjectedError(method, error, times, chat_id))

    def drop_connections(self, method: str, *, times: int = 1, chat_id: int | None = None) -> None:
        """Cut the connection of the next `times` calls of method (optionally in one chat)
        before they run: the bot gets no answer, and nothing happens (see `dropped`)."""
        self._injected.append(InjectedError(method, DROP, times, chat_id))

    def enforce_limits(self, overall_per_second: int = 30, seconds_per_chat: float = 1.0) -> None:
        """Answer 429 like Telegram when the bot sends faster than these limits."""
        self._limits = (float(overall_per_second), seconds_per_chat)

    def slow_down(self, seconds: float, chat_id: int | None = None) -> None:
        """Answer every call for one chat (or, without a chat, every call) `seconds` late."""
        self._latency[chat_id] = seconds

    def stall(self, method: str, chat_id: int) -> None:
        """Hold every `method` call for this chat until release() (to kill a bot mid-send)."""
        self._stalls[(method.lower(), chat_id)] = asyncio.Event()

    def release(self, method: str, chat_id: int) -> None:
        """Let held calls through; they complete as if the network had been slow."""
        gate = self._stalls.pop((method.lower(), chat_id), None)
        if gate is not None:
            gate.set()

    async def add_chat(
        self, chat_id: int, type: str | None = None, title: str | None = None
    ) -> JsonDict:
        """Make a chat known without an update; type defaults to private/group by id sign."""
        return dict(self._ensure_chat(chat_id, chat_type=type, title=title).chat)

    async def block_bot(self, chat_id: int) -> JsonDict:
        """The user blocks the bot: sends now get 403 and the bot hears my_chat_member."""
        self._blocked.add(chat_id)
        state = self._ensure_chat(chat_id)
        return self._member_update(state, chat_id, "member", "kicked")

    async def unblock_bot(self, chat_id: int) -> JsonDict:
        """The user restarts the bot after blocking it."""
        self._blocked.discard(chat_id)
        state = self._ensure_chat(chat_id)
        return self._member_update(state, chat_id, "kicked", "member")

    # ------------------------------------------------------------------ test side: users act

    async def user_sends(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        language_code: str | None = None,
        first_name: str = "Test",
        reply_to: int | None = None,
    ) -> JsonDict:
        """A user writes text; a leading /command gets its bot_command entity like in Telegram.

        With `reply_to`, the message is a Telegram reply to that message of the chat.
        """
        user = self._remember_user(user_id, first_name, language_code)
        state = self._ensure_chat(user_id if chat_id is None else chat_id, first_name=first_name)
        content: JsonDict = {"text": text}
        if reply_to is not None:
            original = state.messages.get(reply_to)
            if original is None:
                raise LookupError(f"no message {reply_to} to reply to")
            content["reply_to_message"] = copy.deepcopy(original)
        command = _COMMAND_PREFIX.match(text)
        if command:
            length = utf16_length(command.group())
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        message = state.add_message(user, content)
        return self._push_update({"message": copy.deepcopy(message)})

    async def user_sends_kind(
        self, user_id: int, kind: str, *, chat_id: int | None = None
    ) -> JsonDict:
        """A user sends a non-text message: photo, voice, sticker, location, document, contact."""
        builder = _KIND_BUILDERS.get(kind)
        if builder is None:
            raise ValueError(f"unknown kind {kind!r}; choose from {sorted(_KIND_BUILDERS)}")
        user = self._remember_user(user_id)
        state = self._ensure_chat(user_id if chat_id is None else chat_id)
        serial = next(self._serials)
        content = builder(f"fake-{kind}-{serial}", f"uniq-{kind}-{serial}", user)
        message = state.add_message(user, content)
        return self._push_update({"message": copy.deepcopy(message)})

    async def user_edits(
        self, user_id: int, message_id: int, new_text: str, *, chat_id: int | None = None
    ) -> JsonDict:
        """A user edits one of their own earlier messages."""
        state = self._known_chat(user_id if chat_id is None else chat_id)
        message = state.messages.get(message_id)
        if message is None or message["from"]["id"] != user_id:
            raise LookupError(f"user {user_id} has no message {message_id} in this chat")
        message["text"] = new_text
        message.pop("entities", None)
        message["edit_date"] = _now()
        return self._push_update({"edited_message": copy.deepcopy(message)})

    async def user_presses(
        self,
        user_id: int,
        message: JsonDict | int,
        callback_data: str,
        *,
        chat_id: int | None = None,
    ) -> str:
        """A user presses an inline button; data need not be on the message (forgery tests)."""
        if isinstance(message, dict):
            target_chat, message_id = int(message["chat"]["id"]), int(message["message_id"])
        else:
            target_chat, message_id = (user_id if chat_id is None else chat_id), message
        current = self._known_chat(target_chat).bot_message(message_id)
        if current is None:
            raise LookupError(f"no bot message {message_id} in chat {target_chat}")
        query_id = str(next(self._serials) * 7_919_000_017)
        self._open_queries.add(query_id)
        query = {
            "id": query_id,
            "from": self._remember_user(user_id),
            "message": copy.deepcopy(current),
            "chat_instance": f"{abs(target_chat) * 31 + 7}",
            "data": callback_data,
        }
        self._push_update({"callback_query": query})
        return query_id

    async def bot_added_to_group(self, chat_id: int, title: str, by_user_id: int) -> JsonDict:
        """Someone adds the bot to a group: Telegram sends a my_chat_member update."""
        state = self._ensure_chat(chat_id, title=title)
        self._blocked.discard(chat_id)
        return self._member_update(state, by_user_id, "left", "member")

    def _member_update(
        self, state: ChatState, by_user_id: int, old_status: str, new_status: str
    ) -> JsonDict:
        """The bot's own membership changed in a chat."""
        change = {
            "chat": dict(state.chat),
            "from": self._remember_user(by_user_id),
            "date": _now(),
            "old_chat_member": _bot_member(old_status),
            "new_chat_member": _bot_member(new_status),
        }
        return self._push_update({"my_chat_member": change})

    def _known_chat(self, chat_id: int) -> ChatState:
        """Test-side lookups fail loudly instead of inventing chats."""
        state = self._chats.get(chat_id)
        if state is None:
            raise LookupError(f"chat {chat_id} is unknown to the fake server")
        return state

    def _push_update(self, payload: JsonDict) -> JsonDict:
        """Queue an update and wake any pending getUpdates."""
        update = {"update_id": next(self._update_ids), **payload}
        self._updates.append(update)
        self._signal.fire()
        return copy.deepcopy(update)

    # ------------------------------------------------------------------ test side: observe

    def messages(self, chat_id: int) -> list[JsonDict]:
        """The bot's messages in a chat as they are now (after edits and deletions)."""
        state = self._chats.get(chat_id)
        if state is None:
            return []
        ids = sorted(state.messages)
        found = (state.bot_message(message_id) for message_id in ids)
        return [copy.deepcopy(message) for message in found if message is not None]

    def edits(self, chat_id: int) -> list[JsonDict]:
        """Successful editMessageText/editMessageReplyMarkup calls in a chat, in order."""
        return [
            record
            for record in self.sent
            if record["method"] in _EDIT_METHODS
            and _optional_int(record["params"].get("chat_id")) == chat_id
        ]

    def reply_keyboard(self, chat_id: int) -> JsonDict | None:
        """The reply keyboard the user currently sees (Telegram does not echo it in Message)."""
        state = self._chats.get(chat_id)
        return None if state is None else copy.deepcopy(state.reply_keyboard)

    def upload(self, message: JsonDict) -> UploadedFile:
        """The bytes behind a document message the bot sent."""
        return self._files[message["document"]["file_id"]]

    buttons = staticmethod(buttons)

    async def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 5.0, what: str = "condition"
    ) -> None:
        """Wait until predicate() holds; re-checked whenever the fake's state changes."""
        if not await self._signal.wait_until(predicate, timeout):
            raise AssertionError(f"{what} not met within {timeout:.1f}s. {self._activity()}")

    async def next_message(self, chat_id: int, timeout: float = 5.0) -> JsonDict:
        """The oldest bot message in the chat that the test has not consumed yet."""
        if not await self._signal.wait_until(lambda: self._unread(chat_id) > 0, timeout):
            raise AssertionError(
                f"no new bot message in chat {chat_id} within {timeout:.1f}s. "
                + self._activity(chat_id)
            )
        state = self._chats[chat_id]
        state.consumed += 1
        return copy.deepcopy(state.outbox[state.consumed - 1])

    async def drain(self, chat_id: int, quiet: float = 0.3, limit: float = 10.0) -> list[JsonDict]:
        """All unconsumed bot messages once none arrived for `quiet` seconds (max `limit`)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        collected: list[JsonDict] = []
        while loop.time() < deadline:
            while self._unread(chat_id):
                collected.append(await self.next_message(chat_id))
            if not await self._signal.wait_until(lambda: self._unread(chat_id) > 0, quiet):
                break
        return collected

    async def next_callback_answer(self, query_id: str, timeout: float = 5.0) -> JsonDict:
        """The bot's answerCallbackQuery for this query id."""

        def answered() -> list[JsonDict]:
            return [a for a in self.callback_answers if a["callback_query_id"] == query_id]

        await self.wait_for(lambda: bool(answered()), timeout, f"answer to callback {query_id}")
        return copy.deepcopy(answered()[0])

    def _unread(self, chat_id: int) -> int:
        """How many bot messages in the chat next_message() has not returned yet."""
        state = self._chats.get(chat_id)
        return 0 if state is None else len(state.outbox) - state.consumed

    def _activity(self, chat_id: int | None = None) -> str:
        """Summarise recent traffic so a failing assertion explains itself."""
        state = self._chats.get(chat_id) if chat_id is not None else None
        seen = [_summary(m) for m in state.outbox] if state else []
        calls = [name for name, _ in self.requests if name != "getUpdates"][-10:]
        failures = [f"{f['method']}: {f['error_code']} {f['description']}" for f in self.failures]
        dropped = [d["method"] for d in self.dropped][-5:]
        return (
            f"Bot messages so far in this chat: {'; '.join(seen) or 'none'}. "
            f"Last bot calls: {', '.join(calls) or 'none'}. "
            f"Failed calls: {'; '.join(failures[-5:]) or 'none'}. "
            f"Cut connections: {', '.join(dropped) or 'none'}."
        )


# ---------------------------------------------------------------------- request parsing


async def read_params(request: web.Request) -> JsonDict:
    """Merge query, JSON body, urlencoded or multipart form into one typed parameter dict."""
    params: JsonDict = dict(request.query)
    if request.content_type == "application/json" and request.can_read_body:
        try:
            body = await request.json()
        except ValueError as error:
            raise _bad_request("can't parse JSON request body") from error
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


def _optional_int(value: object) -> int | None:
    """Chat and message ids may come as int or numeric string; anything else is no id."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def _int_param(params: JsonDict, key: str, default: int) -> int:
    """An optional integer parameter; garbage is a 400 like in Telegram."""
    value = params.get(key)
    if value is None:
        return default
    number = _optional_int(value)
    if number is None:
        raise _bad_request(f"invalid {key} specified")
    return number


# ---------------------------------------------------------------------- content rules


def _formatted(raw: str, params: JsonDict, entities_key: str) -> tuple[str, list[JsonDict]]:
    """Apply parse_mode like Telegram, then trim surrounding whitespace as it does."""
    mode = str(params.get("parse_mode") or "").lower()
    if mode == "html":
        try:
            text, entities = parse_telegram_html(raw)
        except TelegramHtmlError as error:
            raise _bad_request(f"can't parse entities: {error.reason}") from error
    elif mode in ("", "markdown", "markdownv2"):
        given = params.get(entities_key)
        text, entities = raw, list(given) if isinstance(given, list) else []
    else:
        raise _bad_request("unsupported parse_mode")
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


def _caption_content(params: JsonDict) -> JsonDict:
    """Captions follow the text rules with a 1024-character limit and may be absent."""
    raw = params.get("caption")
    if raw is None or raw == "":
        return {}
    caption, entities = _formatted(str(raw), params, "caption_entities")
    if utf16_length(caption) > MAX_CAPTION_LENGTH:
        raise _bad_request("message caption is too long")
    return _text_content("caption", caption, entities, "caption_entities") if caption else {}


def _apply_edit(message: JsonDict, new: JsonDict, fields: Iterable[str]) -> JsonDict:
    """Replace the given fields (absent means removed) unless nothing would change."""
    fields = tuple(fields)
    if all(message.get(name) == new.get(name) for name in fields):
        raise _bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )
    for name in fields:
        message.pop(name, None)
    message.update(new)
    message["edit_date"] = _now()
    return copy.deepcopy(message)


def _check_inline_keyboard(rows: object) -> None:
    """An array of arrays of buttons, each with a label and exactly one action."""
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request('field "inline_keyboard" must be an Array of Arrays')
    for button in itertools.chain.from_iterable(rows):
        _check_button(button)


def _check_button(button: object) -> None:
    """callback_data must be 1-64 bytes of UTF-8; plain text buttons are not inline buttons."""
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise _bad_request('can\'t parse inline keyboard button: field "text" must be a String')
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
        raise _bad_request("BUTTON_DATA_INVALID")
    if not button.keys() & _BUTTON_ACTIONS:
        raise _bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )


def _check_command(command: object) -> None:
    """Command names are 1-32 of [a-z0-9_]; descriptions 1-256 characters."""
    if not isinstance(command, dict):
        raise _bad_request("can't parse BotCommand JSON object")
    if not _COMMAND_NAME.fullmatch(str(command.get("command", ""))):
        raise _bad_request("BOT_COMMAND_INVALID")
    if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
        raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")


def _scope_key(params: JsonDict) -> tuple[str, str]:
    """(scope type, language) - chat-bound scopes add their ids, e.g. "chat:42"."""
    scope = params.get("scope") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise _bad_request("can't parse BotCommandScope JSON object")
    ids = [str(scope[key]) for key in ("chat_id", "user_id") if key in scope]
    return ":".join([str(scope["type"]), *ids]), str(params.get("language_code") or "")


def _default_chat_type(chat_id: int) -> str:
    """Positive ids are users; very negative ids are supergroups/channels."""
    if chat_id > 0:
        return "private"
    return "supergroup" if chat_id < SUPERGROUP_ID_LIMIT else "group"


def _blocked_description(chat: JsonDict) -> str:
    """Users block bots; groups kick them."""
    if chat.get("type") == "private":
        return "Forbidden: bot was blocked by the user"
    return "Forbidden: bot was kicked from the group chat"


def _bot_member(status: str) -> JsonDict:
    """A ChatMember for the bot itself; "kicked" needs until_date (0 = forever)."""
    member: JsonDict = {"user": dict(BOT_USER), "status": status}
    if status == "kicked":
        member["until_date"] = 0
    return member


def _summary(message: JsonDict) -> str:
    """One line per message for assertion texts."""
    if "document" in message:
        return f"#{message['message_id']} document {message['document']['file_name']!r}"
    return f"#{message['message_id']} {message.get('text', '')!r}"


# ---------------------------------------------------------------------- non-text messages


def _photo(file_id: str, unique_id: str, user: JsonDict) -> JsonDict:
    """Telegram sends every photo in several sizes, smallest first."""
    sizes = [(90, 67), (320, 240), (1280, 960)]
    return {
        "photo": [
            {
                "file_id": f"{file_id}-{width}",
                "file_unique_id": f"{unique_id}-{width}",
                "width": width,
                "height": height,
                "file_size": width * height // 8,
            }
            for width, height in sizes
        ]
    }


def _voice(file_id: str, unique_id: str, user: JsonDict) -> JsonDict:
    """A three-second voice note."""
    voice = {"file_id": file_id, "file_unique_id": unique_id, "duration": 3}
    return {"voice": {**voice, "mime_type": "audio/ogg", "file_size": 12_345}}


def _sticker(file_id: str, unique_id: str, user: JsonDict) -> JsonDict:
    """A plain static sticker."""
    sticker = {"file_id": file_id, "file_unique_id": unique_id, "type": "regular"}
    shape = {"width": 512, "height": 512, "is_animated": False, "is_video": False}
    return {"sticker": {**sticker, **shape, "emoji": "👍", "set_name": "FakeStickers"}}


def _location(file_id: str, unique_id: str, user: JsonDict) -> JsonDict:
    """Amsterdam Centraal, give or take."""
    return {"location": {"latitude": 52.3791, "longitude": 4.9003}}


def _document(file_id: str, unique_id: str, user: JsonDict) -> JsonDict:
    """A PDF a user forwards, e.g. a letter from the municipality."""
    document = {"file_id": file_id, "file_unique_id": unique_id, "file_name": "brief.pdf"}
    return {"document": {**document, "mime_type": "application/pdf", "file_size": 34_567}}


def _contact(file_id: str, unique_id: str, user: JsonDict) -> JsonDict:
    """The user shares their own contact card."""
    contact = {"phone_number": "+31612345678", "first_name": user["first_name"]}
    return {"contact": {**contact, "user_id": user["id"]}}


_KIND_BUILDERS: Final[dict[str, Callable[[str, str, JsonDict], JsonDict]]] = {
    "photo": _photo,
    "voice": _voice,
    "sticker": _sticker,
    "location": _location,
    "document": _document,
    "contact": _contact,
}
