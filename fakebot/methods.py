"""The Bot API methods the fake implements, with Telegram's checks and answers.

`_method_table` lists them; fakebot/app.py routes each call here. getUpdates lives with
the update queue (fakebot/updates.py), the webhook methods with the posts they cause
(fakebot/webhook.py).
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from typing import Any, Final

from fakebot.content import (
    apply_edit,
    caption_content,
    check_command,
    check_inline_keyboard,
    checked_text,
    scope_key,
    venue_content,
)
from fakebot.errors import JsonDict, bad_request
from fakebot.files import Files
from fakebot.params import optional_int
from fakebot.state import BOT_USER, ChatState
from fakebot.webhook import WebhookDelivery

Handler = Callable[[JsonDict], Awaitable[Any]]

_CHAT_ACTIONS: Final = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip


class BotMethods(Files, WebhookDelivery):
    """One handler per Bot API method: parameters in, the `result` Telegram answers out."""

    def __init__(self) -> None:
        super().__init__()
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.menu_buttons: dict[int | None, JsonDict] = {}

    def _method_table(self) -> dict[str, tuple[str, Handler]]:
        """Map lower-cased method names to (canonical name, handler), as Telegram ignores case."""
        handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "sendDocument": self._send_document,
            "sendVenue": self._send_venue,
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

    def _inline_markup(self, state: ChatState, params: JsonDict) -> JsonDict | None:
        """Validate reply_markup; only inline keyboards are echoed inside the Message."""
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            check_inline_keyboard(markup["inline_keyboard"])
            return markup
        if "keyboard" in markup:
            state.reply_keyboard = markup
        elif markup.get("remove_keyboard"):
            state.reply_keyboard = None
        return None

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

    async def _send_message(self, params: JsonDict) -> JsonDict:
        """sendMessage with Telegram's text, HTML, length and keyboard checks."""
        state = self._target_chat(params)
        content = checked_text(params)
        markup = self._inline_markup(state, params)
        if markup is not None:
            content["reply_markup"] = markup
        return self._deliver(state, state.add_message(BOT_USER, content))

    async def _send_document(self, params: JsonDict) -> JsonDict:
        """sendDocument: keep the uploaded bytes so tests can check exports."""
        state = self._target_chat(params)
        upload = self._document_upload(params)
        content: JsonDict = {"document": self._store_file(upload)}
        content.update(caption_content(params))
        markup = self._inline_markup(state, params)
        if markup is not None:
            content["reply_markup"] = markup
        return self._deliver(state, state.add_message(BOT_USER, content))

    async def _send_venue(self, params: JsonDict) -> JsonDict:
        """sendVenue: a place with a title and an address; the Message has both `venue` and
        `location`, as Telegram's does."""
        state = self._target_chat(params)
        content: JsonDict = {"venue": venue_content(params)}
        content["location"] = content["venue"]["location"]
        markup = self._inline_markup(state, params)
        if markup is not None:
            content["reply_markup"] = markup
        return self._deliver(state, state.add_message(BOT_USER, content))

    async def _edit_message_text(self, params: JsonDict) -> JsonDict:
        """Like Telegram, an edit without reply_markup removes the inline keyboard."""
        state, message = self._bot_message(params, "edit")
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        new = checked_text(params)
        markup = self._inline_markup(state, params)
        if markup is not None:
            new["reply_markup"] = markup
        return apply_edit(message, new, ("text", "entities", "reply_markup"))

    async def _edit_message_reply_markup(self, params: JsonDict) -> JsonDict:
        """Replace (or, when absent, remove) the inline keyboard of a bot message."""
        state, message = self._bot_message(params, "edit")
        markup = self._inline_markup(state, params)
        new = {} if markup is None else {"reply_markup": markup}
        return apply_edit(message, new, ("reply_markup",))

    async def _delete_message(self, params: JsonDict) -> bool:
        """Bots may delete any message in a private chat; deleting twice fails."""
        state = self._chat_state(params)
        message_id = optional_int(params.get("message_id"))
        if message_id is None or state.messages.pop(message_id, None) is None:
            raise bad_request("message to delete not found")
        return True

    async def _answer_callback_query(self, params: JsonDict) -> bool:
        """Each callback query can be answered once; unknown ids are "too old"."""
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._open_queries:
            raise bad_request(
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
            raise bad_request("wrong parameter action in request")
        return True

    async def _set_my_commands(self, params: JsonDict) -> bool:
        """Commands are stored per (scope, language_code) exactly like Telegram keys them."""
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            check_command(command)
        self.commands[scope_key(params)] = copy.deepcopy(commands)
        return True

    async def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        """No fallback between scopes: an unset scope/language has no commands."""
        return copy.deepcopy(self.commands.get(scope_key(params), []))

    async def _delete_my_commands(self, params: JsonDict) -> bool:
        """Forget the commands of one scope/language."""
        self.commands.pop(scope_key(params), None)
        return True

    async def _set_chat_menu_button(self, params: JsonDict) -> bool:
        """Stored per chat; None is the bot's default button."""
        button = params.get("menu_button") or {"type": "default"}
        self.menu_buttons[optional_int(params.get("chat_id"))] = button
        return True

    async def _get_chat_menu_button(self, params: JsonDict) -> JsonDict:
        """Echo what was set, or Telegram's default."""
        button = self.menu_buttons.get(optional_int(params.get("chat_id")))
        return copy.deepcopy(button or {"type": "default"})
