"""Coordinators and admins keep the directory in the bot: add an entry, change it, mark it
closed, confirm "still correct"; and once a month each coordinator hears which entries in
their area nobody checked for a year.

A coordinator's area is the municipalities of their organisations' groups; an admin's is
everywhere. Every press loads the entry and checks the area again, so an old or forged
button changes nothing. The national set (flows/directory) is content, changed in its file.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Literal, cast
from zoneinfo import ZoneInfo

from anyascii import anyascii
from babel.dates import format_date
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import access, fallback, outbox, states
from bot.core.csvimport import Check
from bot.core.dialogs import Pager
from bot.core.directory import cards, store
from bot.core.directory.schema import LANGS, NATIONAL, THEMES, EntryRow, Theme, updated
from bot.core.directory.search import Found, Reach
from bot.core.menu import OpenMenu, home_button
from bot.core.payloads import Count, Payload
from bot.core.permissions import Actor
from bot.core.ports import Button
from bot.core.render import format_html
from bot.core.router import JobRun, Router, Turn
from bot.i18n import N_, _, backward, current_locale
from bot.storage import directory as repo
from bot.storage import groups as group_repo
from bot.storage import jobs
from bot.storage.models import User

KIND = "directory"  # the monthly review job
REVIEW_AT = time(10, 0)
STALE_AFTER = timedelta(days=365)
LISTED = Pager[EntryRow](8)
IN_MESSAGE = 8  # stale entries named in the monthly message
EDITING = "dm:e"  # + ":<field>:<entry>": typing a new value
NAMING = "dm:n"  # + ":<theme>:<area>": typing the name of a new entry
CLEAR = "-"  # typed to empty a field
NAME_LIMIT = 120  # characters of a name (the schema's limit)
Field = Literal["nm", "ds", "ph", "wb", "em", "ad", "pc", "ci", "oh", "lg", "sr"]
# field → (column, button label, what to type)
# Said when a change would leave none of a coordinator's municipalities (bot and dashboard).
AREA_HINT = N_("Choose at least one municipality of your area. A gemeente office serves "
               "exactly one.")
FIELDS: dict[str, tuple[str, str, str]] = {
    "nm": ("name", N_("✏️ Name"), N_("Type the name.")),
    "ds": ("description", N_("✏️ Description"),
           N_("Type the description in your language (at most 600 characters).")),
    "ph": ("phone", N_("📞 Phone"), N_("Type the phone number, for example 030 123 4567.")),
    "wb": ("website", N_("🌐 Website"),
           N_("Type the web address, for example https://www.example.nl.")),
    "em": ("email", N_("✉️ E-mail"), N_("Type the e-mail address.")),
    "ad": ("address", N_("📍 Street"), N_("Type the street and number.")),
    "pc": ("postcode", N_("🏷 Postcode"), N_("Type the postcode, for example 3511 AB.")),
    "ci": ("city", N_("🏙 Town"), N_("Type the town.")),
    "oh": ("opening_hours", N_("🕘 Opening hours"),
           N_("Type the opening hours as on OpenStreetMap, for example: Mo-Fr 09:00-17:00; "
              "Sa 10:00-12:00")),
    "lg": ("languages", N_("🗣 Languages"),
           N_("Type the languages spoken there as two-letter codes, for example: nl; ar; ti")),
    "sr": ("source", N_("📚 Source"), N_("Type where the information comes from.")),
}
REQUIRED = frozenset({"nm", "sr"})


class Manage(Payload, prefix="dm", shape="l:{page}"):
    """🛠 The entries in my area, a page of them."""

    page: Count | None = None


class EntryButton(Payload):
    """A button about one entry; the area is checked at the press."""

    entry: str


class Open(EntryButton, prefix="dm", shape="o:{entry}"):
    """One entry with its buttons."""


class Confirm(EntryButton, prefix="dm", shape="ok:{entry}"):
    """✅ Still correct: checked today."""


class Closed(EntryButton, prefix="dm", shape="x:{entry}"):
    """⛔ Temporarily closed, or open again."""


class Appointment(EntryButton, prefix="dm", shape="ap:{entry}"):
    """📅 By appointment only, or not."""


class NextKind(EntryButton, prefix="dm", shape="k:{entry}"):
    """The kind: organisation → initiative → gemeente → organisation."""


class Themes(EntryButton, prefix="dm", shape="th:{entry}"):
    """The entry's themes to switch on and off."""


