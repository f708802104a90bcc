"""📢 /broadcast for coordinators and admins: choose the audience with buttons, write the
message (and versions in other languages), preview it as a recipient would, send; and
/broadcasts with the numbers.

Button data `bc:<action>:<broadcast id>[:<value>]`; every press re-checks that the presser
wrote this broadcast (or is an admin) and that it is still a draft where that matters.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import time

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
from bot.core.municipalities import all_municipalities
from bot.core.ports import Button, Keyboard
from bot.core.profile import SITUATIONS as SITUATION_LABELS
from bot.core.reminders import timing
from bot.core.render import shown_length
from bot.core.router import JobRun, Router, Turn
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
    return (
        tuple(Button(f"{mark(r in roles)} {_(ROLE_LABELS[r])}", f"bc:r:{b.id}:{r}") for r in ROLES),
        (Button(_("🌐 Language: {language}").format(language=language or _("all")), f"bc:l:{b.id}"),
         Button(_("📍 {place}").format(place=town.name if town else _("all municipalities")),
                f"bc:m:{b.id}")),
        (Button(f"{mark(unfinished)} " + _("Not finished First steps"), f"bc:u:{b.id}"),
         Button(f"{mark(chats)} " + _("Group chats"), f"bc:c:{b.id}")),
        (Button(_("👤 {situation}").format(situation=_(SITUATION_LABELS[situation])
                                           if situation else _("every situation")),
                f"bc:i:{b.id}"),
         Button(_("👥 Groups: {count}").format(count=len(picked)) if picked
                else _("👥 All groups"), f"bc:q:{b.id}")),
        tuple(Button(f"✍️ {code}", f"bc:w:{b.id}:{code}") for code in LANGUAGES[1:]),
        tuple(Button(f"👁 {code}", f"bc:p:{b.id}:{code}") for code in LANGUAGES[1:]),
        (Button(f"{mark(b.urgent)} " + _("Urgent (also to muted people)"), f"bc:g:{b.id}"),
         Button(_("🔤 Fallback: {language}").format(language=b.fallback), f"bc:f:{b.id}")),
        (Button(_("📤 Send"), f"bc:s:{b.id}"), Button(_("🕘 Later"), f"bc:t:{b.id}"),
         Button(_("✖️ Discard"), f"bc:x:{b.id}")),
    )


async def on_button(turn: Turn) -> None:
    """bc:<action>:<id>[:<value>]."""
    parts = turn.event.data.split(":")
    action = _ACTIONS.get(parts[1] if len(parts) > 2 else "")
    broadcast = await _mine(turn, parts[2] if len(parts) > 2 else "")
    if action is None or broadcast is None:
        if action is None:
            await fallback.stale(turn)
        return
    drafts_only, handler = action
    if drafts_only and broadcast.state != "draft":
        turn.notice(_("This broadcast was already sent."))
        return
    await handler(turn, broadcast, parts[3] if len(parts) > 3 else "")


async def _mine(turn: Turn, value: str) -> Broadcast | None:
    """The broadcast, if the presser wrote it or is an admin."""
    broadcast = await turn.session.get(Broadcast, access.number(value) or 0)
    if broadcast is None or not (broadcast.author_id == turn.user.id
                                 or (await access.actor(turn)).admin):
        access.refuse(turn)
        return None
    return broadcast


async def _role(turn: Turn, b: Broadcast, value: str) -> None:
    roles = spec(b.audience)[0]
    if value in ROLES:
        roles = [r for r in roles if r != value] if value in roles else [*roles, value]
    b.audience = {**b.audience, "roles": roles}
    await compose(turn, b)


async def _language(turn: Turn, b: Broadcast, _value: str) -> None:
    current = spec(b.audience)[1]
    b.audience = {**b.audience, "language": LANGUAGES[(LANGUAGES.index(current) + 1)
                                                      % len(LANGUAGES)]}
    await compose(turn, b)


async def _municipality(turn: Turn, b: Broadcast, _value: str) -> None:
    """Cycle through the municipalities where the author's organisation has groups."""
    codes = ["", *await group_repo.municipalities_of(turn.session, b.organisation_id)]
    current = spec(b.audience)[2]
    following = codes[(codes.index(current) + 1) % len(codes)] if current in codes else ""
    b.audience = {**b.audience, "municipality": following}
    await compose(turn, b)


async def _toggle(turn: Turn, b: Broadcast, key: str) -> None:
    b.audience = {**b.audience, key: not bool(b.audience.get(key, False))}
    await compose(turn, b)


async def _situation(turn: Turn, b: Broadcast, _value: str) -> None:
    current = str(b.audience.get("situation", ""))
    following = SITUATIONS[(SITUATIONS.index(current) + 1) % len(SITUATIONS)] \
        if current in SITUATIONS else ""
    b.audience = {**b.audience, "situation": following}
    await compose(turn, b)


