"""Typed questions: a confident answer, "did you mean", or an honest "I don't know".

Answers show their question, the answer, a Source button and, where there is one, the
journey step that goes with it. Typed during a journey, the answer has one button back
to the step. Button data: `faq:<id>:a` (show), `faq:<id>:s` (sources), `faq:-:n` (none).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import conversation, fallback, questions, smalltalk, states
from bot.core.faq.matcher import Matcher
from bot.core.faq.schema import Entry
from bot.core.ports import Button, Keyboard
from bot.core.router import Router, Turn
from bot.core.sources import sources_text
from bot.i18n import _

QUESTION_LIMIT = 500  # characters of a typed question the matcher looks at


@dataclass(frozen=True)
class Faq:
    """The entries and the matcher, and the handlers that use them."""

    entries: dict[str, Entry]
    matcher: Matcher

    async def on_text(self, turn: Turn) -> None:
        """Free text at the menu or during a journey: small talk first, then the matcher."""
        talk = smalltalk.read(turn.event.text)
        if talk is not None:
            await conversation.answer(turn, talk)
            return
        result = self.matcher.ask(turn.event.text[:QUESTION_LIMIT], turn.user.locale)
        if result.decision == "answer":
            self._show(turn, self.entries[result.matches[0].id])
            return
        await questions.keep(turn, turn.event.text[:questions.ANSWER_LIMIT])
        if len(turn.event.text) > questions.ANSWER_LIMIT:
            turn.say(_("Your message is very long. If you ask a person, they get the first "
                       "{limit} characters.").format(limit=questions.ANSWER_LIMIT))
        if result.decision == "suggest":
            rows = [(Button(_(self.entries[m.id].question), f"faq:{m.id}:a"),)
                    for m in result.matches]
            rows.append((Button(_("None of these"), "faq:-:n"),))
            rows.append((_back_button(turn),))
            turn.say(_("Did you mean:"), tuple(rows))
        else:
            await self._unknown(turn)

    async def on_button(self, turn: Turn) -> None:
        """Show an answer, its sources, or admit we do not know."""
        _prefix, entry_id, action = [*turn.event.data.split(":", 2), "", ""][:3]
        entry = self.entries.get(entry_id)
        if entry_id == "-" and action == "n":
            await self._unknown(turn)
        elif entry is None:
            await fallback.stale(turn)
        elif action == "s":
            turn.say(sources_text(entry.sources, entry.last_checked),
                     ((Button(_("⬅️ Back"), f"faq:{entry.id}:a"),),))
        else:
            self._show(turn, entry)

    def _show(self, turn: Turn, entry: Entry) -> None:
        text = f"<b>{_(entry.question)}</b>\n{_(entry.answer)}"
        turn.say(text, self._answer_keyboard(turn, entry))

    def _answer_keyboard(self, turn: Turn, entry: Entry) -> Keyboard:
        rows: list[tuple[Button, ...]] = [(Button(_("ℹ️ Source"), f"faq:{entry.id}:s"),)]
        if entry.journey is not None:
            journey, _sep, node = entry.journey.partition(":")
            rows.append((Button(_("🧭 Go to this step"), f"j:{journey}:{node}:g"),))
        rows.append((_back_button(turn),))
        return tuple(rows)

    async def _unknown(self, turn: Turn) -> None:
        """Admit it, and offer a person (the question was kept when it was typed)."""
        person = await questions.offer(turn)
        rows = ((person,), (_back_button(turn),)) if person else ((_back_button(turn),),)
        turn.say(_("I do not know the answer to that yet. I can ask a person for you, or your "
                   "gemeente or begeleider can help you."), rows)


def _back_button(turn: Turn) -> Button:
    """Back to the journey step the user was on, or to the menu."""
    journey = states.journey_of(turn.user.state)
    if journey is not None:
        return Button(_("↩️ Back to my step"), f"j:{journey}::o")
    return Button(_("⬅️ Menu"), "menu:back")


def register(router: Router, entries: dict[str, Entry]) -> None:
    """Answer free text, and own the faq: buttons."""
    faq = Faq(entries, Matcher(entries.values()))
    router.answer_free_text(faq.on_text)  # journeys hand typed text here too
    router.text_input(states.MENU, faq.on_text)
    router.button("faq", faq.on_button)