class ToggleTheme(EntryButton, prefix="dm", shape="t:{theme}:{entry}"):
    """One theme on or off."""

    theme: Theme


class Areas(EntryButton, prefix="dm", shape="ar:{entry}"):
    """The municipalities (of my area) it serves."""


class ToggleArea(EntryButton, prefix="dm", shape="a:{code}:{entry}"):
    """One municipality on or off."""

    code: str


class Edit(EntryButton, prefix="dm", shape="e:{field}:{entry}"):
    """Type a new value for one field (also the state while typing it)."""

    field: Field


class NewEntry(Payload, prefix="dm", action="n"):
    """➕ Add an entry: its theme first."""


class NewTheme(Payload, prefix="dm", shape="n:{theme}"):
    """… then its municipality."""

    theme: Theme


class NewArea(Payload, prefix="dm", shape="n:{theme}:{code}"):
    """… then its name, typed (also the state while typing it)."""

    theme: Theme
    code: str


async def area(turn: Turn) -> frozenset[str] | None:
    """The municipalities this person keeps the directory for (None: all, an admin);
    empty for people who are no coordinator."""
    return await area_of(turn.session, await access.actor(turn))


async def area_of(session: AsyncSession, who: Actor) -> frozenset[str] | None:
    """The same area for anyone acting (the bot's turn or the web dashboard's visit)."""
    if who.admin:
        return None
    codes: set[str] = set()
    for organisation in who.organisations:
        codes |= set(await group_repo.municipalities_of(session, organisation))
    return frozenset(codes)


def may_keep(where: frozenset[str] | None, row: EntryRow) -> bool:
    """Admins keep every entry; a coordinator those serving a municipality of their area
    (not national ones)."""
    return where is None or (not row.national and bool(set(row.municipalities) & where))


async def choices(session: AsyncSession, where: frozenset[str] | None) -> list[str]:
    """Municipalities a new entry or a toggle may name: the area, or (admins) every
    municipality with a group, and national."""
    if where is not None:
        return sorted(where)
    return [*await group_repo.municipalities_of(session, None), NATIONAL]


async def kept(session: AsyncSession, where: frozenset[str] | None) -> list[EntryRow]:
    """The entries of an area (None: every entry in the database), by id."""
    return [store.to_row(s) for s in (await repo.every(session) if where is None
                                      else await repo.serving(session, where))]


def due_for_check(row: EntryRow, today: date) -> bool:
    """Nobody checked it for a year: the monthly review names it, lists mark it ⚠️."""
    return row.last_checked < today - STALE_AFTER


def in_area(where: frozenset[str] | None, known: dict[str, EntryRow]) -> Check[EntryRow]:
    """An uploaded file's rule: each row, and the stored entry it replaces, in the area."""

    def check(row: EntryRow) -> list[tuple[str, str]]:
        problems = [] if may_keep(where, row) else [
            ("municipalities", "none of them is in your area (national entries: an admin)")]
        old = known.get(row.id)
        if old is not None and not may_keep(where, old):
            problems.append(("id", f"{row.id!r} is an entry outside your area"))
        return problems

    return check


async def _keeper(turn: Turn) -> frozenset[str] | Literal[False] | None:
    """The area, or False (refused, said) for someone who keeps no part of the directory."""
    where = await area(turn)
    if where is not None and not where:
        access.refuse(turn)
        return False
    return where


async def _entry(turn: Turn, entry_id: str) -> tuple[EntryRow, frozenset[str] | None] | None:
    """The entry, if this person may keep it; otherwise refused (the same for "not yours"
    and "does not exist")."""
    stored = await repo.get(turn.session, entry_id)
    row = store.to_row(stored) if stored else None
    where = await area(turn)
    if row is None or (where is not None and not where) or not may_keep(where, row):
        access.refuse(turn)
        return None
    return row, where


def _label(row: EntryRow, today: date) -> str:
    return f"{'⚠️ ' if due_for_check(row, today) else ''}{row.name}"


