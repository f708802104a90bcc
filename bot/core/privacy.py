"""The privacy notice, consent with its version and time, and erasure on request."""

from __future__ import annotations

from typing import Literal

from bot.core import states
from bot.core.menu import OpenMenu, ShowPrivacy
from bot.core.payloads import Payload, prefix_of
from bot.core.ports import Button
from bot.core.router import Router, Turn
from bot.i18n import N_, _, backward
from bot.storage import users

PRIVACY_VERSION = 3  # 2: groups, reminders, questions to a person; 3: retention, export
PREFIX = "priv"


class Consent(Payload, prefix=PREFIX):
    """✅ I agree (yes) or ❌ No (no) to the notice."""

    answer: Literal["yes", "no"]


class ReadNotice(Payload, prefix=PREFIX, action="more"):
    """📄 Read more: the whole notice, from its short summary."""


class AskDelete(Payload, prefix=PREFIX, action="del"):
    """🗑 Delete my data: asks once more."""


class Erase(Payload, prefix=PREFIX, action="erase"):
    """🗑 Yes, delete everything."""


class Keep(Payload, prefix=PREFIX, action="keep"):
    """No, keep it."""


class Download(Payload, prefix="mydata", action="get"):
    """📦 Download my data, on this screen (bot.core.mydata answers it)."""


def notice_text() -> str:
    """What is stored, why, who sees it, and how to delete it: in plain words."""
    return _(
        "<b>Your privacy</b>\n"
        "• <b>What I save:</b> your Telegram number and first name, your language, what you "
        "tell me (situation, municipality, arrival month), your steps, your appointments, "
        "and questions you send to a person.\n"
        "• <b>Why:</b> to show you the steps that fit you, to remind you, and to get your "
        "questions answered.\n"
        "• <b>Who can see it:</b> the Wegwijs team. If you join a sponsor group, the group "
        "sees your first name and the tasks shared with you, and your questions only if you "
        "allow it. A question you send to a person goes to your group (if you allow it), a "
        "coordinator or the Wegwijs team. Wegwijs does not pass your data to the IND.\n"
        "• <b>How long:</b> until you delete it. If you do not use Wegwijs for 12 months, "
        "we delete it, after a warning one month before. The words of an answered question "
        "are deleted after 3 months.\n"
        "• <b>See it:</b> send /mydata to get a file with everything stored about you.\n"
        "• <b>Delete:</b> send /delete at any time. Your data is erased; tasks you made for "
        "a group stay for the group, without your name."
    )


def summary_text() -> str:
    """The notice in three lines, for the first screen; the whole of it is one tap away."""
    return _(
        "<b>Your privacy, in short</b>\n"
        "• I save your first name, your Telegram number and what you tell me, to show you "
        "the steps that fit you and to remind you.\n"
        "• The Wegwijs team can see it; a sponsor group only what is shared with it. "
        "Wegwijs does not pass your data to the IND.\n"
        "• Send /mydata to see everything stored about you, and /delete to erase it at any "
        "time."
    )


async def ask_again(turn: Turn) -> bool:
    """After the notice changed, people who agreed to an older one are asked again first
    (crisis messages are still answered before this: that feature registers earlier)."""
    version = turn.user.privacy_version
    if version is None or version >= PRIVACY_VERSION or prefix_of(turn.event.data) == PREFIX:
        return False
    if turn.event.command in ("privacy", "delete", "help", "mydata"):
        return False  # reading, leaving, taking your data and the emergency numbers never wait
    turn.say(_("The privacy notice has changed. Please read it again.") + "\n\n"
             + notice_text() + "\n\n" + _("Do you agree?"), _consent_keyboard())
    return True


async def show_onboarding_notice(turn: Turn) -> None:
    """Welcome first, then ask for consent before we save any answer."""
    welcome = _(
        "<b>Welcome to Wegwijs!</b>\n"
        "I help you find your way in the Netherlands, step by step. "
        "I am a computer program, not a person."
    )
    question = _("Do you agree?")
    turn.say(f"{welcome}\n\n{summary_text()}\n\n{question}",
             _consent_keyboard(read_more=True))


