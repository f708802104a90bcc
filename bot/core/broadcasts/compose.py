"""The draft of a broadcast: its audience, its versions, a preview, and sending it now or
later, as one dialog whose screens all name the broadcast in their buttons.

Every press re-checks that the presser wrote the broadcast (or is an admin) and that it is
still a draft; the version being typed is named in the state (`bc:text:<id>:<language>`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from babel.dates import format_datetime
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import access, fallback, states
from bot.core.broadcasts import audience, delivery
from bot.core.broadcasts.audience import (
    LANGUAGES,
    ROLES,
    SITUATIONS,
    chosen_groups,
    spec,
)
from bot.core.broadcasts.buttons import (
    AskGroups,
    AskSend,
    At,
    CycleFallback,
    CycleLanguage,
    CycleMunicipality,
    CycleSituation,
    Discard,
    Later,
    LaterDay,
    LaterMonth,
    OpenBroadcast,
    PickGroup,
    Preview,
    Send,
    StopBroadcast,
    ToggleChats,
    ToggleRole,
    ToggleUnfinished,
    ToggleUrgent,
    Write,
)
from bot.core.dialogs import (
    Calendar,
    Confirm,
    Dialog,
    Link,
    Pressed,
    Row,
    Select,
    Step,
    Tap,
    TextInput,
    Widget,
    ask,
    read_moment,
)
from bot.core.dialogs.dialog import Rows
from bot.core.menu import OpenMenu
from bot.core.municipalities import all_municipalities
from bot.core.payloads import Payload
from bot.core.ports import Button
from bot.core.profile import SITUATIONS as SITUATION_LABELS
from bot.core.reminders import timing
from bot.core.render import shown_length
from bot.core.router import Router, Turn
from bot.i18n import N_, _, backward, current_locale, languages
from bot.storage import audit, jobs
from bot.storage import broadcasts as repo
from bot.storage import groups as group_repo
from bot.storage.models import Broadcast

TEXT_LIMIT = 3500  # leaves room for the heading and the note within Telegram's 4096
WRITING = "bc:text"  # state: bc:text:<broadcast id>:<language>
PLANNING = "bc:when"  # state: bc:when:<broadcast id>[:<day picked>]
ROLE_LABELS = {"newcomer": N_("Newcomers"), "member": N_("Group members"),
               "coordinator": N_("Coordinators")}
HOURS = range(8, 21)  # the hours a broadcast can be planned at


class Writing(Payload, prefix="bc", action="text"):
    """The state of an author typing one language version."""

    number: int
    language: str


class Planning(Payload, prefix="bc", shape="when:{number}:{day}"):
    """The state while the author says when it goes out (with the day, once picked), so a
    typed day or time reaches the dialog."""

    number: int
    day: date | None = None


async def mine(turn: Turn, number: int) -> Broadcast | None:
    """The broadcast, if the presser wrote it or is an admin; otherwise refused."""
    broadcast = await turn.session.get(Broadcast, number)
    if broadcast is None or not (broadcast.author_id == turn.user.id
                                 or (await access.actor(turn)).admin):
        access.refuse(turn)
        return None
    return broadcast


class Drafts:
    """A draft is named by its buttons (or, while a version is typed, by the state); its
    buttons work on every one of its screens."""

    async def load(self, turn: Turn, key: int | None) -> Broadcast | None:
        writing = Writing.read(turn.user.state) or Planning.read(turn.user.state)
        number = key if key is not None else writing.number if writing else 0
        broadcast = await mine(turn, number)
        if broadcast is not None and broadcast.state != "draft":
            turn.notice(_("This broadcast was already sent."))
            broadcast = None
        if broadcast is None and key is None:
            turn.user.state = states.MENU
        return broadcast

    def at(self, _turn: Turn, _broadcast: Broadcast) -> None:
        return None

    def move(self, turn: Turn, broadcast: Broadcast, step: str) -> None:
        """The state changes for typing a version (see `_write`) and a day or time."""
        if step == "later":
            turn.user.state = Planning(broadcast.id).encode()
        elif step != "hour" and Planning.read(turn.user.state):
            turn.user.state = states.MENU

    def key(self, broadcast: Broadcast) -> int:
        return broadcast.id

    def state(self, step: str) -> str | None:
        return WRITING if step == "write" else PLANNING if step in ("later", "hour") else None


# ---------------------------------------------------------------- the draft's screen


async def _summary(turn: Turn, b: Broadcast) -> str:
    """The draft: audience, count, versions, and what can be done next."""
    count = await audience.count(turn.session, b.audience, b.organisation_id, b.urgent)
    versions = " · ".join(f"{code} {'✅' if code in b.texts else '—'}" for code in LANGUAGES[1:])
    return "\n".join([
        _("📢 <b>New broadcast #{number}</b>").format(number=b.id),
        _("Recipients now: {count}").format(count=count),
        _("Versions: {versions}").format(versions=versions),
        _("If a language is missing, they get: {language}").format(language=b.fallback),
    ])


def _mark(on: bool) -> str:
    return "✅" if on else "◻️"


async def _roles(_turn: Turn, b: Broadcast, _view: object) -> list[tuple[str, str]]:
    roles = spec(b.audience)[0]
    return [(f"{_mark(r in roles)} {_(ROLE_LABELS[r])}", r) for r in ROLES]


async def _role(_turn: Turn, b: Broadcast, role: str) -> str:
    roles = spec(b.audience)[0]
    roles = [r for r in roles if r != role] if role in roles else [*roles, role]
    b.audience = {**b.audience, "roles": roles}
    return "draft"


def _language_label(_turn: Turn, b: Broadcast) -> str:
    return _("🌐 Language: {language}").format(language=spec(b.audience)[1] or _("all"))


async def _language(_turn: Turn, b: Broadcast) -> str:
    current = spec(b.audience)[1]
    following = LANGUAGES[(LANGUAGES.index(current) + 1) % len(LANGUAGES)]
    b.audience = {**b.audience, "language": following}
    return "draft"


def _place_label(_turn: Turn, b: Broadcast) -> str:
    town = all_municipalities().get(spec(b.audience)[2])
    return _("📍 {place}").format(place=town.name if town else _("all municipalities"))


async def _municipality(turn: Turn, b: Broadcast) -> str:
    """Cycle through the municipalities where the author's organisation has groups."""
    codes = ["", *await group_repo.municipalities_of(turn.session, b.organisation_id)]
    current = spec(b.audience)[2]
    following = codes[(codes.index(current) + 1) % len(codes)] if current in codes else ""
    b.audience = {**b.audience, "municipality": following}
    return "draft"