async def show_list(turn: Turn, page: int = 0) -> None:
    """/directory: the entries in my area (⚠️ not checked for a year), an entry to add."""
    where = await _keeper(turn)
    if where is False:
        return
    rows = await kept(turn.session, where)
    page, shown = LISTED.page(rows, page)
    today = turn.now.astimezone(turn.timezone).date()
    text = _("<b>🛠 The directory in your area</b>\n{count} entries. ⚠️ means nobody checked "
             "it for a year: open it and press ✅ Still correct, or change it.").format(
        count=len(rows))
    buttons: list[tuple[Button, ...]] = [(Button(_label(r, today), Open(r.id).encode()),)
                                         for r in shown]
    buttons += LISTED.arrows(len(rows), page, Manage)
    buttons.append((Button(_("➕ Add an entry"), NewEntry().encode()),))
    buttons.append((Button(backward(_("Menu")), OpenMenu().encode()),))
    turn.user.state = states.MENU
    turn.say(text, tuple(buttons))


async def _list(turn: Turn, pressed: Manage) -> None:
    await show_list(turn, pressed.page or 0)


async def _list_command(turn: Turn) -> None:
    await show_list(turn)


def _entry_text(row: EntryRow, turn: Turn) -> str:
    """The card as a newcomer sees it, then what only keepers need."""
    local_now = turn.now.astimezone(turn.timezone).replace(tzinfo=None)
    reach: Reach = "national" if row.national else "local" if len(row.municipalities) == 1 \
        else "regional"
    first = None if row.national else row.municipalities[0]
    shown = cards.card(Found(row, reach, False), first, local_now)
    places = ", ".join(_("🇳🇱 Whole country") if c == NATIONAL else (cards.place_name(c) or c)
                       for c in row.municipalities)
    checked = format_date(row.last_checked, "long", locale=current_locale())
    lines = [shown, "",
             format_html(_("Themes: {themes}"),
                         themes=", ".join(_(cards.THEME_LABELS[t]) for t in row.themes)),
             format_html(_("Municipalities: {places}"), places=places),
             format_html(_("Source: {source}"), source=row.source),
             format_html(_("Last checked: {date}"), date=checked)]
    if due_for_check(row, turn.now.astimezone(turn.timezone).date()):
        lines.append(_("⚠️ Nobody checked this entry for more than a year."))
    return "\n".join(lines)


def _entry_keyboard(row: EntryRow) -> tuple[tuple[Button, ...], ...]:
    closed = _("✅ Open again") if row.temporarily_closed else _("⛔ Mark closed")
    appointment = _("📅 By appointment: yes") if row.appointment_only \
        else _("📅 By appointment: no")
    fields = [Button(_(label), Edit(row.id, cast(Field, code)).encode())
              for code, (_column, label, _hint) in FIELDS.items()]
    return ((Button(_("✅ Still correct"), Confirm(row.id).encode()),
             Button(closed, Closed(row.id).encode())),
            *(tuple(fields[i:i + 2]) for i in range(0, len(fields), 2)),
            (Button(appointment, Appointment(row.id).encode()),
             Button(_(KIND_LABELS[row.kind]), NextKind(row.id).encode())),
            (Button(_("🏷 Themes"), Themes(row.id).encode()),
             Button(_("🗺 Municipalities"), Areas(row.id).encode())),
            (Button(backward(_("All entries")), Manage().encode()), home_button()))


KIND_LABELS = {"organisation": N_("🏢 Organisation"), "initiative": N_("🌱 Initiative"),
               "gemeente": N_("🏛 Gemeente office")}


async def show_entry(turn: Turn, row: EntryRow) -> None:
    """One entry and what can be done with it."""
    turn.user.state = states.MENU
    turn.say(_entry_text(row, turn), _entry_keyboard(row))


async def _save(turn: Turn, row: EntryRow, action: store.Action = "edit") -> None:
    """Keep a changed entry (who changed it, when, in the audit log too)."""
    await store.keep(turn.session, row, turn.now, turn.user.id, action)


Change = Callable[[Turn, EntryRow, frozenset[str] | None], Awaitable[EntryRow | None]]


def _changing(change: Change,
              action: store.Action = "edit") -> Callable[[Turn, EntryButton], Awaitable[None]]:
    """A press that changes an entry: load it, check the area, change, check, save, show.
    A change the rules refuse (a gemeente office for two towns) is said, not saved."""

    async def press(turn: Turn, pressed: EntryButton) -> None:
        found = await _entry(turn, pressed.entry)
        if found is None:
            return
        row, where = found
        try:
            changed = await change(turn, row, where)
        except ValidationError:
            turn.notice(_("That change does not fit this entry."))
            changed = None
        if changed is not None:
            await _save(turn, changed, action)
            row = changed
        await show_entry(turn, row)

    return press


