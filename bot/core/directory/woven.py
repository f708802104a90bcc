"""The directory beneath answers and journey steps: the person's gemeente by name (with its
card when the directory has one) where the text sends them there, and "📍 Help near me"
for the answer's theme."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.core.directory import cards, links, search, store
from bot.core.directory.buttons import HelpFor, HelpNear
from bot.core.directory.schema import THEMES, Theme
from bot.core.payloads import Payload
from bot.core.ports import Button
from bot.core.render import format_html
from bot.core.router import Turn
from bot.i18n import _

Rows = Sequence[tuple[Button, ...]]


def help_button(theme: str | None) -> Button:
    """📍 Help near me: the help for a theme (one we know), or the themes to choose from."""
    known = next((t for t in THEMES if t == theme), None)
    payload: Payload = HelpFor(known) if known is not None else HelpNear()
    return Button(_("📍 Help near me"), payload.encode())


def theme_of(entry_ids: Iterable[str]) -> Theme | None:
    """The theme of the first of these answers that has one (the matcher's best guesses)."""
    return next((t for t in (links.for_answer(i).theme for i in entry_ids) if t), None)


async def gemeente_text(turn: Turn) -> str:
    """The person's gemeente by name, and its hours, phone and website when known."""
    code = turn.user.municipality_code
    name = cards.place_name(code)
    if name is None:
        return _("🏛 Your gemeente: tell me where you live in 👤 My details, and I will name "
                 "it here.")
    text = format_html(_("🏛 Your gemeente: <b>{name}</b>"), name=name)
    office = search.gemeente_of(await store.near(turn.session, code), code)
    if office is None:
        return text
    local_now = turn.now.astimezone(turn.timezone).replace(tzinfo=None)
    found = search.Found(office, "local", False)
    return f"{text}\n{cards.card(found, code, local_now)}"


async def beneath(turn: Turn, link: links.Link, source_text: str) -> tuple[str, Rows]:
    """What goes under an answer or step: a text (maybe empty) and button rows."""
    asks = link.ask_gemeente or bool(links.ASKS_GEMEENTE.search(source_text))
    text = await gemeente_text(turn) if asks else ""
    rows = [(help_button(link.theme),)] if link.theme else []
    return text, rows
