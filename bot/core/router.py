"""Routes an Incoming to the feature that owns it.

Features register commands, button prefixes, text-input states and state prompts here;
the engine asks the router, never the features, what to do.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.payloads import BadPayload, Payload, decode, prefix_of
from bot.core.ports import Button, Document, Incoming, Keyboard, Kind, Outcome, Reply, Venue
from bot.core.render import finish
from bot.storage.models import Group, Post, Reminder, User


@dataclass
class Turn:
    """One update being handled: who, what, and what we answer."""

    session: AsyncSession
    user: User
    event: Incoming
    now: datetime
    timezone: ZoneInfo
    router: Router
    outcome: Outcome = field(default_factory=Outcome)
    admins: frozenset[int] = frozenset()
    bot_username: str = ""
    chat_group: Group | None = None  # in a group chat: the sponsor group linked to it
    memo: dict[str, object] = field(default_factory=dict)  # per-turn lookups, loaded once

    def say(self, text: str, keyboard: Keyboard = (), document: Document | None = None,
            venue: Venue | None = None) -> None:
        """Queue a message; it is sent after the database work has been committed.

        The first answer to a button press replaces the message that held the button:
        the chat stays short and old buttons disappear instead of piling up.
        """
        labels = tuple(tuple(Button(finish(b.label), b.data) for b in row) for row in keyboard)
        replace = self.pressed and not self.outcome.replies and document is None \
            and venue is None
        self.outcome.replies.append(Reply(finish(text), labels, replace, document, venue))

    def notice(self, text: str) -> None:
        """A short notice on the pressed button (Telegram shows it as a toast).

        A toast is plain text: names and titles escaped for messages are shown unescaped.
        """
        self.outcome.toast = finish(html.unescape(text))

    async def resume(self) -> None:
        """Show the user's current question again, so there is always a next step."""
        await self.router.resume(self)

    @property
    def pressed(self) -> bool:
        """Whether this turn is a button press (so its message may be replaced)."""
        return self.event.kind is Kind.BUTTON


Handler = Callable[[Turn], Awaitable[None]]
P = TypeVar("P", bound=Payload)
Press = Callable[[Turn, P], Awaitable[None]]  # a button's handler gets its value, checked
Interceptor = Callable[[Turn], Awaitable[bool]]
Visible = Callable[[Turn], Awaitable[bool]]
@dataclass(frozen=True)
class JobRun:
    """One run of a durable job: its transaction, its subject, the time, who the admins are."""

    session: AsyncSession
    ref: str
    now: datetime
    timezone: ZoneInfo
    admins: frozenset[int]


JobHandler = Callable[[JobRun], Awaitable[None]]
StartupHandler = Callable[[AsyncSession, datetime, ZoneInfo], Awaitable[None]]
# How a feature words its reminders: the reply in the recipient's language, or None when
# the reminder is no longer needed (its appointment was cancelled, its step was done).
ReminderRenderer = Callable[[AsyncSession, Reminder, User, ZoneInfo], Awaitable[Reply | None]]
# Work the timer wakes every few seconds in its own transaction; True if it queued messages.
TickHandler = Callable[[AsyncSession, datetime, ZoneInfo], Awaitable[bool]]
# How a feature draws an outbox row that is not ready-made text (a task board), at send time.
PostRenderer = Callable[[AsyncSession, Post, date], Awaitable[Reply]]
# What a feature records when its outbox row ends: (session, source_id, state, reason, now);
# state is sent, blocked, failed, interrupted (cut off by a crash) or expired.
ResultHook = Callable[[AsyncSession, int, str, str, datetime], Awaitable[None]]
K = TypeVar("K")