async def _open(turn: Turn, _row: EntryRow, _where: frozenset[str] | None) -> None:
    return None


async def _confirm(turn: Turn, row: EntryRow, _where: frozenset[str] | None) -> EntryRow:
    turn.notice(_("Thank you: marked as checked today."))
    return updated(row, last_checked=turn.now.astimezone(turn.timezone).date())


async def _closed(turn: Turn, row: EntryRow, _where: frozenset[str] | None) -> EntryRow:
    return updated(row, temporarily_closed=not row.temporarily_closed)


async def _appointment(turn: Turn, row: EntryRow, _where: frozenset[str] | None) -> EntryRow:
    return updated(row, appointment_only=not row.appointment_only)


async def _kind(turn: Turn, row: EntryRow, _where: frozenset[str] | None) -> EntryRow:
    kinds = list(KIND_LABELS)
    return updated(row, kind=kinds[(kinds.index(row.kind) + 1) % len(kinds)])


async def _themes(turn: Turn, pressed: Themes) -> None:
    """Each theme as a button, ✅ where the entry has it."""
    found = await _entry(turn, pressed.entry)
    if found is None:
        return
    row = found[0]
    buttons = [Button(f"{'✅ ' if t in row.themes else ''}{_(cards.THEME_LABELS[t])}",
                      ToggleTheme(row.id, t).encode()) for t in THEMES]
    rows: list[tuple[Button, ...]] = [tuple(buttons[i:i + 2])
                                      for i in range(0, len(buttons), 2)]
    rows.append((Button(backward(_("Back")), Open(row.id).encode()),))
    turn.say(format_html(_("<b>{name}</b>\nWhich themes does it help with?"), name=row.name),
             tuple(rows))


async def _toggle_theme(turn: Turn, pressed: ToggleTheme) -> None:
    found = await _entry(turn, pressed.entry)
    if found is None:
        return
    row = found[0]
    themes = [t for t in row.themes if t != pressed.theme] if pressed.theme in row.themes \
        else [*row.themes, pressed.theme]
    if themes:
        await _save(turn, updated(row, themes=themes))
    else:
        turn.notice(_("An entry needs at least one theme."))
    await _themes(turn, Themes(row.id))


async def _areas(turn: Turn, pressed: Areas) -> None:
    """The municipalities of my area (admins: of every group, and national), ✅ where it
    serves them; the entry's others stay as they are."""
    found = await _entry(turn, pressed.entry)
    if found is None:
        return
    row, where = found
    buttons = [Button(f"{'✅ ' if c in row.municipalities else ''}"
                      f"{_('🇳🇱 Whole country') if c == NATIONAL else cards.place_name(c)}",
                      ToggleArea(row.id, c).encode()) for c in await choices(turn.session, where)]
    rows: list[tuple[Button, ...]] = [tuple(buttons[i:i + 2])
                                      for i in range(0, len(buttons), 2)]
    rows.append((Button(backward(_("Back")), Open(row.id).encode()),))
    turn.say(format_html(_("<b>{name}</b>\nWhere does it help?"), name=row.name), tuple(rows))


async def _toggle_area(turn: Turn, pressed: ToggleArea) -> None:
    found = await _entry(turn, pressed.entry)
    if found is None:
        return
    row, where = found
    if pressed.code not in await choices(turn.session, where):
        await fallback.stale(turn)
        return
    codes = [c for c in row.municipalities if c != pressed.code] \
        if pressed.code in row.municipalities else [*row.municipalities, pressed.code]
    if pressed.code == NATIONAL and NATIONAL in codes:
        codes = [NATIONAL]
    elif pressed.code != NATIONAL:
        codes = [c for c in codes if c != NATIONAL]
    try:
        changed = updated(row, municipalities=codes) if codes else None
    except ValidationError:
        changed = None
    if changed is None:
        turn.notice(_("That change does not fit this entry."))
    elif not may_keep(where, changed):  # it would leave the area: the dashboard refuses it too
        turn.notice(_(AREA_HINT))
    else:
        await _save(turn, changed)
    await _areas(turn, Areas(row.id))