def _switch(key: str, label: str, kind: type[Pressed]) -> Tap[Broadcast]:
    """A ✅/◻️ switch of the audience (an N_() msgid for its label)."""

    def shown(_turn: Turn, b: Broadcast) -> str:
        return f"{_mark(bool(b.audience.get(key, False)))} " + _(label)

    async def flip(_turn: Turn, b: Broadcast) -> str:
        b.audience = {**b.audience, key: not bool(b.audience.get(key, False))}
        return "draft"

    return Tap(shown, kind, flip)


def _situation_label(_turn: Turn, b: Broadcast) -> str:
    situation = str(b.audience.get("situation", ""))
    return _("👤 {situation}").format(situation=_(SITUATION_LABELS[situation]) if situation
                                      else _("every situation"))


async def _situation(_turn: Turn, b: Broadcast) -> str:
    current = str(b.audience.get("situation", ""))
    following = SITUATIONS[(SITUATIONS.index(current) + 1) % len(SITUATIONS)] \
        if current in SITUATIONS else ""
    b.audience = {**b.audience, "situation": following}
    return "draft"


def _groups_label(_turn: Turn, b: Broadcast) -> str:
    picked = chosen_groups(b.audience)
    return _("👥 Groups: {count}").format(count=len(picked)) if picked else _("👥 All groups")


async def _versions(_turn: Turn, _b: Broadcast, _view: object) -> list[tuple[str, str]]:
    return [(f"✍️ {code}", code) for code in LANGUAGES[1:]]


async def _write(turn: Turn, b: Broadcast, code: str) -> str:
    turn.user.state = Writing(b.id, code).encode()
    return "write"


async def _previews(_turn: Turn, _b: Broadcast, _view: object) -> list[tuple[str, str]]:
    return [(f"👁 {code}", code) for code in LANGUAGES[1:]]


async def _preview(turn: Turn, b: Broadcast, code: str) -> None:
    """Exactly what a recipient reading that language would get."""
    if not b.texts:
        turn.notice(_("Write the message first."))
        return
    reply = await delivery.preview(turn.session, b, code)
    turn.say(reply.text, ((Button(backward(_("Back")), OpenBroadcast(b.id).encode()),),))


def _urgent_label(_turn: Turn, b: Broadcast) -> str:
    return f"{_mark(b.urgent)} " + _("Urgent (also to muted people)")


async def _urgent(_turn: Turn, b: Broadcast) -> str:
    b.urgent = not b.urgent
    return "draft"


def _fallback_label(_turn: Turn, b: Broadcast) -> str:
    return _("🔤 Fallback: {language}").format(language=b.fallback)


