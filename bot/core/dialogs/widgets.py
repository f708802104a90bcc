"""The other widgets of a dialog's step: a choice among options (one, or several switched on
and off), a typed answer, a button (alone, in a row, or as a yes/no), a link elsewhere; and
a long list a page at a time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from bot.core import fallback
from bot.core.dialogs.dialog import D, Dialog, Rows, Step, Then, V, Widget
from bot.core.payloads import Payload
from bot.core.ports import Button
from bot.core.router import Router, Turn
from bot.i18n import _, backward, forward, is_rtl

T = TypeVar("T")
Label = str | Callable[[Turn, D], str]  # an N_() msgid, or a label drawn for the draft
Options = Callable[[Turn, D, object], Awaitable[Sequence[tuple[str, V]]]]  # label, value


class Chosen(Payload, Generic[V]):
    """An option of a Select; `key` names the draft where the state does not."""

    value: V
    key: int | None = field(default=None, kw_only=True)


class Pressed(Payload):
    """A dialog's button without a value (Cancel, Skip, Save)."""

    key: int | None = field(default=None, kw_only=True)


@dataclass(frozen=True, eq=False)
class Select(Generic[D, V]):
    """Options as buttons, `columns` to a row; only an option on offer is taken (by default
    one that `options` gives now; `accept` decides where they depend on the view)."""

    kind: type[Chosen[V]]
    options: Options[D, V]
    then: Then[D, V]
    columns: int = 1
    accept: Callable[[Turn, D, V], bool] | None = None

    async def rows(self, turn: Turn, draft: D, key: int | None, view: object) -> Rows:
        buttons = [Button(label, self.kind(value, key=key).encode())
                   for label, value in await self.options(turn, draft, view)]
        return [tuple(buttons[i:i + self.columns]) for i in range(0, len(buttons), self.columns)]

    async def offered(self, turn: Turn, draft: D, value: V) -> bool:
        """Whether `value` is an option the person could have been shown."""
        if self.accept is not None:
            return self.accept(turn, draft, value)
        return value in [v for _label, v in await self.options(turn, draft, None)]

    def register(self, router: Router, dialog: Dialog[D]) -> None:
        async def chosen(turn: Turn, pressed: Chosen[V]) -> None:
            found = await dialog.draft_for(turn, pressed.key, self)
            if found is not None and not await self.offered(turn, found[0], pressed.value):
                await fallback.stale(turn)
            elif found is not None:
                await dialog.follow(turn, found[0], await self.then(turn, found[0],
                                                                    pressed.value))

        router.on(self.kind, chosen)

    def parts(self) -> tuple[Widget[D], ...]:
        return (self,)


@dataclass(frozen=True, eq=False)
class MultiSelect(Generic[D, V]):
    """Options that switch on and off (✅ marks those on), `columns` to a row; the step stays
    open until a button beside it moves on. Only an option `options` gives now is taken."""

    kind: type[Chosen[V]]
    options: Options[D, V]
    chosen: Callable[[D], Collection[V]]
    toggle: Callable[[Turn, D, V], Awaitable[None]]
    columns: int = 2

    async def rows(self, turn: Turn, draft: D, key: int | None, view: object) -> Rows:
        on = self.chosen(draft)
        buttons = [Button(f"✅ {label}" if value in on else label,
                          self.kind(value, key=key).encode())
                   for label, value in await self.options(turn, draft, view)]
        return [tuple(buttons[i:i + self.columns]) for i in range(0, len(buttons), self.columns)]

    def register(self, router: Router, dialog: Dialog[D]) -> None:
        async def switched(turn: Turn, pressed: Chosen[V]) -> None:
            found = await dialog.draft_for(turn, pressed.key, self)
            if found is None:
                return
            draft, step = found
            if pressed.value not in [v for _label, v in await self.options(turn, draft, None)]:
                await fallback.stale(turn)
                return
            await self.toggle(turn, draft, pressed.value)
            await step.show(turn, dialog, draft)

        router.on(self.kind, switched)

    def parts(self) -> tuple[Widget[D], ...]:
        return (self,)