async def _edit(turn: Turn, pressed: Edit) -> None:
    """Ask for the field's new value."""
    found = await _entry(turn, pressed.entry)
    if found is None:
        return
    turn.user.state = pressed.encode()
    hint = _(FIELDS[pressed.field][2])
    clear = "" if pressed.field in REQUIRED else "\n" + _("Type - to leave it empty.")
    turn.say(hint + clear, ((Button(_("Cancel"), Open(pressed.entry).encode()),),))


async def on_value(turn: Turn) -> None:
    """The typed value: checked as an import would check it, saved, the entry shown."""
    editing = Edit.read(turn.user.state)
    found = await _entry(turn, editing.entry) if editing else None
    if editing is None or found is None:
        turn.user.state = states.MENU
        if editing is None:
            await turn.resume()
        return
    row, typed = found[0], turn.event.text.strip()[:600]
    column = FIELDS[editing.field][0]
    value: object = None if typed == CLEAR and editing.field not in REQUIRED else typed
    if column == "description":
        column = f"description_{_own(turn)}"
    try:
        changed = updated(row, **{column: value})
    except ValidationError:
        turn.say(_("Sorry, I cannot use that.") + "\n" + _(FIELDS[editing.field][2]),
                 ((Button(_("Cancel"), Open(row.id).encode()),),))
        return
    await _save(turn, changed)
    await show_entry(turn, changed)


def _own(turn: Turn) -> str:
    """The language whose description a keeper writes: their own (Dutch if the directory
    has no description in it)."""
    lang = turn.user.locale or "nl"
    return lang if lang in LANGS else "nl"


async def _new(turn: Turn, _pressed: NewEntry) -> None:
    """➕ Add an entry: its first theme."""
    if await _keeper(turn) is False:
        return
    buttons = [Button(_(cards.THEME_LABELS[t]), NewTheme(t).encode()) for t in THEMES]
    rows: list[tuple[Button, ...]] = [tuple(buttons[i:i + 2])
                                      for i in range(0, len(buttons), 2)]
    rows.append((Button(_("Cancel"), Manage().encode()),))
    turn.say(_("<b>➕ New entry</b>\nWhat does it help with? (You can add more themes later.)"),
             tuple(rows))


async def _new_theme(turn: Turn, pressed: NewTheme) -> None:
    """… where it helps."""
    where = await _keeper(turn)
    if where is False:
        return
    buttons = [Button(_("🇳🇱 Whole country") if c == NATIONAL else (cards.place_name(c) or c),
                      NewArea(pressed.theme, c).encode())
               for c in await choices(turn.session, where)]
    rows: list[tuple[Button, ...]] = [tuple(buttons[i:i + 2])
                                      for i in range(0, len(buttons), 2)]
    rows.append((Button(_("Cancel"), Manage().encode()),))
    turn.say(_("<b>➕ New entry</b>\nWhere does it help?"), tuple(rows))


async def _new_area(turn: Turn, pressed: NewArea) -> None:
    """… and its name, typed next."""
    where = await _keeper(turn)
    if where is False:
        return
    if pressed.code not in await choices(turn.session, where):
        await fallback.stale(turn)
        return
    turn.user.state = pressed.encode()
    turn.say(_("<b>➕ New entry</b>\nType its name."),
             ((Button(_("Cancel"), Manage().encode()),),))


async def on_name(turn: Turn) -> None:
    """The new entry's name: the entry is made, checked today, and shown to fill in."""
    pending = NewArea.read(turn.user.state)
    where = await _keeper(turn)
    if pending is None or where is False or pending.code not in await choices(turn.session, where):
        turn.user.state = states.MENU
        if pending is None:
            await turn.resume()
        return
    name = turn.event.text.strip()
    try:
        row = EntryRow.model_validate({
            "id": await _new_id(turn.session, name), "kind": "organisation", "name": name,
            "themes": [pending.theme], "municipalities": [pending.code],
            "source": "Wegwijs coordinator", "last_checked": turn.now.astimezone(
                turn.timezone).date()})
    except ValidationError:
        turn.say(_("Please type a name of 2 to {limit} characters.").format(limit=NAME_LIMIT),
                 ((Button(_("Cancel"), Manage().encode()),),))
        return
    await _save(turn, row, "add")
    await show_entry(turn, row)


