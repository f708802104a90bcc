"""📢 /broadcast for coordinators and admins: choose the audience with buttons, write the
message (and versions in other languages), preview it as a recipient would, send; and
/broadcasts with the numbers.

Buttons name the broadcast (`bc:<action>:<broadcast id>[:<value>]`); every press
re-checks that the presser wrote it (or is an admin) and that it is still a draft where
that matters.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from typing import Annotated, TypeVar

from babel.dates import format_datetime

from bot.core import access, calendar, fallback, states
from bot.core.broadcasts import audience, delivery
from bot.core.broadcasts.audience import (
    LANGUAGES,
    ROLES,
    SITUATIONS,
    chosen_groups,
    reach,
    spec,
)
from bot.core.menu import OpenMenu
from bot.core.municipalities import all_municipalities
from bot.core.payloads import Month, Payload, Stamp
from bot.core.ports import Button, Keyboard
from bot.core.profile import SITUATIONS as SITUATION_LABELS
from bot.core.reminders import timing
from bot.core.render import shown_length
from bot.core.router import JobRun, Press, Router, Turn
from bot.i18n import FALLBACK_LANGUAGE, N_, _, current_locale, languages
from bot.storage import audit, jobs
from bot.storage import broadcasts as repo
from bot.storage import groups as group_repo
from bot.storage.models import Broadcast

TEXT_LIMIT = 3500  # leaves room for the heading and the note within Telegram's 4096
WRITING = "bc:text"  # state: bc:text:<broadcast id>:<language>
HISTORY = 15  # broadcasts listed by /broadcasts
ROLE_LABELS = {"newcomer": N_("Newcomers"), "member": N_("Group members"),
               "coordinator": N_("Coordinators")}


class Writing(Payload, prefix="bc", action="text"):
    """The state of an author typing one language version."""

    number: int
    language: str


class BroadcastButton(Payload):
    """A button about one broadcast."""

    number: int


class ToggleRole(BroadcastButton, prefix="bc", action="r"):
    """Newcomers, members or coordinators in the audience, or not."""

    role: str


class CycleLanguage(BroadcastButton, prefix="bc", action="l"):
    """🌐 The recipients' language: all, then each in turn."""


class CycleMunicipality(BroadcastButton, prefix="bc", action="m"):
    """📍 All municipalities, then each where the organisation has groups."""


class ToggleUnfinished(BroadcastButton, prefix="bc", action="u"):
    """Only people who did not finish First steps."""


class ToggleChats(BroadcastButton, prefix="bc", action="c"):
    """Also to the group chats."""


class CycleSituation(BroadcastButton, prefix="bc", action="i"):
    """👤 Every situation, then each in turn."""


class Later(BroadcastButton, prefix="bc", action="t"):
    """🕘 Later: the calendar."""


class LaterMonth(BroadcastButton, prefix="bc", shape="t:{number}:m{month}"):
    """The calendar at a month."""

    month: Month


class LaterDay(BroadcastButton, prefix="bc", shape="t:{number}:d{day}"):
    """The day it goes out: then the hours."""

    day: date


class At(BroadcastButton, prefix="bc", action="h"):
    """The day and hour it goes out (local time)."""

    at: Annotated[datetime, Stamp("%Y%m%d%H", datetime)]


class PickGroups(BroadcastButton, prefix="bc", action="q"):
    """👥 The groups; with a group, picks or unpicks it."""

    group: int | None = None


class ToggleUrgent(BroadcastButton, prefix="bc", action="g"):
    """Urgent: also to muted people."""


class CycleFallback(BroadcastButton, prefix="bc", action="f"):
    """🔤 The version people get when theirs is missing."""


class Write(BroadcastButton, prefix="bc", action="w"):
    """✍️ Write one language version."""

    language: str


class Preview(BroadcastButton, prefix="bc", action="p"):
    """👁 What a recipient reading this language gets."""

    language: str


class AskSend(BroadcastButton, prefix="bc", action="s"):
    """📤 Send: how many, and are you sure."""


class Send(BroadcastButton, prefix="bc", action="y"):
    """✅ Yes, send."""


class Discard(BroadcastButton, prefix="bc", action="x"):
    """✖️ Discard the draft."""


class OpenBroadcast(BroadcastButton, prefix="bc", action="o"):
    """The draft, or the numbers of a sent one (Back and Cancel lead here)."""


