"""Webhooks: setWebhook, deleteWebhook, getWebhookInfo, and posting updates as Telegram does.

While a webhook is set, getUpdates answers 409 Conflict and every queued update is POSTed
to the webhook's URL with the X-Telegram-Bot-Api-Secret-Token header: a chat's next update
only after its previous one got a 2xx, different chats at once up to max_connections; a
non-2xx answer or a failed connection is tried again after a short, growing pause, and an
update is given up after WEBHOOK_TRIES tries. `deliver_to(url)` posts to another URL than
the registered one (a test's load balancer in front of several instances).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from dataclasses import dataclass
from typing import Final

import aiohttp

from fakebot.errors import ApiError, JsonDict, bad_request
from fakebot.params import int_param
from fakebot.updates import Updates

SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_TRIES: Final = 100  # Telegram gives up on an update after many tries; the fake sooner
WEBHOOK_BACKOFF: Final = 0.05  # seconds before the second try, doubling up to …
WEBHOOK_MAX_BACKOFF: Final = 1.0
POST_TIMEOUT: Final = 30.0  # seconds one post may take
_SECRET: Final = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True)
class WebhookInfo:
    """What setWebhook registered."""

    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None


def update_chat(update: JsonDict) -> int | None:
    """The chat an update belongs to (Telegram orders a chat's updates)."""
    for kind in ("message", "edited_message", "my_chat_member"):
        if kind in update:
            return int(update[kind]["chat"]["id"])
    query = update.get("callback_query")
    if query is not None and "message" in query:
        return int(query["message"]["chat"]["id"])
    return None


def update_kind(update: JsonDict) -> str:
    """The update's type, as allowed_updates names it."""
    return next(key for key in update if key != "update_id")


class WebhookDelivery(Updates):
    """The webhook as Telegram keeps it, and the posts it makes."""

    def __init__(self) -> None:
        super().__init__()
        self.webhook: WebhookInfo | None = None
        self.webhook_target: str | None = None
        self.webhook_posts: list[JsonDict] = []  # every post: update_id, url, status or error
        self.webhook_given_up: list[JsonDict] = []
        self._posting: dict[int, int | None] = {}  # update_id → its chat, while posted
        self._pusher: asyncio.Task[None] | None = None
        self._posts: set[asyncio.Task[None]] = set()
        self._stirred = False  # something changed that may let another post go
        self._client: aiohttp.ClientSession | None = None

    def deliver_to(self, url: str | None) -> None:
        """Post updates to `url` instead of the registered URL (None: the registered one)."""
        self.webhook_target = url
        self._stir()

    @property
    def pending_update_count(self) -> int:
        """Updates not yet taken by the bot (getWebhookInfo's pending_update_count)."""
        return len(self._updates)

    async def _set_webhook(self, params: JsonDict) -> bool:
        """Register (an empty url removes the webhook, as in Telegram)."""
        url = str(params.get("url") or "")
        if not url:
            return await self._delete_webhook({})
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.fullmatch(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        connections = int_param(params, "max_connections", 40)
        if not 1 <= connections <= 100:
            raise bad_request("invalid max_connections specified")
        allowed = params.get("allowed_updates")
        self.webhook = WebhookInfo(url, None if secret is None else str(secret), connections,
                                   list(allowed) if isinstance(allowed, list) else None)
        self._stir()
        self._start_pushing()
        return True

    async def _delete_webhook(self, params: JsonDict) -> bool:
        """Back to getUpdates; drop_pending_updates forgets what waits."""
        self.webhook = None
        if params.get("drop_pending_updates") is True:
            self._updates.clear()
        self._signal.fire()
        return True

    async def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        """The registered URL and how many updates wait."""
        hook = self.webhook
        info: JsonDict = {"url": hook.url if hook else "", "has_custom_certificate": False,
                          "pending_update_count": self.pending_update_count}
        if hook is not None:
            info["max_connections"] = hook.max_connections
            if hook.allowed_updates is not None:
                info["allowed_updates"] = hook.allowed_updates
        return info

    async def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        """Telegram refuses long polling while a webhook is set."""
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is "
                                "active; use deleteWebhook to delete the webhook first")
        return await super()._get_updates(params)

    def _push_update(self, payload: JsonDict) -> JsonDict:
        """Queue as before; a webhook posts it."""
        update = super()._push_update(payload)
        if self.webhook is not None:
            self._stir()
            self._start_pushing()
        return update

    def _stir(self) -> None:
        """Have the pusher look again (cheaper than looking at every change of the fake)."""
        self._stirred = True
        self._signal.fire()

    def _start_pushing(self) -> None:
        """One task that starts the posts (each in a task of its own)."""
        if self._pusher is None or self._pusher.done():
            self._pusher = asyncio.create_task(self._push(), name="fake-webhook")

    async def _push(self) -> None:
        while self.webhook is not None and not self._closing:
            self._stirred = False
            for update in self._next_posts():
                self._posting[int(update["update_id"])] = update_chat(update)
                task = asyncio.create_task(self._post(update),
                                           name=f"fake-post-{update['update_id']}")
                self._posts.add(task)
                task.add_done_callback(self._posts.discard)
            await self._signal.wait_until(
                lambda: self.webhook is None or self._closing or self._stirred, 1.0)

    def _next_posts(self) -> list[JsonDict]:
        """Updates that may go now: the first waiting of each chat with none in flight."""
        hook = self.webhook
        if hook is None:
            return []
        if hook.allowed_updates:  # Telegram never sends the others
            self._updates = [u for u in self._updates
                             if update_kind(u) in hook.allowed_updates]
        room = hook.max_connections - len(self._posting)
        held = set(self._posting.values())
        found: list[JsonDict] = []
        for update in self._updates:
            chat = update_chat(update)
            if len(found) >= room:
                break
            if int(update["update_id"]) not in self._posting and (
                    chat is None or chat not in held):
                found.append(update)
            if chat is not None:
                held.add(chat)
        return found

    async def _post(self, update: JsonDict) -> None:
        """Post until a 2xx (then it is taken) or WEBHOOK_TRIES failures (then given up)."""
        update_id = int(update["update_id"])
        try:
            for attempt in range(WEBHOOK_TRIES):
                if attempt:
                    await asyncio.sleep(min(WEBHOOK_BACKOFF * 2 ** (attempt - 1),
                                            WEBHOOK_MAX_BACKOFF))
                if self.webhook is None or self._closing:
                    return
                if await self._post_once(update):
                    self._updates = [u for u in self._updates if u["update_id"] != update_id]
                    return
            self.webhook_given_up.append(update)
            self._updates = [u for u in self._updates if u["update_id"] != update_id]
        finally:
            self._posting.pop(update_id, None)
            self._stir()

    async def _post_once(self, update: JsonDict) -> bool:
        """One POST; whether the bot took the update."""
        hook = self.webhook
        assert hook is not None
        url = self.webhook_target or hook.url
        headers = {"Content-Type": "application/json"}
        if hook.secret_token is not None:
            headers[SECRET_HEADER] = hook.secret_token
        if self._client is None or self._client.closed:
            self._client = aiohttp.ClientSession()
        record: JsonDict = {"update_id": update["update_id"], "url": url}
        try:
            async with self._client.post(
                    url, data=json.dumps(update), headers=headers,
                    timeout=aiohttp.ClientTimeout(total=POST_TIMEOUT)) as response:
                record["status"] = response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            record["error"] = type(error).__name__
        self.webhook_posts.append(record)
        self._signal.fire()
        return 200 <= int(record.get("status", 0)) < 300

    async def _stop_posting(self) -> None:
        """At stop: no more posts, the client closed."""
        tasks = [*self._posts, *([self._pusher] if self._pusher is not None else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._pusher = None
        if self._client is not None:
            await self._client.close()
            self._client = None
