"""An offline fake of the Telegram Bot API, so the real PTB Application can be tested end to end.

The bot talks HTTP to 127.0.0.1 exactly as it would to api.telegram.org; tests play the users
(user_sends, user_presses, ...) and observe what the bot did (next_message, sent, edits, ...).

`FakeTelegram` is put together from one part per concern, each in its own module:

    app.py      HttpServer    the aiohttp app, routing, Telegram's envelope; start/stop,
                              disconnect/reconnect
    methods.py  BotMethods    the Bot API methods (sendMessage, editMessageText, ...)
    content.py                Telegram's rules for text, captions, keyboards and commands
    files.py    Files         uploaded documents and their file_ids
    updates.py  Updates       the update queue and long polling (getUpdates)
    webhook.py  WebhookDelivery  setWebhook/deleteWebhook/getWebhookInfo; posts updates to
                              the webhook as Telegram does (per chat in order, retried)
    proxy.py    RoundRobinProxy  a load balancer for tests: request N to backend N mod k
    faults.py   Faults        injected errors, cut connections, flood limits, stalls, latency
    users.py    UserActions   the test side: users write, press, edit, block the bot
    observe.py  Observations  the test side: the bot's messages, and waiting for them
    state.py    FakeState     chats, users and the record of calls that the parts share
    params.py                 reading a call's parameters (JSON, forms, uploads)
    errors.py                 ApiError, DROP and Telegram's error answers

A subclass may override `fault()` (its own faults), `_execute()` (watch every call that
runs) or a method handler such as `_send_message()`, as the benchmarks do.
"""

from __future__ import annotations

from fakebot.app import HttpServer
from fakebot.observe import Observations
from fakebot.users import UserActions


class FakeTelegram(HttpServer, UserActions, Observations):
    """The fake server plus the test-side API for playing users and inspecting the bot."""