class StopBroadcast(BroadcastButton, prefix="bc", action="k"):
    """✖️ Stop sending, or cancel a scheduled one."""


class Report(BroadcastButton, prefix="bc", action="v"):
    """The numbers of a sent broadcast."""


class ShowBroadcasts(Payload, prefix="bc", shape="list:0"):
    """⬅️ Back from a report: /broadcasts."""


B = TypeVar("B", bound=BroadcastButton)
Act = Callable[[Turn, Broadcast, B], Awaitable[None]]


async def new(turn: Turn) -> None:
    """/broadcast: a draft to everyone the author reaches who is a newcomer."""
    organisation = reach(await access.actor(turn))
    if organisation is False:
        access.refuse(turn)
        return
    broadcast = Broadcast(author_id=turn.user.id, created_at=turn.now,
                          organisation_id=organisation if isinstance(organisation, int) else None,
                          audience={"roles": ["newcomer"]}, texts={},
                          fallback=turn.user.locale or FALLBACK_LANGUAGE)
    turn.session.add(broadcast)
    await turn.session.flush()
    await compose(turn, broadcast)


async def compose(turn: Turn, broadcast: Broadcast) -> None:
    """The draft: audience, count, versions, and what can be done next."""
    count = await audience.count(turn.session, broadcast.audience, broadcast.organisation_id,
                                 broadcast.urgent)
    versions = " · ".join(f"{code} {'✅' if code in broadcast.texts else '—'}"
                          for code in LANGUAGES[1:])
    text = "\n".join([
        _("📢 <b>New broadcast #{number}</b>").format(number=broadcast.id),
        _("Recipients now: {count}").format(count=count),
        _("Versions: {versions}").format(versions=versions),
        _("If a language is missing, they get: {language}").format(language=broadcast.fallback),
    ])
    turn.say(text, _compose_buttons(broadcast))


def _compose_buttons(b: Broadcast) -> Keyboard:
    """Audience toggles, one write and one preview button per language, send."""
    roles, language, municipality, unfinished, chats = spec(b.audience)
    situation = str(b.audience.get("situation", ""))
    picked = chosen_groups(b.audience)

    def mark(on: bool) -> str:
        return "✅" if on else "◻️"

    town = all_municipalities().get(municipality)
    n = b.id
    return (
        tuple(Button(f"{mark(r in roles)} {_(ROLE_LABELS[r])}", ToggleRole(n, r).encode())
              for r in ROLES),
        (Button(_("🌐 Language: {language}").format(language=language or _("all")),
                CycleLanguage(n).encode()),
         Button(_("📍 {place}").format(place=town.name if town else _("all municipalities")),
                CycleMunicipality(n).encode())),
        (Button(f"{mark(unfinished)} " + _("Not finished First steps"),
                ToggleUnfinished(n).encode()),
         Button(f"{mark(chats)} " + _("Group chats"), ToggleChats(n).encode())),
        (Button(_("👤 {situation}").format(situation=_(SITUATION_LABELS[situation])
                                           if situation else _("every situation")),
                CycleSituation(n).encode()),
         Button(_("👥 Groups: {count}").format(count=len(picked)) if picked
                else _("👥 All groups"), PickGroups(n).encode())),
        tuple(Button(f"✍️ {code}", Write(n, code).encode()) for code in LANGUAGES[1:]),
        tuple(Button(f"👁 {code}", Preview(n, code).encode()) for code in LANGUAGES[1:]),
        (Button(f"{mark(b.urgent)} " + _("Urgent (also to muted people)"),
                ToggleUrgent(n).encode()),
         Button(_("🔤 Fallback: {language}").format(language=b.fallback),
                CycleFallback(n).encode())),
        (Button(_("📤 Send"), AskSend(n).encode()), Button(_("🕘 Later"), Later(n).encode()),
         Button(_("✖️ Discard"), Discard(n).encode())),
    )


def _on(handler: Act[B], drafts_only: bool = True) -> Press[B]:
    """The pressed broadcast, if the presser wrote it (or is an admin) and, for changes, it
    is still a draft."""

    async def press(turn: Turn, pressed: B) -> None:
        broadcast = await _mine(turn, pressed.number)
        if broadcast is None:
            return
        if drafts_only and broadcast.state != "draft":
            turn.notice(_("This broadcast was already sent."))
            return
        await handler(turn, broadcast, pressed)

    return press