@dataclass
class Router:
    """The registry features fill in at startup, in the composition root's order."""

    commands: dict[str, Handler] = field(default_factory=dict)
    buttons: dict[str, list[type[Payload]]] = field(default_factory=dict)  # by prefix
    presses: dict[type[Payload], Press[Any]] = field(default_factory=dict)
    text_inputs: dict[str, Handler] = field(default_factory=dict)
    prompts: dict[str, Handler] = field(default_factory=dict)
    fallbacks: dict[Kind, Handler] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    menu_buttons: list[tuple[str, Payload, Visible | None]] = field(default_factory=list)
    interceptors: list[Interceptor] = field(default_factory=list)
    epilogues: list[Handler] = field(default_factory=list)
    free_text: Handler | None = None
    deep_links: dict[str, Handler] = field(default_factory=dict)
    group_commands: dict[str, Handler] = field(default_factory=dict)
    group_buttons: set[str] = field(default_factory=set)
    group_events: dict[Kind, Handler] = field(default_factory=dict)
    jobs: dict[str, JobHandler] = field(default_factory=dict)
    reminder_texts: dict[str, ReminderRenderer] = field(default_factory=dict)
    onboarded: list[Handler] = field(default_factory=list)
    startups: list[StartupHandler] = field(default_factory=list)
    post_renderers: dict[str, PostRenderer] = field(default_factory=dict)
    ticks: list[tuple[TickHandler, float]] = field(default_factory=list)
    outbox_results: dict[str, ResultHook] = field(default_factory=dict)

    def command(self, name: str, handler: Handler, description: str | None = None) -> None:
        """Own a /command; with a description (an N_() msgid) it is listed in menus and /help."""
        _claim(self.commands, name, handler)
        if description is not None:
            self.descriptions[name] = description

    def menu_button(self, label: str, payload: Payload, visible: Visible | None = None) -> None:
        """Put a feature on the main menu (label is an N_() msgid, shown translated).

        With `visible`, the button is shown only to people for whom it returns True.
        """
        self.menu_buttons.append((label, payload, visible))

    def on(self, kind: type[P], handler: Press[P]) -> None:
        """Own the buttons that carry a `kind` of payload; the handler gets it decoded."""
        kind.parts()  # a field without a codec fails at startup, not in a chat
        rivals = self.buttons.setdefault(kind.prefix, [])
        if kind in self.presses or any(r.shape == kind.shape for r in rivals):
            raise ValueError(f"{kind.__name__} ({kind.prefix}:{kind.shape}) is registered twice")
        self.presses[kind] = handler
        rivals.append(kind)

    def text_input(self, state: str, handler: Handler) -> None:
        """Own free text typed while the user is in `state`."""
        _claim(self.text_inputs, state, handler)

    def prompt(self, state: str, handler: Handler) -> None:
        """Know how to (re)show the question that belongs to `state`."""
        _claim(self.prompts, state, handler)

    def deep_link(self, prefix: str, handler: Handler) -> None:
        """Own /start payloads of the form `<prefix>_<rest>` (t.me/<bot>?start=… links)."""
        _claim(self.deep_links, prefix, handler)

    def group_command(self, name: str, handler: Handler) -> None:
        """Own a /command sent in a Telegram group chat."""
        _claim(self.group_commands, name, handler)

    def group_button(self, prefix: str) -> None:
        """Let buttons with this prefix work in group chats too (their handler checks rights)."""
        self.group_buttons.add(prefix)

    def group_event(self, kind: Kind, handler: Handler) -> None:
        """Own a group-chat event such as the bot being added."""
        _claim(self.group_events, kind, handler)

    def job(self, kind: str, handler: JobHandler) -> None:
        """Own the durable jobs of a kind."""
        if kind in self.jobs:
            raise ValueError(f"job {kind!r} is registered twice")
        self.jobs[kind] = handler

    def reminder_text(self, kind: str, renderer: ReminderRenderer) -> None:
        """Own the wording of reminders of a kind."""
        if kind in self.reminder_texts:
            raise ValueError(f"reminder kind {kind!r} is registered twice")
        self.reminder_texts[kind] = renderer

    def every(self, seconds: float, handler: TickHandler) -> None:
        """Run `handler` about every `seconds` (due reminders, broadcast reports)."""
        self.ticks.append((handler, seconds))

    def post_kind(self, kind: str, renderer: PostRenderer) -> None:
        """Own the drawing of outbox rows of a kind (plain text needs no renderer)."""
        if kind in self.post_renderers:
            raise ValueError(f"post kind {kind!r} is registered twice")
        self.post_renderers[kind] = renderer

    def outbox_result(self, source: str, hook: ResultHook) -> None:
        """Hear how the outbox rows a feature queued with this `source` ended."""
        if source in self.outbox_results:
            raise ValueError(f"outbox source {source!r} is registered twice")
        self.outbox_results[source] = hook

    def after_onboarding(self, handler: Handler) -> None:
        """Run when someone finishes the first questions (e.g. schedule their check-in)."""
        self.onboarded.append(handler)

    def on_startup(self, handler: StartupHandler) -> None:
        """Run once at startup in its own transaction (e.g. make sure jobs are scheduled)."""
        self.startups.append(handler)

    def wants(self, event: Incoming) -> bool:
        """Whether a group-chat input is ours at all; everything else there is ignored."""
        if event.kind is Kind.COMMAND:
            return event.command in self.group_commands
        if event.kind is Kind.BUTTON:
            return prefix_of(event.data) in self.group_buttons
        if event.kind is Kind.TEXT:  # the bot only hears replies to its own messages
            return event.reply_to is not None and Kind.TEXT in self.group_events
        return event.kind in self.group_events

    def answer_free_text(self, handler: Handler) -> None:
        """The feature that answers typed questions at the menu and during journeys."""
        if self.free_text is not None:
            raise ValueError("free text is answered twice")
        self.free_text = handler

    def intercept(self, interceptor: Interceptor) -> None:
        """See every input before its owner does; returning True means it was handled."""
        self.interceptors.append(interceptor)

    def afterwards(self, handler: Handler) -> None:
        """Run after the owner of a private-chat input has answered (e.g. a gentle line)."""
        self.epilogues.append(handler)

    def fallback(self, kind: Kind, handler: Handler) -> None:
        """Own input nobody else claimed."""
        _claim(self.fallbacks, kind, handler)

    async def dispatch(self, turn: Turn) -> None:
        """Interceptors first (a crisis outranks everything), then the owner of the input."""
        if not turn.event.private:
            await self._group_handler(turn.event)(turn)
            return
        for interceptor in self.interceptors:
            if await interceptor(turn):
                return
        await (self._handler_for(turn) or self._unclaimed(turn))(turn)
        for epilogue in self.epilogues:
            await epilogue(turn)

    async def resume(self, turn: Turn) -> None:
        """Show again what the user was last asked, so nobody is left without a next step."""
        await self.prompts[self.prompt_key(turn.user.state)](turn)

    def prompt_key(self, state: str) -> str:
        """States may carry detail after a second colon; prompts use the first two parts."""
        head, colon, rest = state.partition(":")
        key = head + colon + rest.partition(":")[0]
        return key if key in self.prompts else "menu"

    async def press(self, turn: Turn) -> None:
        """A button: its payload, read and checked, to the handler of its kind. Data no kind
        reads (old, forged, cut short) gets the kind answer for unknown buttons."""
        try:
            payload = decode(turn.event.data, self.buttons.get(prefix_of(turn.event.data), ()))
        except BadPayload:
            await self._unclaimed(turn)(turn)
            return
        await self.presses[type(payload)](turn, payload)

    def _handler_for(self, turn: Turn) -> Handler | None:
        event = turn.event
        if event.kind is Kind.COMMAND:
            return self.commands.get(event.command)
        if event.kind is Kind.BUTTON:
            return self.press
        if event.kind is Kind.TEXT:
            return self.text_inputs.get(self.prompt_key(turn.user.state))
        return None

    def _group_handler(self, event: Incoming) -> Handler:
        """In group chats only registered commands, buttons and events reach a feature."""
        if event.kind is Kind.COMMAND:
            return self.group_commands[event.command]
        if event.kind is Kind.BUTTON:
            return self.press
        return self.group_events[event.kind]

    def _unclaimed(self, turn: Turn) -> Handler:
        return self.fallbacks[turn.event.kind]


def _claim(table: dict[K, Handler], key: K, handler: Handler) -> None:
    """Two features owning the same key is a wiring bug: fail at startup, not in a chat."""
    if key in table:
        raise ValueError(f"{key!r} is registered twice")
    table[key] = handler