async def _read_more(turn: Turn, _pressed: ReadNotice) -> None:
    """The whole notice, with the same consent buttons (agreeing records the same version)."""
    if turn.user.privacy_version == PRIVACY_VERSION:
        await show_privacy(turn)  # agreed meanwhile: the notice with what they can do
        return
    question = _("Do you agree?")
    turn.say(f"{notice_text()}\n\n{question}", _consent_keyboard())


def _consent_keyboard(read_more: bool = False) -> tuple[tuple[Button, ...], ...]:
    """✅ I agree and ❌ No, and under them 📄 Read more where only the summary was shown."""
    answers = (Button(_("✅ I agree"), Consent("yes").encode()),
               Button(_("❌ No"), Consent("no").encode()))
    return (answers, (Button(_("📄 Read more"), ReadNotice().encode()),)) if read_more \
        else (answers,)


async def show_privacy(turn: Turn) -> None:
    """/privacy at any time: the notice and what the user can do about it."""
    if turn.user.privacy_version == PRIVACY_VERSION:
        keyboard = ((Button(_("📦 Download my data"), Download().encode()),),
                    (Button(_("🗑 Delete my data"), AskDelete().encode()),),
                    (Button(backward(_("Back")), OpenMenu().encode()),))
        turn.say(notice_text() + "\n\n" + _(
            "In a sponsor group you choose yourself whether the group sees your questions: "
            "🤝 My group."), keyboard)
    else:
        question = _("Do you agree?")
        turn.say(f"{notice_text()}\n\n{question}", _consent_keyboard())


async def _consent(turn: Turn, pressed: Consent) -> None:
    await (_accept if pressed.answer == "yes" else _decline)(turn)


async def _show(turn: Turn, _pressed: ShowPrivacy) -> None:
    await show_privacy(turn)


async def _ask_delete(turn: Turn, _pressed: AskDelete) -> None:
    await ask_delete(turn)


async def _accept(turn: Turn) -> None:
    users.record_consent(turn.session, turn.user, PRIVACY_VERSION, True, turn.now)
    if turn.user.state == states.PRIVACY:
        turn.user.state = states.ROLE
    await turn.resume()


async def _decline(turn: Turn) -> None:
    users.record_consent(turn.session, turn.user, PRIVACY_VERSION, False, turn.now)
    turn.say(
        _("That is OK. Without your permission I cannot save your answers, so I cannot "
          "guide you step by step. /help still shows the emergency numbers. "
          "You can change your mind at any time."),
        ((Button(_("✅ I agree"), Consent("yes").encode()),),)
    )


async def ask_delete(turn: Turn) -> None:
    """Erasure is final, so it always takes a second, explicit press."""
    turn.say(
        _("Delete all your data? This cannot be undone."),
        ((Button(_("🗑 Yes, delete everything"), Erase().encode()),),
         (Button(_("No, keep it"), Keep().encode()),)),
    )


async def _erase(turn: Turn, _pressed: Erase) -> None:
    await users.erase(turn.session, turn.user)
    turn.say(_("Your data has been deleted. Send /start if you want to use Wegwijs again."),
)


async def _keep(turn: Turn, _pressed: Keep) -> None:
    turn.notice(_("Nothing was deleted."))
    await turn.resume()


def register(router: Router) -> None:
    """The consent step of onboarding, /privacy and /delete; a changed notice asks again."""
    router.intercept(ask_again)
    router.prompt(states.PRIVACY, show_onboarding_notice)
    router.command("privacy", show_privacy, N_("Your data and privacy"))
    router.command("delete", ask_delete, N_("Delete my data"))
    router.on(Consent, _consent)
    router.on(ReadNotice, _read_more)
    router.on(ShowPrivacy, _show)
    router.on(AskDelete, _ask_delete)
    router.on(Erase, _erase)
    router.on(Keep, _keep)