async def _groups(turn: Turn, b: Broadcast, value: str) -> None:
    """bc:q:<id> lists the author's groups; bc:q:<id>:<group> picks or unpicks one."""
    groups = (await group_repo.all_groups(turn.session) if b.organisation_id is None
              else await group_repo.groups_of_orgs(turn.session, [b.organisation_id]))
    picked = chosen_groups(b.audience)
    if (number := access.number(value)) is not None and number in {g.id for g in groups}:
        picked = [g for g in picked if g != number] if number in picked else [*picked, number]
        b.audience = {**b.audience, "groups": picked}
    rows = [(Button(f"{'✅' if g.id in picked else '◻️'} {g.name}", f"bc:q:{b.id}:{g.id}"),)
            for g in groups[:30]]
    turn.say(_("Which groups? None picked means all of them."),
             (*rows, (Button(_("⬅️ Back"), f"bc:o:{b.id}"),)))


async def _later(turn: Turn, b: Broadcast, value: str) -> None:
    """🕘 Later: a day on the calendar (bc:t:<id>:m<yyyymm> turns the page), then a time."""
    today = turn.now.astimezone(turn.timezone).date()
    if value.startswith("d") and (day := calendar.parse_day(value[1:])) and day >= today:
        hours = [Button(f"{h:02d}:00", f"bc:h:{b.id}:{day:%Y%m%d}{h:02d}") for h in range(8, 21)]
        turn.say(_("At what time?"), (*[tuple(hours[i:i + 4]) for i in range(0, len(hours), 4)],
                                      (Button(_("⬅️ Back"), f"bc:o:{b.id}"),)))
        return
    month = calendar.parse_month(value[1:]) if value.startswith("m") else None
    keyboard = calendar.month_keyboard("x", month or today, today)
    rows = tuple(tuple(Button(k.label, _calendar_data(b.id, k.data)) for k in row)
                 for row in keyboard)
    turn.say(_("On which day should it go out?"), (*rows, (Button(_("⬅️ Back"),
                                                                   f"bc:o:{b.id}"),)))


def _calendar_data(number: int, data: str) -> str:
    """The shared calendar's x:m:… and x:d:… as this feature's bc:t:<id>:m… and …:d…."""
    _x, kind, value = data.split(":")
    return f"bc:t:{number}:{kind}{value}"


async def _at(turn: Turn, b: Broadcast, value: str) -> None:
    """bc:h:<id>:<yyyymmddHH>: scheduled as a durable job; the recipients are chosen then."""
    day = calendar.parse_day(value[:8])
    hour = access.number(value[8:])
    moment = timing.local_moment(day, time(hour, 0), turn.timezone) \
        if day and hour is not None and hour < 24 else None
    if moment is None or moment <= turn.now:
        await fallback.stale(turn)
        return
    b.state, b.send_at = "scheduled", moment
    audit.record(turn.session, turn.user.id, "broadcast.schedule", turn.now, broadcast=b.id)
    await jobs.ensure(turn.session, "broadcast", str(b.id), moment)
    when = format_datetime(moment.astimezone(turn.timezone), "EEEE d MMMM, HH:mm",
                           locale=current_locale())
    turn.say(_("Broadcast #{number} will go out on {when}.").format(number=b.id, when=when),
             ((Button(_("✖️ Cancel it"), f"bc:k:{b.id}"),), (Button(_("⬅️ Menu"), "menu:back"),)))


async def send_scheduled(run: JobRun) -> None:
    """The broadcast's moment has come (unless it was cancelled meanwhile)."""
    broadcast = await run.session.get(Broadcast, int(run.ref)) if run.ref.isdigit() else None
    if broadcast is not None and broadcast.state == "scheduled":
        await delivery.start(run.session, broadcast, run.now)


async def _unfinished(turn: Turn, b: Broadcast, _value: str) -> None:
    await _toggle(turn, b, "unfinished")


async def _chats(turn: Turn, b: Broadcast, _value: str) -> None:
    await _toggle(turn, b, "chats")


async def _urgent(turn: Turn, b: Broadcast, _value: str) -> None:
    b.urgent = not b.urgent
    await compose(turn, b)


async def _fallback(turn: Turn, b: Broadcast, _value: str) -> None:
    written = [code for code in LANGUAGES[1:] if code in b.texts] or [b.fallback]
    b.fallback = written[(written.index(b.fallback) + 1) % len(written)] \
        if b.fallback in written else written[0]
    await compose(turn, b)


async def _write(turn: Turn, b: Broadcast, value: str) -> None:
    if value not in LANGUAGES[1:]:
        await fallback.stale(turn)
        return
    turn.user.state = f"{WRITING}:{b.id}:{value}"
    await turn.resume()


async def ask_text(turn: Turn) -> None:
    """The prompt while the author writes one language version."""
    _bc, _text, number, code = [*turn.user.state.split(":"), "", "", "", ""][:4]
    name = next((lang.native_name for lang in languages() if lang.code == code), code)
    turn.say(_("Type the message in {language}.").format(language=name),
             ((Button(_("Cancel"), f"bc:o:{number}"),),))


