"""Conversation first: small talk answered as a kind person would, and a typed answer to
the buttons the bot just showed read as pressing that button.

The last message's buttons are kept on the user row (users.choices), so "not so good"
typed after the monthly check-in, or "نعم" after a yes/no step, works after a restart or on
another instance as well. Small talk never gets an FAQ answer; it gets the menu.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core import questions, smalltalk, states
from bot.core.crisis import DISTRESS
from bot.core.normalize import normalize
from bot.core.ports import Kind, Reply
from bot.core.router import Router, Turn
from bot.i18n import _


def remember(user_choices: list[list[str]] | None, replies: list[Reply]) -> list[list[str]] | None:
    """The buttons a person can now answer by typing: those of the last reply, if any."""
    if not replies:
        return user_choices
    last = replies[-1]
    found = [[b.label, b.data] for row in last.keyboard for b in row]
    return found or None


def chosen(text: str, choices: list[list[str]]) -> str | None:
    """The button data a typed answer names: the label itself, or the same small talk."""
    typed = normalize(text)
    for label, data in choices:
        if typed and typed == normalize(label):  # emoji and arrows fold away
            return data
    talk = smalltalk.read(text)
    if talk is None:
        return None
    for label, data in choices:
        meant = smalltalk.recogniser().read(label, learned=False)  # phrases only
        if meant is not None and meant.intent in talk.touched:
            return data
    return None


async def typed_choice(turn: Turn) -> bool:
    """A typed answer to the buttons just shown counts as the press (in free-text places)."""
    event, choices = turn.event, turn.user.choices
    if event.kind is not Kind.TEXT or not choices or not _free_text_place(turn.user.state):
        return False
    data = chosen(event.text, choices)
    if data is None:
        return False
    turn.event = replace(event, kind=Kind.BUTTON, data=data, text="")
    turn.memo[DISTRESS] = False  # a press, as if tapped: its own answer, no gentle line after
    await turn.router.dispatch(turn)
    return True


def _free_text_place(state: str) -> bool:
    return state == states.MENU or states.journey_of(state) is not None


async def answer(turn: Turn, talk: smalltalk.Talk) -> None:
    """Small talk gets a short, warm answer and the menu: never an FAQ answer."""
    if talk.intent == "bad":
        await questions.keep(turn, _("Things are not going well."))
        person = await questions.offer(turn)
        turn.say(_("I am sorry to hear that. A person can help: shall I ask someone to "
                   "contact you? You can also type what is wrong."),
                 ((person,),) if person else ())
    else:
        turn.say(_line(talk.intent))
    await turn.router.prompts[states.MENU](turn)


def _line(intent: str) -> str:
    lines = {
        "greeting": _("Hello! 👋 I am Wegwijs. Choose a topic below, or type your question."),
        "thanks": _("You are welcome! 😊"),
        "goodbye": _("Goodbye! Come back whenever you like. 👋"),
        "good": _("Good to hear! 😊"),
        "who_are_you": _("I am Wegwijs, a computer program (a bot), not a person. I help with "
                         "first steps in the Netherlands: housing, money, inburgering, work "
                         "and health. For a person, use 🙋 Ask a person."),
        "are_you_human": _("I am a bot, not a person. When I cannot help, I can pass your "
                           "question to a person: use 🙋 Ask a person."),
        "help": _("Tell me in a few words what you need, or choose a topic below."),
    }
    return lines.get(intent, _("OK. What would you like to do?"))


def register(router: Router) -> None:
    """Typed answers to buttons are read before the owner of free text sees them."""
    smalltalk.learned(smalltalk.recogniser().examples)  # check the phrases, train the model
    router.intercept(typed_choice)
