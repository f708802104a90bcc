"""📍 Help near me: a theme, then who can help, the person's municipality first, five to a
page, each a short card; an address opens as a place on the map."""

from __future__ import annotations

from bot.core import fallback
from bot.core.dialogs import Pager
from bot.core.directory import cards, search, store
from bot.core.directory.buttons import HelpFor, HelpNear, ShowPlace
from bot.core.directory.schema import THEMES, Theme
from bot.core.menu import OpenMenu, home_button
from bot.core.ports import Button
from bot.core.render import format_html
from bot.core.router import Router, Turn
from bot.i18n import N_, _, backward, ngettext

PAGE = Pager[search.Found](5)
MAP_LABEL = 28  # characters of a name on a "📍 name" button


async def themes(turn: Turn) -> None:
    """/help_near and 📍 Help near me: what do you need help with?"""
    place = cards.place_name(turn.user.municipality_code)
    if place:
        intro = format_html(_("<b>📍 Help near me</b>\nWhat do you need help with? I show help "
                              "in {place} first, then help for the whole country."), place=place)
    else:
        intro = _("<b>📍 Help near me</b>\nWhat do you need help with? I do not know your "
                  "municipality yet, so I show help for the whole country. You can add it in "
                  "👤 My details.")
    buttons = [Button(_(cards.THEME_LABELS[t]), HelpFor(t).encode()) for t in THEMES]
    rows: list[tuple[Button, ...]] = [tuple(buttons[i:i + 2])
                                      for i in range(0, len(buttons), 2)]
    rows.append((Button(backward(_("Menu")), OpenMenu().encode()),))
    turn.say(intro, tuple(rows))


async def _themes(turn: Turn, _pressed: HelpNear) -> None:
    await themes(turn)


async def results(turn: Turn, pressed: HelpFor) -> None:
    """Who can help with a theme, a page at a time."""
    theme: Theme = pressed.theme
    code = turn.user.municipality_code
    found = search.rank(await store.near(turn.session, code), code, theme, turn.user.locale)
    page, shown = PAGE.page(found, pressed.page or 0)
    local_now = turn.now.astimezone(turn.timezone).replace(tzinfo=None)
    heading = f"<b>{_(cards.THEME_LABELS[theme])}</b>"
    if not found:
        body = _("I know no help for this yet. Your gemeente or your begeleider can tell you "
                 "where to go.")
    else:
        first = page * PAGE.size + 1
        count = ngettext("{first}-{last} of {total} place", "{first}-{last} of {total} places",
                         len(found)).format(first=first, last=first + len(shown) - 1,
                                            total=len(found))
        body = "\n\n".join([count, *(cards.card(f, code, local_now) for f in shown)])
    lang = turn.user.locale or ""
    rows: list[tuple[Button, ...]] = [
        (Button(f"📍 {_short(f.row.shown_name(lang))}", ShowPlace(f.row.id).encode()),)
        for f in shown if cards.venue(f.row)]
    rows += PAGE.arrows(len(found), page, lambda p: HelpFor(theme, p))
    rows.append((Button(backward(_("Other themes")), HelpNear().encode()), home_button()))
    turn.say(f"{heading}\n{body}", tuple(rows))


def _short(name: str) -> str:
    return name if len(name) <= MAP_LABEL else name[:MAP_LABEL - 1] + "…"


async def place(turn: Turn, pressed: ShowPlace) -> None:
    """The entry's address as a place on the map (a new message: the list stays)."""
    row = await store.find(turn.session, pressed.entry)
    spot = cards.venue(row) if row is not None else None
    if spot is None:
        await fallback.stale(turn)
        return
    turn.say("", venue=spot)


def register(router: Router) -> None:
    """📍 Help near me on the main menu and as /help_near; its buttons."""
    router.command("help_near", themes, N_("Help near me: who can help, by theme"))
    router.menu_button(N_("📍 Help near me"), HelpNear())
    router.on(HelpNear, _themes)
    router.on(HelpFor, results)
    router.on(ShowPlace, place)
