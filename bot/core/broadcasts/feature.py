"""📢 /broadcast for coordinators and admins: choose the audience with buttons, write the
message (and versions in other languages), preview it as a recipient would, send; and
/broadcasts with the numbers.

Button data `bc:<action>:<broadcast id>[:<value>]`; every press re-checks that the presser
wrote this broadcast (or is an admin) and that it is still a draft where that matters.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select

from bot.core import fallback, states
from bot.core.broadcasts import delivery
from bot.core.broadcasts.audience import LANGUAGES, ROLES, reach, recipients, spec
from bot.core.groups import access
from bot.core.municipalities import all_municipalities
from bot.core.ports import Button, Keyboard
from bot.core.router import Router, Turn
from bot.i18n import N_, _, languages
from bot.storage import broadcasts as repo
from bot.storage.models import Broadcast, Group

TEXT_LIMIT = 3500  # leaves room for the heading and the note within Telegram's 4096
WRITING = "bc:text"  # state: bc:text:<broadcast id>:<language>
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
                          fallback=turn.user.locale or "nl")
    turn.session.add(broadcast)
    await turn.session.flush()
    await compose(turn, broadcast)


async def compose(turn: Turn, broadcast: Broadcast) -> None:
    """The draft: audience, count, versions, and what can be done next."""
    count = len(await recipients(turn.session, broadcast.audience, broadcast.organisation_id,
                                 broadcast.urgent))
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
        tuple(Button(f"✍️ {code}", f"bc:w:{b.id}:{code}") for code in LANGUAGES[1:]),
        tuple(Button(f"👁 {code}", f"bc:p:{b.id}:{code}") for code in LANGUAGES[1:]),
        (Button(f"{mark(b.urgent)} " + _("Urgent (also to muted people)"), f"bc:g:{b.id}"),
         Button(_("🔤 Fallback: {language}").format(language=b.fallback), f"bc:f:{b.id}")),
        (Button(_("📤 Send"), f"bc:s:{b.id}"), Button(_("✖️ Discard"), f"bc:x:{b.id}")),
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
    broadcast = await turn.session.get(Broadcast, int(value)) if value.isdigit() else None
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
    query = select(Group.municipality_code).where(Group.municipality_code.is_not(None))
    if b.organisation_id is not None:
        query = query.where(Group.organisation_id == b.organisation_id)
    codes = ["", *sorted({c for c in (await turn.session.scalars(query)).all() if c})]
    current = spec(b.audience)[2]
    following = codes[(codes.index(current) + 1) % len(codes)] if current in codes else ""
    b.audience = {**b.audience, "municipality": following}
    await compose(turn, b)


async def _toggle(turn: Turn, b: Broadcast, key: str) -> None:
    b.audience = {**b.audience, key: not bool(b.audience.get(key, False))}
    await compose(turn, b)


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
    if not 1 <= len(text) <= TEXT_LIMIT:
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
    count = len(await recipients(turn.session, b.audience, b.organisation_id, b.urgent))
    turn.say(_("Send broadcast #{number} to {count} recipients now?").format(
        number=b.id, count=count),
        ((Button(_("✅ Yes, send"), f"bc:y:{b.id}"), Button(_("⬅️ Back"), f"bc:o:{b.id}")),))


async def _send(turn: Turn, b: Broadcast, _value: str) -> None:
    count = await delivery.start(turn.session, b, turn.now)
    turn.outcome.queued = True
    turn.say(_("Sending to {count} recipients. The numbers below stay up to date.").format(
        count=count), ((Button(_("⬅️ Menu"), "menu:back"),),))


async def _discard(turn: Turn, b: Broadcast, _value: str) -> None:
    await turn.session.delete(b)
    turn.say(_("The draft was thrown away."))
    await turn.resume()


async def _cancel(turn: Turn, b: Broadcast, _value: str) -> None:
    if b.state in ("sending", "scheduled"):
        await repo.cancel(turn.session, b.id, turn.now)
        await delivery.update_report(turn.session, b, turn.now)
        turn.outcome.queued = True
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
    query = select(Broadcast).where(Broadcast.state != "draft").order_by(Broadcast.id.desc())
    if not who.admin:
        query = query.where(Broadcast.author_id == turn.user.id)
    found = (await turn.session.scalars(query.limit(15))).all()
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
    "u": (True, _unfinished), "c": (True, _chats), "g": (True, _urgent), "f": (True, _fallback),
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
    router.on_startup(delivery.recover)


async def _dispatch(turn: Turn) -> None:
    """bc:list:… is the list; everything else acts on one broadcast."""
    await (on_list(turn) if turn.event.data.startswith("bc:list") else on_button(turn))