async def _mine(turn: Turn, number: int) -> Broadcast | None:
    """The broadcast, if the presser wrote it or is an admin."""
    broadcast = await turn.session.get(Broadcast, number)
    if broadcast is None or not (broadcast.author_id == turn.user.id
                                 or (await access.actor(turn)).admin):
        access.refuse(turn)
        return None
    return broadcast


async def _role(turn: Turn, b: Broadcast, pressed: ToggleRole) -> None:
    roles, value = spec(b.audience)[0], pressed.role
    if value in ROLES:
        roles = [r for r in roles if r != value] if value in roles else [*roles, value]
    b.audience = {**b.audience, "roles": roles}
    await compose(turn, b)


async def _language(turn: Turn, b: Broadcast, _pressed: CycleLanguage) -> None:
    current = spec(b.audience)[1]
    b.audience = {**b.audience, "language": LANGUAGES[(LANGUAGES.index(current) + 1)
                                                      % len(LANGUAGES)]}
    await compose(turn, b)


async def _municipality(turn: Turn, b: Broadcast, _pressed: CycleMunicipality) -> None:
    """Cycle through the municipalities where the author's organisation has groups."""
    codes = ["", *await group_repo.municipalities_of(turn.session, b.organisation_id)]
    current = spec(b.audience)[2]
    following = codes[(codes.index(current) + 1) % len(codes)] if current in codes else ""
    b.audience = {**b.audience, "municipality": following}
    await compose(turn, b)


async def _toggle(turn: Turn, b: Broadcast, key: str) -> None:
    b.audience = {**b.audience, key: not bool(b.audience.get(key, False))}
    await compose(turn, b)


async def _situation(turn: Turn, b: Broadcast, _pressed: CycleSituation) -> None:
    current = str(b.audience.get("situation", ""))
    following = SITUATIONS[(SITUATIONS.index(current) + 1) % len(SITUATIONS)] \
        if current in SITUATIONS else ""
    b.audience = {**b.audience, "situation": following}
    await compose(turn, b)


async def _groups(turn: Turn, b: Broadcast, pressed: PickGroups) -> None:
    """The author's groups; with a group pressed, it is picked or unpicked."""
    groups = (await group_repo.all_groups(turn.session) if b.organisation_id is None
              else await group_repo.groups_of_orgs(turn.session, [b.organisation_id]))
    picked = chosen_groups(b.audience)
    if (number := pressed.group) is not None and number in {g.id for g in groups}:
        picked = [g for g in picked if g != number] if number in picked else [*picked, number]
        b.audience = {**b.audience, "groups": picked}
    rows = [(Button(f"{'✅' if g.id in picked else '◻️'} {g.name}",
                    PickGroups(b.id, g.id).encode()),) for g in groups[:30]]
    turn.say(_("Which groups? None picked means all of them."), (*rows, (_back(b),)))


def _back(b: Broadcast) -> Button:
    return Button(_("⬅️ Back"), OpenBroadcast(b.id).encode())


async def _later(turn: Turn, b: Broadcast, _pressed: Later) -> None:
    """🕘 Later: a day on the calendar, then a time."""
    _calendar(turn, b, turn.now.astimezone(turn.timezone).date())


async def _later_month(turn: Turn, b: Broadcast, pressed: LaterMonth) -> None:
    _calendar(turn, b, pressed.month)


def _calendar(turn: Turn, b: Broadcast, month: date) -> None:
    today = turn.now.astimezone(turn.timezone).date()
    links = calendar.Links(lambda m: LaterMonth(b.id, m), lambda d: LaterDay(b.id, d))
    turn.say(_("On which day should it go out?"),
             (*calendar.month_keyboard(links, month, today), (_back(b),)))


async def _later_day(turn: Turn, b: Broadcast, pressed: LaterDay) -> None:
    """The hours of the day picked (a day already past shows this month again)."""
    today = turn.now.astimezone(turn.timezone).date()
    if pressed.day < today:
        _calendar(turn, b, today)
        return
    hours = [Button(f"{h:02d}:00", At(b.id, datetime.combine(pressed.day, time(h))).encode())
             for h in range(8, 21)]
    turn.say(_("At what time?"), (*[tuple(hours[i:i + 4]) for i in range(0, len(hours), 4)],
                                  (_back(b),)))


