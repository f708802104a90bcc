"""The directory's buttons, apart from the feature so that answers, steps and the handoff
can offer "📍 Help near me" without importing it."""

from __future__ import annotations

from bot.core.directory.schema import Theme
from bot.core.payloads import Count, Payload


class HelpNear(Payload, prefix="dir", action="t"):
    """📍 Help near me: the themes."""


class HelpFor(Payload, prefix="dir", shape="r:{theme}:{page}"):
    """The help for one theme, a page of it."""

    theme: Theme
    page: Count | None = None


class ShowPlace(Payload, prefix="dir", shape="m:{entry}"):
    """An entry's address as a place on the map."""

    entry: str