async def on_text(turn: Turn) -> None:
    """A language version, typed."""
    _bc, _text, number, code = [*turn.user.state.split(":"), "", "", "", ""][:4]
    broadcast = await _mine(turn, number)
    text = turn.event.text.strip()
    if broadcast is None or broadcast.state != "draft" or code not in LANGUAGES[1:]:
        turn.user.state = states.MENU
        return
    if not 1 <= shown_length(text) <= TEXT_LIMIT:
        turn.say(_("Please keep the message under {limit} characters.").format(limit=TEXT_LIMIT))
        return
    broadcast.texts = {**broadcast.texts, code: text}
    if broadcast.fallback not in broadcast.texts:
        broadcast.fallback = code
    turn.user.state = states.MENU
    await compose(turn, broadcast)


async def _open(turn: Turn, b: Broadcast, _value: str) -> None:
    turn.user.state = states.MENU
    await (compose(turn, b) if b.state == "draft" else _show_report(turn, b))


async def _preview(turn: Turn, b: Broadcast, value: str) -> None:
    """Exactly what a recipient reading `value` would get."""
    if value not in LANGUAGES[1:] or not b.texts:
        turn.notice(_("Write the message first."))
        return
    reply = await delivery.preview(turn.session, b, value)
    turn.say(reply.text, ((Button(_("⬅️ Back"), f"bc:o:{b.id}"),),))


async def _confirm(turn: Turn, b: Broadcast, _value: str) -> None:
    if not b.texts:
        turn.notice(_("Write the message first."))
        return
    count = await audience.count(turn.session, b.audience, b.organisation_id, b.urgent)
    turn.say(_("Send broadcast #{number} to {count} recipients now?").format(
        number=b.id, count=count),
        ((Button(_("✅ Yes, send"), f"bc:y:{b.id}"), Button(_("⬅️ Back"), f"bc:o:{b.id}")),))


async def _send(turn: Turn, b: Broadcast, _value: str) -> None:
    count = await delivery.start(turn.session, b, turn.now)
    audit.record(turn.session, turn.user.id, "broadcast.send", turn.now, broadcast=b.id,
                 recipients=count)
    turn.say(_("Sending to {count} recipients. The numbers below stay up to date.").format(
        count=count), ((Button(_("⬅️ Menu"), "menu:back"),),))


async def _discard(turn: Turn, b: Broadcast, _value: str) -> None:
    await repo.discard(turn.session, b)
    turn.say(_("The draft was thrown away."))
    await turn.resume()


async def _cancel(turn: Turn, b: Broadcast, _value: str) -> None:
    if b.state in ("sending", "scheduled"):
        await delivery.cancel(turn.session, b, turn.now)
        audit.record(turn.session, turn.user.id, "broadcast.cancel", turn.now, broadcast=b.id)
        await delivery.update_report(turn.session, b, turn.now)
    await _show_report(turn, b)


async def _show_report(turn: Turn, b: Broadcast) -> None:
    counts = await repo.counts(turn.session, b.id)
    rows: list[tuple[Button, ...]] = []
    if b.state == "sending":
        rows.append((Button(_("✖️ Stop sending"), f"bc:k:{b.id}"),))
    rows.append((Button(_("⬅️ Back"), "bc:list:0"),))
    turn.say(delivery.report_text(b, counts), tuple(rows))


async def _report(turn: Turn, b: Broadcast, _value: str) -> None:
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
        rows.append((Button(f"#{b.id} · {b.created_at:%d-%m} · ✅ {sent}", f"bc:v:{b.id}"),))
    turn.say(_("<b>Broadcasts</b>") if found else _("<b>Broadcasts</b>\nNone yet."),
             (*rows, (Button(_("⬅️ Menu"), "menu:back"),)))


async def on_list(turn: Turn) -> None:
    """bc:list:0, the Back button of a report."""
    await history(turn)


_ACTIONS: dict[str, tuple[bool, Callable[[Turn, Broadcast, str], Awaitable[None]]]] = {
    "r": (True, _role), "l": (True, _language), "m": (True, _municipality),
    "u": (True, _unfinished), "c": (True, _chats), "i": (True, _situation),
    "t": (True, _later), "h": (True, _at), "q": (True, _groups),
    "g": (True, _urgent), "f": (True, _fallback),
    "w": (True, _write), "p": (True, _preview), "s": (True, _confirm), "y": (True, _send),
    "x": (True, _discard), "o": (False, _open), "k": (False, _cancel), "v": (False, _report),
}


def register(router: Router) -> None:
    """/broadcast, /broadcasts, the bc: buttons and the typed versions."""
    router.command("broadcast", new)
    router.command("broadcasts", history)
    router.button("bc", _dispatch)
    router.prompt(WRITING, ask_text)
    router.text_input(WRITING, on_text)
    router.on_startup(delivery.requeue)
    router.every(delivery.REPORT_EVERY, delivery.update_reports)
    router.outbox_result(delivery.SOURCE, delivery.ended)
    router.job("broadcast", send_scheduled)


async def _dispatch(turn: Turn) -> None:
    """bc:list:… is the list; everything else acts on one broadcast."""
    await (on_list(turn) if turn.event.data.startswith("bc:list") else on_button(turn))