async def _at(turn: Turn, b: Broadcast, pressed: At) -> None:
    """Scheduled as a durable job; the recipients are chosen then."""
    moment = timing.local_moment(pressed.at.date(), pressed.at.time(), turn.timezone)
    if moment is None or moment <= turn.now:
        await fallback.stale(turn)
        return
    b.state, b.send_at = "scheduled", moment
    audit.record(turn.session, turn.user.id, "broadcast.schedule", turn.now, broadcast=b.id)
    await jobs.ensure(turn.session, "broadcast", str(b.id), moment)
    when = format_datetime(moment.astimezone(turn.timezone), "EEEE d MMMM, HH:mm",
                           locale=current_locale())
    turn.say(_("Broadcast #{number} will go out on {when}.").format(number=b.id, when=when),
             ((Button(_("✖️ Cancel it"), StopBroadcast(b.id).encode()),),
              (Button(_("⬅️ Menu"), OpenMenu().encode()),)))


async def send_scheduled(run: JobRun) -> None:
    """The broadcast's moment has come (unless it was cancelled meanwhile)."""
    broadcast = await run.session.get(Broadcast, int(run.ref)) if run.ref.isdigit() else None
    if broadcast is not None and broadcast.state == "scheduled":
        await delivery.start(run.session, broadcast, run.now)


async def _unfinished(turn: Turn, b: Broadcast, _pressed: ToggleUnfinished) -> None:
    await _toggle(turn, b, "unfinished")


async def _chats(turn: Turn, b: Broadcast, _pressed: ToggleChats) -> None:
    await _toggle(turn, b, "chats")


async def _urgent(turn: Turn, b: Broadcast, _pressed: ToggleUrgent) -> None:
    b.urgent = not b.urgent
    await compose(turn, b)


async def _fallback(turn: Turn, b: Broadcast, _pressed: CycleFallback) -> None:
    written = [code for code in LANGUAGES[1:] if code in b.texts] or [b.fallback]
    b.fallback = written[(written.index(b.fallback) + 1) % len(written)] \
        if b.fallback in written else written[0]
    await compose(turn, b)


async def _write(turn: Turn, b: Broadcast, pressed: Write) -> None:
    if pressed.language not in LANGUAGES[1:]:
        await fallback.stale(turn)
        return
    turn.user.state = Writing(b.id, pressed.language).encode()
    await turn.resume()


async def ask_text(turn: Turn) -> None:
    """The prompt while the author writes one language version."""
    writing = Writing.read(turn.user.state)
    if writing is None:
        turn.user.state = states.MENU
        await turn.resume()
        return
    code = writing.language
    name = next((lang.native_name for lang in languages() if lang.code == code), code)
    turn.say(_("Type the message in {language}.").format(language=name),
             ((Button(_("Cancel"), OpenBroadcast(writing.number).encode()),),))


async def on_text(turn: Turn) -> None:
    """A language version, typed."""
    writing = Writing.read(turn.user.state)
    broadcast = await _mine(turn, writing.number) if writing else None
    text = turn.event.text.strip()
    if writing is None or broadcast is None or broadcast.state != "draft" or \
            writing.language not in LANGUAGES[1:]:
        turn.user.state = states.MENU
        return
    code = writing.language
    if not 1 <= shown_length(text) <= TEXT_LIMIT:
        turn.say(_("Please keep the message under {limit} characters.").format(limit=TEXT_LIMIT))
        return
    broadcast.texts = {**broadcast.texts, code: text}
    if broadcast.fallback not in broadcast.texts:
        broadcast.fallback = code
    turn.user.state = states.MENU
    await compose(turn, broadcast)


async def _open(turn: Turn, b: Broadcast, _pressed: OpenBroadcast) -> None:
    turn.user.state = states.MENU
    await (compose(turn, b) if b.state == "draft" else _show_report(turn, b))


async def _preview(turn: Turn, b: Broadcast, pressed: Preview) -> None:
    """Exactly what a recipient reading that language would get."""
    if pressed.language not in LANGUAGES[1:] or not b.texts:
        turn.notice(_("Write the message first."))
        return
    reply = await delivery.preview(turn.session, b, pressed.language)
    turn.say(reply.text, ((_back(b),),))


async def _confirm(turn: Turn, b: Broadcast, _pressed: AskSend) -> None:
    if not b.texts:
        turn.notice(_("Write the message first."))
        return
    count = await audience.count(turn.session, b.audience, b.organisation_id, b.urgent)
    turn.say(_("Send broadcast #{number} to {count} recipients now?").format(
        number=b.id, count=count),
        ((Button(_("✅ Yes, send"), Send(b.id).encode()), _back(b)),))