async def _fallback(_turn: Turn, b: Broadcast) -> str:
    written = [code for code in LANGUAGES[1:] if code in b.texts] or [b.fallback]
    b.fallback = written[(written.index(b.fallback) + 1) % len(written)] \
        if b.fallback in written else written[0]
    return "draft"


async def _ask_send(turn: Turn, b: Broadcast) -> str | None:
    if not b.texts:
        turn.notice(_("Write the message first."))
        return None
    return "send"


async def _discard(turn: Turn, b: Broadcast) -> None:
    await repo.discard(turn.session, b)
    turn.say(_("The draft was thrown away."))
    await turn.resume()


# ---------------------------------------------------------------- the other screens


async def _groups(turn: Turn, b: Broadcast, _view: object) -> list[tuple[str, int]]:
    """The groups of the author's organisation (all of them for an admin's broadcast)."""
    groups = (await group_repo.all_groups(turn.session) if b.organisation_id is None
              else await group_repo.groups_of_orgs(turn.session, [b.organisation_id]))
    picked = chosen_groups(b.audience)
    return [(f"{_mark(g.id in picked)} {g.name}", g.id) for g in groups[:30]]


async def _pick(_turn: Turn, b: Broadcast, group: int) -> str:
    picked = chosen_groups(b.audience)
    picked = [g for g in picked if g != group] if group in picked else [*picked, group]
    b.audience = {**b.audience, "groups": picked}
    return "groups"


async def _asking(turn: Turn, _b: Broadcast) -> str:
    """The question while the author types the version named in the state."""
    writing = Writing.read(turn.user.state)
    code = writing.language if writing else ""
    name = next((lang.native_name for lang in languages() if lang.code == code), code)
    return _("Type the message in {language}.").format(language=name)


def _text(typed: str) -> str | None:
    return typed if 1 <= shown_length(typed) <= TEXT_LIMIT else None


async def _written(turn: Turn, b: Broadcast, text: str) -> str:
    writing = Writing.read(turn.user.state)
    code = writing.language if writing else b.fallback
    b.texts = {**b.texts, code: text}
    if b.fallback not in b.texts:
        b.fallback = code
    turn.user.state = states.MENU
    return "draft"


async def _day(turn: Turn, b: Broadcast, day: date) -> None:
    """The hours of the day picked."""
    await COMPOSE.go(turn, b, "hour", view=day)
    turn.user.state = Planning(b.id, day).encode()


async def _hours(turn: Turn, _b: Broadcast, view: object) -> list[tuple[str, datetime]]:
    day = view if isinstance(view, date) else turn.now.astimezone(turn.timezone).date()
    return [(f"{h:02d}:00", datetime.combine(day, time(h))) for h in HOURS]


def _on_the_hour(_turn: Turn, _b: Broadcast, at: datetime) -> bool:
    return at.minute == 0 and at.hour in HOURS


async def _at(turn: Turn, b: Broadcast, at: datetime) -> None:
    """Scheduled as a durable job; the recipients are chosen then."""
    moment = timing.local_moment(at.date(), at.time(), turn.timezone)
    if moment is None or moment <= turn.now:
        await fallback.stale(turn)
        return
    await schedule(turn.session, b, turn.user.id, moment, turn.now)
    turn.user.state = states.MENU
    when = format_datetime(moment.astimezone(turn.timezone), "EEEE d MMMM, HH:mm",
                           locale=current_locale())
    turn.say(_("Broadcast #{number} will go out on {when}.").format(number=b.id, when=when),
             ((Button(_("✖️ Cancel it"), StopBroadcast(b.id).encode()),),
              (Button(backward(_("Menu")), OpenMenu().encode()),)))


async def _sure(turn: Turn, b: Broadcast) -> str:
    count = await audience.count(turn.session, b.audience, b.organisation_id, b.urgent)
    return _("Send broadcast #{number} to {count} recipients now?").format(number=b.id,
                                                                          count=count)


async def schedule(session: AsyncSession, b: Broadcast, author_id: int, moment: datetime,
                   now: datetime) -> None:
    """Send a draft at `moment` (a durable job; the recipients are chosen then); the bot's
    🕘 Later and the dashboard's schedule both come here."""
    b.state, b.send_at = "scheduled", moment
    audit.record(session, author_id, "broadcast.schedule", now, broadcast=b.id)
    await jobs.ensure(session, "broadcast", str(b.id), moment)


async def send_now(session: AsyncSession, b: Broadcast, author_id: int, now: datetime) -> int:
    """Start sending a draft (the bot's ✅ Yes, send and the dashboard's Send); returns
    how many recipients it goes to."""
    count = await delivery.start(session, b, now)
    audit.record(session, author_id, "broadcast.send", now, broadcast=b.id, recipients=count)
    return count