async def _new_id(session: AsyncSession, name: str) -> str:
    """A readable id from the name (anyascii for other scripts), unused so far."""
    base = re.sub(r"[^a-z0-9]+", "-", anyascii(name).lower()).strip("-")[:24] or "entry"
    taken = await repo.ids(session) | store.national_ids()
    found, number = base, 1
    while found in taken:
        number += 1
        found = f"{base}-{number}"
    return found


# --- the monthly review -----------------------------------------------------------------

def next_review(now: datetime, zone: ZoneInfo) -> datetime:
    """The first day of next month, 10:00 local time."""
    local = now.astimezone(zone).date()
    first = (local.replace(day=1) + timedelta(days=32)).replace(day=1)
    return datetime.combine(first, REVIEW_AT, tzinfo=zone).astimezone(UTC)


def _review_text(rows: list[EntryRow]) -> str:
    """In the coordinator's language: which entries to check."""
    names = "\n".join(format_html("• {name} ({date})", name=r.name, date=format_date(
        r.last_checked, "medium", locale=current_locale())) for r in rows[:IN_MESSAGE])
    more = len(rows) - IN_MESSAGE
    tail = ("\n" + _("… and {count} more.").format(count=more)) if more > 0 else ""
    return _("<b>🛠 Directory: please check</b>\nNobody checked these entries in your area for "
             "more than a year. Open one and press ✅ Still correct, or change it.") + \
        f"\n{names}{tail}"


async def review(run: JobRun) -> None:
    """Each coordinator gets the stale entries of their area; next month's review is
    scheduled in the same transaction."""
    session, now = run.session, run.now
    before = now.astimezone(run.timezone).date() - STALE_AFTER
    areas: dict[int, tuple[User, set[str]]] = {}
    for organisation in await group_repo.all_organisations(session):
        codes = set(await group_repo.municipalities_of(session, organisation.id))
        for person in await group_repo.coordinators_of(session, organisation.id):
            areas.setdefault(person.id, (person, set()))[1].update(codes)
    for person, codes in areas.values():
        rows = [store.to_row(s) for s in await repo.stale(session, codes, before)]
        rows = [r for r in rows if not r.national]
        if rows:
            await outbox.tell(session, person, partial(_review_text, rows),
                              partial(_review_buttons, rows))
    await jobs.ensure(session, KIND, "monthly", next_review(now, run.timezone))


def _review_buttons(rows: list[EntryRow]) -> tuple[tuple[Button, ...], ...]:
    return (*((Button(r.name, Open(r.id).encode()),) for r in rows[:IN_MESSAGE]),
            (Button(_("🛠 All entries"), Manage().encode()),))


async def schedule(session: AsyncSession, now: datetime, zone: ZoneInfo) -> None:
    """At startup: the monthly review is in the jobs table (never twice)."""
    if await jobs.upcoming(session, KIND, "monthly") is None:
        await jobs.ensure(session, KIND, "monthly", next_review(now, zone))


def register(router: Router) -> None:
    """/directory for keepers, the entry buttons, typed values, the monthly review."""
    router.command("directory", _list_command)
    router.on(Manage, _list)
    router.on(Open, _changing(_open))
    router.on(Confirm, _changing(_confirm, "check"))
    router.on(Closed, _changing(_closed))
    router.on(Appointment, _changing(_appointment))
    router.on(NextKind, _changing(_kind))
    router.on(Themes, _themes)
    router.on(ToggleTheme, _toggle_theme)
    router.on(Areas, _areas)
    router.on(ToggleArea, _toggle_area)
    router.on(Edit, _edit)
    router.on(NewEntry, _new)
    router.on(NewTheme, _new_theme)
    router.on(NewArea, _new_area)
    router.prompt(EDITING, _resume_editing)
    router.text_input(EDITING, on_value)
    router.prompt(NAMING, _resume_naming)
    router.text_input(NAMING, on_name)
    router.job(KIND, review)
    router.on_startup(schedule)


async def _resume_editing(turn: Turn) -> None:
    """Back at a half-typed value (after /menu and Back): the entry again."""
    editing = Edit.read(turn.user.state)
    found = await _entry(turn, editing.entry) if editing else None
    turn.user.state = states.MENU
    if found is None:
        await turn.resume()
        return
    await show_entry(turn, found[0])


async def _resume_naming(turn: Turn) -> None:
    """Back at a half-made entry: the list."""
    await show_list(turn)
