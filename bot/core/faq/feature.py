"""Typed questions: a confident answer, "did you mean", or an honest "I don't know".

Answers show their question, the answer, a Source button and, where there is one, the
journey step that goes with it. Typed during a journey, the answer has one button back
to the step.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import conversation, fallback, questions, smalltalk, states
from bot.core.directory import links, woven
from bot.core.faq.matcher import SUGGEST_SCORE, Matcher
from bot.core.faq.schema import Entry
from bot.core.journeys.feature import GoToStep, OpenJourney
from bot.core.menu import OpenMenu
from bot.core.payloads import Payload
from bot.core.ports import Button, Keyboard
from bot.core.router import Router, Turn
from bot.core.sources import sources_text
from bot.i18n import _, backward, pgettext
from bot.storage import insights

QUESTION_LIMIT = 500  # characters of a typed question the matcher looks at
# How a typed question was met, as the dashboard's insights count it.
OUTCOMES = {"answer": "answered", "suggest": "suggested"}


class ShowAnswer(Payload, prefix="faq", shape="{entry}:a"):
    """One entry's answer (a "did you mean" choice, or Back from its sources)."""

    entry: str


class ShowSources(Payload, prefix="faq", shape="{entry}:s"):
    """ℹ️ Source of an answer."""

    entry: str


class NoneOfThese(Payload, prefix="faq", shape="-:n"):
    """None of the suggestions: admit it, offer a person."""


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
        day = turn.now.astimezone(turn.timezone).date()
        await insights.count_outcome(turn.session, day, turn.user.locale or "",
                                     OUTCOMES.get(result.decision, "unknown"))
        if result.decision == "answer":
            await self._show(turn, self.entries[result.matches[0].id])
            return
        theme = woven.theme_of(m.id for m in result.matches if m.score >= SUGGEST_SCORE)
        await questions.keep(turn, turn.event.text[:questions.ANSWER_LIMIT], theme=theme)
        if len(turn.event.text) > questions.ANSWER_LIMIT:
            turn.say(_("Your message is very long. If you ask a person, they get the first "
                       "{limit} characters.").format(limit=questions.ANSWER_LIMIT))
        if result.decision == "suggest":
            rows = [(Button(question(self.entries[m.id]), ShowAnswer(m.id).encode()),)
                    for m in result.matches]
            rows.append((Button(_("None of these"), NoneOfThese().encode()),))
            rows.append((_back_button(turn),))
            turn.say(_("Did you mean:"), tuple(rows))
        else:
            await self._unknown(turn)

    async def answer(self, turn: Turn, pressed: ShowAnswer) -> None:
        """An answer picked from the suggestions."""
        entry = self.entries.get(pressed.entry)
        if entry is None:
            await fallback.stale(turn)
            return
        await self._show(turn, entry)

    async def sources(self, turn: Turn, pressed: ShowSources) -> None:
        """Where an answer's facts come from."""
        entry = self.entries.get(pressed.entry)
        if entry is None:
            await fallback.stale(turn)
            return
        turn.say(sources_text(entry.sources, entry.last_checked),
                 ((Button(backward(_("Back")), ShowAnswer(entry.id).encode()),),))

    async def none_of_these(self, turn: Turn, _pressed: NoneOfThese) -> None:
        """None of the suggestions fits."""
        await self._unknown(turn)

    async def _show(self, turn: Turn, entry: Entry) -> None:
        """The answer; beneath it the person's gemeente and "📍 Help near me" where linked."""
        answer = pgettext(entry.context("answer"), entry.answer)
        below, extra = await woven.beneath(turn, links.for_answer(entry.id), entry.answer)
        text = f"<b>{question(entry)}</b>\n{answer}"
        turn.say(f"{text}\n\n{below}" if below else text,
                 self._answer_keyboard(turn, entry, extra))

    def _answer_keyboard(self, turn: Turn, entry: Entry, extra: woven.Rows) -> Keyboard:
        rows: list[tuple[Button, ...]] = [*extra, (Button(_("ℹ️ Source"),
                                                          ShowSources(entry.id).encode()),)]
        if entry.journey is not None:
            journey, _sep, node = entry.journey.partition(":")
            rows.append((Button(_("🧭 Go to this step"), GoToStep(journey, node).encode()),))
        rows.append((_back_button(turn),))
        return tuple(rows)

    async def _unknown(self, turn: Turn) -> None:
        """Admit it, and offer a person (the question was kept when it was typed) and the
        help near them for the theme the question seemed to be about."""
        person = await questions.offer(turn)
        near = woven.help_button(await questions.kept_theme(turn))
        rows = ((person,), (near,), (_back_button(turn),)) if person else \
            ((near,), (_back_button(turn),))
        turn.say(_("I do not know the answer to that yet. I can ask a person for you, or your "
                   "gemeente or begeleider can help you."), rows)


def question(entry: Entry) -> str:
    """An entry's question in the reader's language, found by its id (as its answer is)."""
    return pgettext(entry.context("question"), entry.question)


def _back_button(turn: Turn) -> Button:
    """Back to the journey step the user was on, or to the menu."""
    journey = states.journey_of(turn.user.state)
    if journey is not None:
        return Button(_("↩️ Back to my step"), OpenJourney(journey).encode())
    return Button(backward(_("Menu")), OpenMenu().encode())


def register(router: Router, entries: dict[str, Entry]) -> None:
    """Answer free text, and own the faq: buttons."""
    faq = Faq(entries, Matcher(entries.values()))
    router.answer_free_text(faq.on_text)  # journeys hand typed text here too
    router.text_input(states.MENU, faq.on_text)
    router.on(ShowAnswer, faq.answer)
    router.on(ShowSources, faq.sources)
    router.on(NoneOfThese, faq.none_of_these)
