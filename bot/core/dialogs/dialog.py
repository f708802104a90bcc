"""A dialog declared as data: its steps, each a question with widgets, and where each answer
goes; the feature's Host says where the draft is kept and which step it is at."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from bot.core import fallback, states
from bot.core.ports import Button
from bot.core.router import Router, Turn
from bot.i18n import _

D = TypeVar("D")  # a dialog's draft: an appointment, a task draft, a group being set up, …
V = TypeVar("V")  # the value a widget hands on
Rows = list[tuple[Button, ...]]
Question = Callable[[Turn, D], Awaitable[str]]  # the text above a step's buttons
# Keeps an answer on the draft and names the next step (None: it has answered itself).
Then = Callable[[Turn, D, V], Awaitable[str | None]]


class Host(Protocol[D]):
    """How a feature keeps its dialog's draft."""

    async def load(self, turn: Turn, key: int | None) -> D | None:
        """The draft (found by the key its buttons carry, or by the person's state or chat),
        or None: said with a reason (a refusal, "already sent") or silently, and then the
        dialog answers as to an old button. Never resume here: a prompt loads too."""

    def at(self, turn: Turn, draft: D) -> str | None:
        """The step the draft is at (None: its buttons work on every step)."""

    def move(self, turn: Turn, draft: D, step: str) -> None:
        """Keep the step the draft is at now (in the person's state or on the draft)."""

    def key(self, draft: D) -> int | None:
        """What its buttons carry to find it again (None: the state or the chat says)."""

    def state(self, step: str) -> str | None:
        """The conversation state while at `step` (None: no state, buttons only)."""


class Widget(Protocol[D]):
    """Part of a question: draws its rows of buttons and answers its own presses or text."""

    async def rows(self, turn: Turn, draft: D, key: int | None, view: object) -> Rows:
        """Its buttons for this draft; `view` is what the step was opened at (a month)."""

    def register(self, router: Router, dialog: Dialog[D]) -> None:
        """Own its payloads (or typed text) on the router (a row: its parts do)."""

    def parts(self) -> tuple[Widget[D], ...]:
        """Itself, or the widgets it lays out (a row of buttons)."""


@runtime_checkable
class Reader(Protocol[D]):
    """A widget that also takes typed text (an answer, a date, a time) at its step."""

    async def read_text(self, turn: Turn, dialog: Dialog[D], draft: D, step: Step[D]) -> None:
        """Take the typed text as the answer, or say kindly how to type it."""


def ask(msgid: str) -> Question[Any]:
    """A question that is one sentence (an N_() msgid), translated when it is shown."""

    async def question(_turn: Turn, _draft: object) -> str:
        return _(msgid)

    return question


class Step(Generic[D]):
    """One question of a dialog: its name, its text, its widgets top to bottom."""

    def __init__(self, name: str, question: Question[D], *widgets: Widget[D]) -> None:
        self.name, self.question, self.widgets = name, question, widgets

    def has(self, widget: object) -> bool:
        """Whether `widget` is on this step (on its own or in a row)."""
        return any(widget in w.parts() for w in self.widgets)

    def reader(self) -> Reader[D] | None:
        """The widget that takes typed text here, if any (the first one)."""
        parts = (part for w in self.widgets for part in w.parts())
        return next((part for part in parts if isinstance(part, Reader)), None)

    async def rows(self, turn: Turn, dialog: Dialog[D], draft: D) -> Rows:
        """Every widget's buttons, as the step shows them."""
        rows: Rows = []
        for widget in self.widgets:
            rows += await widget.rows(turn, draft, dialog.host.key(draft), None)
        return rows

    async def show(self, turn: Turn, dialog: Dialog[D], draft: D, view: object = None) -> None:
        """Ask the question; a button press replaces the message that held the button."""
        key = dialog.host.key(draft)
        rows: Rows = []
        for widget in self.widgets:
            rows += await widget.rows(turn, draft, key, view)
        turn.say(await self.question(turn, draft), tuple(rows))


class Dialog(Generic[D]):
    """Steps in the order a draft usually goes through them; `then` may jump anywhere."""

    def __init__(self, host: Host[D], *steps: Step[D]) -> None:
        self.host, self.steps = host, {step.name: step for step in steps}

    async def go(self, turn: Turn, draft: D, step: str, view: object = None) -> None:
        """Move the draft to `step` and ask its question."""
        self.host.move(turn, draft, step)
        await self.steps[step].show(turn, self, draft, view)

    async def follow(self, turn: Turn, draft: D, following: str | None) -> None:
        """Where an answer's `then` says to go next, if anywhere."""
        if following is not None:
            await self.go(turn, draft, following)

    async def resume(self, turn: Turn) -> None:
        """The prompt of the dialog's states: the question the draft is at (or the one the
        state names, where the draft does not keep its step), or the menu."""
        draft = await self.host.load(turn, None)
        step = self._current(turn, draft) if draft is not None else None
        if draft is None or step is None:
            turn.user.state = states.MENU
            await turn.resume()
            return
        await step.show(turn, self, draft)

    def _current(self, turn: Turn, draft: D) -> Step[D] | None:
        at = self.host.at(turn, draft)
        if at is not None:
            return self.steps.get(at)
        state = turn.router.prompt_key(turn.user.state)
        return next((s for s in self.steps.values() if self.host.state(s.name) == state), None)

    async def typed(self, turn: Turn) -> None:
        """Typed text goes to the step's widget that reads it (an answer, a date, a time);
        a step with buttons only points to them."""
        said = (turn.outcome.toast, len(turn.outcome.replies))
        draft = await self.host.load(turn, None)
        step = self._current(turn, draft) if draft is not None else None
        reader = step.reader() if step is not None else None
        if draft is None:
            if said == (turn.outcome.toast, len(turn.outcome.replies)):
                await fallback.stale(turn)  # the dialog is over: as an old button
        elif step is not None and reader is not None:
            await reader.read_text(turn, self, draft, step)
        else:
            await fallback.use_buttons(turn)

    async def draft_for(self, turn: Turn, key: int | None,
                        widget: object) -> tuple[D, Step[D]] | None:
        """The draft a press of `widget` (or text typed for it) is about, and its step, if
        the draft is at a step that shows the widget; otherwise the person was told."""
        said = (turn.outcome.toast, len(turn.outcome.replies))
        draft = await self.host.load(turn, key)
        if draft is None and said == (turn.outcome.toast, len(turn.outcome.replies)):
            await fallback.stale(turn)
        if draft is None:
            return None
        at = self.host.at(turn, draft)
        step = next((s for s in self.steps.values() if s.has(widget)
                     and (at is None or s.name == at)), None)
        if step is None:
            await fallback.stale(turn)
            return None
        return draft, step

    def register(self, router: Router) -> None:
        """Every widget's payloads, and each state's prompt and typed text (see `typed`)."""
        seen: list[Widget[D]] = []
        for step in self.steps.values():
            for widget in (part for w in step.widgets for part in w.parts()):
                if widget not in seen:
                    seen.append(widget)
                    widget.register(router, self)
        for state in dict.fromkeys(self.host.state(name) for name in self.steps):
            if state is not None:
                router.prompt(state, self.resume)
                if state not in router.text_inputs:
                    router.text_input(state, self.typed)
