"""Updates and long polling: the queue of updates, and getUpdates serving it (webhooks:
fakebot/webhook.py)."""

from __future__ import annotations

import copy
import itertools

from fakebot.errors import JsonDict
from fakebot.params import int_param
from fakebot.state import FakeState


class Updates(FakeState):
    """Updates wait here until the bot confirms them with a later getUpdates offset."""

    def __init__(self) -> None:
        super().__init__()
        self._updates: list[JsonDict] = []
        self._update_ids = itertools.count(10_000)

    def _push_update(self, payload: JsonDict) -> JsonDict:
        """Queue an update and wake any pending getUpdates."""
        update = {"update_id": next(self._update_ids), **payload}
        self._updates.append(update)
        self._signal.fire()
        return copy.deepcopy(update)

    async def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        """Long polling: confirm by offset, then wait up to `timeout` seconds for updates."""
        self._confirm_updates(int_param(params, "offset", 0))
        limit = min(max(int_param(params, "limit", 100), 1), 100)
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