@dataclass(frozen=True, eq=False)
class Tap(Generic[D]):
    """One button that does one thing; `then` does it and names the next step."""

    label: Label[D]
    kind: type[Pressed]
    then: Callable[[Turn, D], Awaitable[str | None]]

    async def rows(self, turn: Turn, draft: D, key: int | None, view: object) -> Rows:
        return [(self.button(turn, draft, key),)]

    def button(self, turn: Turn, draft: D, key: int | None) -> Button:
        """The button, labelled for this draft."""
        label = _(self.label) if isinstance(self.label, str) else self.label(turn, draft)
        return Button(label, self.kind(key=key).encode())

    def register(self, router: Router, dialog: Dialog[D]) -> None:
        async def pressed(turn: Turn, pressed: Pressed) -> None:
            found = await dialog.draft_for(turn, pressed.key, self)
            if found is not None:
                await dialog.follow(turn, found[0], await self.then(turn, found[0]))

        router.on(self.kind, pressed)

    def parts(self) -> tuple[Widget[D], ...]:
        return (self,)


@dataclass(frozen=True, eq=False)
class Link(Generic[D]):
    """A button to another screen (Back, Cancel), whose payload someone else answers."""

    label: Label[D]
    to: Callable[[D], Payload]

    async def rows(self, turn: Turn, draft: D, key: int | None, view: object) -> Rows:
        return [(self.button(turn, draft, key),)]

    def button(self, turn: Turn, draft: D, _key: int | None) -> Button:
        label = _(self.label) if isinstance(self.label, str) else self.label(turn, draft)
        return Button(label, self.to(draft).encode())

    def register(self, router: Router, dialog: Dialog[D]) -> None:
        """Nothing to own: the screen it leads to has its handler."""

    def parts(self) -> tuple[Widget[D], ...]:
        return (self,)


class Row(Generic[D]):
    """Buttons side by side."""

    def __init__(self, *buttons: Tap[D] | Link[D]) -> None:
        self.buttons = buttons

    async def rows(self, turn: Turn, draft: D, key: int | None, view: object) -> Rows:
        return [tuple(b.button(turn, draft, key) for b in self.buttons)]

    def register(self, router: Router, dialog: Dialog[D]) -> None:
        """Its buttons register themselves (the dialog registers every part once)."""

    def parts(self) -> tuple[Widget[D], ...]:
        return self.buttons


class Confirm(Row[D]):
    """A yes and a no, side by side, under a question that says what yes will do."""

    def __init__(self, yes: Tap[D], no: Tap[D] | Link[D]) -> None:
        super().__init__(yes, no)


@dataclass(frozen=True, eq=False)
class TextInput(Generic[D, V]):
    """A typed answer: `read` gives its value or None, and then `hint` is said (with the
    step's buttons, if `hint_buttons`)."""

    read: Callable[[str], V | None]
    hint: Callable[[], str]
    then: Then[D, V]
    hint_buttons: bool = False

    async def rows(self, turn: Turn, draft: D, key: int | None, view: object) -> Rows:
        return []

    def register(self, router: Router, dialog: Dialog[D]) -> None:
        """The dialog hands it the text typed at its step (Dialog.typed)."""

    async def read_text(self, turn: Turn, dialog: Dialog[D], draft: D, step: Step[D]) -> None:
        """The answer, or the hint (with the step's buttons, if `hint_buttons`)."""
        value = self.read(turn.event.text.strip())
        if value is not None:
            await dialog.follow(turn, draft, await self.then(turn, draft, value))
            return
        turn.say(self.hint(), tuple(await step.rows(turn, dialog, draft))
                 if self.hint_buttons else ())

    def parts(self) -> tuple[Widget[D], ...]:
        return (self,)


def chars(lowest: int, highest: int) -> Callable[[str], str | None]:
    """A TextInput's `read` for text of `lowest` to `highest` characters."""
    return lambda text: text if lowest <= len(text) <= highest else None


@dataclass(frozen=True)
class Pager(Generic[T]):
    """A long list a page at a time, with arrows between pages; each page is its own payload."""

    size: int

    def page(self, items: Sequence[T], page: int) -> tuple[int, Sequence[T]]:
        """The page that exists nearest to `page`, and its items."""
        page = min(max(page, 0), max(len(items) - 1, 0) // self.size)
        return page, items[page * self.size:(page + 1) * self.size]

    def arrows(self, total: int, page: int, link: Callable[[int], Payload]) -> Rows:
        """Previous and next page when there is more than one, laid out in reading order."""
        arrows = []
        if page > 0:
            arrows.append(Button(backward(), link(page - 1).encode()))
        if total > (page + 1) * self.size:
            arrows.append(Button(forward(), link(page + 1).encode()))
        ordered = tuple(reversed(arrows)) if is_rtl() else tuple(arrows)
        return [ordered] if arrows else []