async def _send(turn: Turn, b: Broadcast, _pressed: Send) -> None:
    count = await delivery.start(turn.session, b, turn.now)
    audit.record(turn.session, turn.user.id, "broadcast.send", turn.now, broadcast=b.id,
                 recipients=count)
    turn.say(_("Sending to {count} recipients. The numbers below stay up to date.").format(
        count=count), ((Button(_("⬅️ Menu"), OpenMenu().encode()),),))


async def _discard(turn: Turn, b: Broadcast, _pressed: Discard) -> None:
    await repo.discard(turn.session, b)
    turn.say(_("The draft was thrown away."))
    await turn.resume()


async def _cancel(turn: Turn, b: Broadcast, _pressed: StopBroadcast) -> None:
    if b.state in ("sending", "scheduled"):
        await delivery.cancel(turn.session, b, turn.now)
        audit.record(turn.session, turn.user.id, "broadcast.cancel", turn.now, broadcast=b.id)
        await delivery.update_report(turn.session, b, turn.now)
    await _show_report(turn, b)


async def _show_report(turn: Turn, b: Broadcast) -> None:
    counts = await repo.counts(turn.session, b.id)
    rows: list[tuple[Button, ...]] = []
    if b.state == "sending":
        rows.append((Button(_("✖️ Stop sending"), StopBroadcast(b.id).encode()),))
    rows.append((Button(_("⬅️ Back"), ShowBroadcasts().encode()),))
    turn.say(delivery.report_text(b, counts), tuple(rows))


async def _report(turn: Turn, b: Broadcast, _pressed: Report) -> None:
    await _show_report(turn, b)


async def history(turn: Turn) -> None:
    """/broadcasts: the author's broadcasts (an admin's: all), newest first, with numbers."""
    who = await access.actor(turn)
    if reach(who) is False:
        access.refuse(turn)
        return
    found = await repo.history(turn.session, None if who.admin else turn.user.id, HISTORY)
    rows = []
    for b in found:
        sent = (await repo.counts(turn.session, b.id)).get("sent", 0)
        rows.append((Button(f"#{b.id} · {b.created_at:%d-%m} · ✅ {sent}",
                            Report(b.id).encode()),))
    turn.say(_("<b>Broadcasts</b>") if found else _("<b>Broadcasts</b>\nNone yet."),
             (*rows, (Button(_("⬅️ Menu"), OpenMenu().encode()),)))


async def on_list(turn: Turn, _pressed: ShowBroadcasts) -> None:
    """The Back button of a report."""
    await history(turn)


def register(router: Router) -> None:
    """/broadcast, /broadcasts, the bc: buttons and the typed versions."""
    router.command("broadcast", new)
    router.command("broadcasts", history)
    _register_buttons(router)
    router.prompt(WRITING, ask_text)
    router.text_input(WRITING, on_text)
    router.on_startup(delivery.requeue)
    router.every(delivery.REPORT_EVERY, delivery.update_reports)
    router.outbox_result(delivery.SOURCE, delivery.ended)
    router.job("broadcast", send_scheduled)


def _register_buttons(router: Router) -> None:
    """Changes need a draft; opening, stopping and the numbers work at any time."""
    router.on(ShowBroadcasts, on_list)
    router.on(ToggleRole, _on(_role))
    router.on(CycleLanguage, _on(_language))
    router.on(CycleMunicipality, _on(_municipality))
    router.on(ToggleUnfinished, _on(_unfinished))
    router.on(ToggleChats, _on(_chats))
    router.on(CycleSituation, _on(_situation))
    router.on(Later, _on(_later))
    router.on(LaterMonth, _on(_later_month))
    router.on(LaterDay, _on(_later_day))
    router.on(At, _on(_at))
    router.on(PickGroups, _on(_groups))
    router.on(ToggleUrgent, _on(_urgent))
    router.on(CycleFallback, _on(_fallback))
    router.on(Write, _on(_write))
    router.on(Preview, _on(_preview))
    router.on(AskSend, _on(_confirm))
    router.on(Send, _on(_send))
    router.on(Discard, _on(_discard))
    router.on(OpenBroadcast, _on(_open, drafts_only=False))
    router.on(StopBroadcast, _on(_cancel, drafts_only=False))
    router.on(Report, _on(_report, drafts_only=False))