async def _send(turn: Turn, b: Broadcast) -> None:
    count = await send_now(turn.session, b, turn.user.id, turn.now)
    turn.say(_("Sending to {count} recipients. The numbers below stay up to date.").format(
        count=count), ((Button(backward(_("Menu")), OpenMenu().encode()),),))


@dataclass(frozen=True, eq=False)
class TypedMoment:
    """A day and time typed instead of picked ("morgen 9:00", "18:30", "١٢-٣ ١٨:٣٠"): a time
    alone is on the day picked (or today), a day alone opens its hours."""

    async def rows(self, turn: Turn, draft: Broadcast, key: int | None, view: object) -> Rows:
        return []

    def register(self, router: Router, dialog: Dialog[Broadcast]) -> None:
        """The dialog hands it the text typed at the calendar or the hours (Dialog.typed)."""

    def parts(self) -> tuple[Widget[Broadcast], ...]:
        return (self,)

    async def read_text(self, turn: Turn, dialog: Dialog[Broadcast], draft: Broadcast,
                        step: Step[Broadcast]) -> None:
        today = turn.now.astimezone(turn.timezone).date()
        picked = planning.day if (planning := Planning.read(turn.user.state)) else None
        day, clock = read_moment(turn.event.text, today) or (None, None)
        if day is not None and clock is None and day >= today:
            await _day(turn, draft, day)
            return
        if clock is not None and (clock.hour in HOURS or clock == time(HOURS.stop)):
            at = datetime.combine(day or picked or today, clock)
            moment = timing.local_moment(at.date(), at.time(), turn.timezone)
            if moment is not None and moment > turn.now:
                await _at(turn, draft, at)
                return
        example = today + timedelta(days=7)
        shown = dialog.steps["hour" if picked else "later"]
        rows: Rows = []
        for widget in shown.widgets:
            rows += await widget.rows(turn, draft, draft.id, picked)
        # TRANSLATORS: {example} is a day, a month and a time in digits, such as 14-12 18:30.
        turn.say(_("Please type a day and a time between 08:00 and 21:00, like this: "
                   "{example}. Or use the buttons below.").format(
                       example=f"{example.day}-{example.month} 18:30"), tuple(rows))


BACK: Link[Broadcast] = Link(lambda _turn, _b: backward(_("Back")),
                             lambda b: OpenBroadcast(b.id))
COMPOSE = Dialog(
    Drafts(),
    Step("draft", _summary,
         Select(ToggleRole, _roles, _role, columns=len(ROLES)),
         Row(Tap(_language_label, CycleLanguage, _language),
             Tap(_place_label, CycleMunicipality, _municipality)),
         Row(_switch("unfinished", N_("Not finished First steps"), ToggleUnfinished),
             _switch("chats", N_("Group chats"), ToggleChats)),
         Row(Tap(_situation_label, CycleSituation, _situation),
             Tap(_groups_label, AskGroups, lambda _turn, _b: _go("groups"))),
         Select(Write, _versions, _write, columns=len(LANGUAGES) - 1),
         Select(Preview, _previews, _preview, columns=len(LANGUAGES) - 1),
         Row(Tap(_urgent_label, ToggleUrgent, _urgent),
             Tap(_fallback_label, CycleFallback, _fallback)),
         Row(Tap(N_("📤 Send"), AskSend, _ask_send),
             Tap(N_("🕘 Later"), Later, lambda _turn, _b: _go("later")),
             Tap(N_("✖️ Discard"), Discard, _discard))),
    Step("groups", ask(N_("Which groups? None picked means all of them.")),
         Select(PickGroup, _groups, _pick), BACK),
    Step("write", _asking, TextInput(_text, lambda: _(
        "Please keep the message under {limit} characters.").format(limit=TEXT_LIMIT),
        _written), Link(N_("Cancel"), lambda b: OpenBroadcast(b.id))),
    Step("later", ask(N_("On which day should it go out? You can also type the day and the "
                         "time, for example: tomorrow 18:30.")),
         TypedMoment(), Calendar(LaterMonth, LaterDay, _day), BACK),
    Step("hour", ask(N_("At what time? You can also type it, for example 14:45.")),
         Select(At, _hours, _at, columns=4, accept=_on_the_hour), BACK),
    Step("send", _sure, Confirm(Tap(N_("✅ Yes, send"), Send, _send), BACK)),
)


async def _go(step: str) -> str:
    """A button that only opens another of the draft's screens."""
    return step
