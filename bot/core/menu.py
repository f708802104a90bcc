"""The main menu, /help with the emergency numbers, and "My details"."""

from __future__ import annotations

from datetime import date

from bot.core import states
from bot.core.municipalities import all_municipalities
from bot.core.payloads import Payload
from bot.core.ports import Button, Keyboard
from bot.core.profile import SITUATIONS, month_label
from bot.core.render import format_html
from bot.core.router import Router, Turn
from bot.core.sources import Sourced
from bot.i18n import N_, _, backward, current_locale, languages

# How commands are listed in /help and Telegram's command menu; others follow in
# registration order.
COMMAND_ORDER = ("menu", "steps", "help", "language", "privacy", "delete", "start")


class OpenMenu(Payload, prefix="menu", action="back"):
    """Menu and Back: the question the person is at, or the main menu."""


class GoHome(Payload, prefix="menu", action="home"):
    """🏠 Menu: the main menu from anywhere; a journey keeps its place."""


class ShowDetails(Payload, prefix="menu", action="me"):
    """👤 My details."""


class EditDetails(Payload, prefix="menu", action="edit"):
    """✏️ Change my details: the profile questions again."""


class Mute(Payload, prefix="menu", action="mute"):
    """🔔/🔕 News from coordinators on or off."""


class ShowHelp(Payload, prefix="menu", action="help"):
    """❓ Help."""


class ChooseLanguage(Payload, prefix="menu", action="lang"):
    """🌐 Language (bot.core.language answers it)."""


class ShowPrivacy(Payload, prefix="menu", action="privacy"):
    """🔒 Privacy (bot.core.privacy answers it)."""


def command_list(router: Router) -> list[tuple[str, str]]:
    """(command, description msgid) in the order people look for them."""
    rank = {name: i for i, name in enumerate(COMMAND_ORDER)}
    names = sorted(router.descriptions, key=lambda n: rank.get(n, len(rank)))
    return [(name, router.descriptions[name]) for name in names]


async def menu_keyboard(turn: Turn) -> Keyboard:
    """Only what works for this person: features' own buttons first, then the fixed rows."""
    features = []
    for label, payload, visible in turn.router.menu_buttons:
        if visible is None or await visible(turn):
            features.append((Button(_(label), payload.encode()),))
    return (*features,
            (Button(_("👤 My details"), ShowDetails().encode()),
             Button(_("🌐 Language"), ChooseLanguage().encode())),
            (Button(_("🔒 Privacy"), ShowPrivacy().encode()),
             Button(_("❓ Help"), ShowHelp().encode())))


async def show_menu(turn: Turn) -> None:
    """The home screen."""
    turn.say(_("<b>Main menu</b>\nWhat would you like to do?"), await menu_keyboard(turn))


async def menu_command(turn: Turn) -> None:
    """/menu: the main menu, whatever was open (the first questions come first)."""
    if states.in_onboarding(turn.user.state):
        turn.say(_("Let us first finish a few questions."))
    await go_home(turn)


async def go_home(turn: Turn) -> None:
    """A way out of anything: the main menu (the first questions and an invite stay asked)."""
    if states.in_onboarding(turn.user.state) or turn.user.state == states.INVITE:
        await turn.resume()
        return
    turn.user.state = states.MENU
    await show_menu(turn)


def home_button() -> Button:
    """🏠 Menu, under every step and overview."""
    return Button(_("🏠 Menu"), GoHome().encode())


# The emergency numbers' sources (flows/sources.yaml), listed in the content report.
EMERGENCY_SOURCED = Sourced(("S58", "S56", "S57"), date(2026, 12, 7))


def emergency_text() -> str:
    """The numbers under every /help."""
    # TRANSLATORS: keep the numbers and "Veilig Thuis" exactly as they are.
    return _(
        "<b>In an emergency</b>\n"
        "🚨 112: police, fire brigade, ambulance\n"
        "💬 113 or 0800-0113: if you think about suicide (free, day and night, anonymous)\n"
        "🏠 Veilig Thuis 0800-2000: violence at home or child abuse (free, day and night)"
    )


def help_text(router: Router) -> str:
    """Help always ends with the emergency numbers, whatever state the user is in."""
    commands = "\n".join(f"/{name} – {_(label)}" for name, label in command_list(router))
    intro = _("<b>Help</b>\nUse the buttons, or these commands:")
    return f"{intro}\n{commands}\n\n{emergency_text()}"


async def show_help(turn: Turn) -> None:
    """/help: commands and emergency numbers, with a way back."""
    turn.say(help_text(turn.router), ((Button(backward(_("Back")), OpenMenu().encode()),),))


async def show_details(turn: Turn) -> None:
    """What we know about the user, so they can check and correct it."""
    user, unknown = turn.user, _("not given")
    municipality = all_municipalities().get(user.municipality_code or "")
    lang = next((lang.native_name for lang in languages() if lang.code == current_locale()), "")
    text = format_html(
        _("<b>My details</b>\nLanguage: {language}\nSituation: {situation}\n"
          "Children under 18: {children}\nMunicipality: {municipality}\nArrived: {arrival}"),
        language=lang,
        situation=_(SITUATIONS[user.situation]) if user.situation in SITUATIONS else unknown,
        children=unknown if user.has_children is None else (_("Yes") if user.has_children
                                                            else _("No")),
        municipality=municipality.name if municipality else unknown,
        arrival=month_label(user.arrival_month) if user.arrival_month else unknown,
    )
    mute = (_("🔔 News from coordinators: on") if not user.muted
            else _("🔕 News from coordinators: off"))
    keyboard = ((Button(_("✏️ Change my details"), EditDetails().encode()),),
                (Button(mute, Mute().encode()),),
                (Button(_("🔒 Privacy and my data"), ShowPrivacy().encode()),),
                (Button(backward(_("Back")), OpenMenu().encode()),))
    turn.say(text, keyboard)


async def _details(turn: Turn, _pressed: ShowDetails) -> None:
    await show_details(turn)


async def _mute(turn: Turn, _pressed: Mute) -> None:
    """Non-urgent broadcasts can be switched off; urgent ones still arrive."""
    turn.user.muted = not turn.user.muted
    await show_details(turn)


async def _edit(turn: Turn, _pressed: EditDetails) -> None:
    """The profile questions again (not in the middle of the first ones)."""
    if not states.in_onboarding(turn.user.state):
        turn.user.state = states.ROLE
    await turn.resume()


async def _help(turn: Turn, _pressed: ShowHelp) -> None:
    await show_help(turn)


async def _back(turn: Turn, _pressed: OpenMenu) -> None:
    await turn.resume()


async def _home(turn: Turn, _pressed: GoHome) -> None:
    await go_home(turn)


def register(router: Router) -> None:
    """The menu is the prompt of the 'menu' state, and the fallback prompt of any unknown state."""
    router.prompt(states.MENU, show_menu)
    router.command("menu", menu_command, N_("Main menu"))
    router.command("help", show_help, N_("Help and emergency numbers"))
    router.on(OpenMenu, _back)
    router.on(GoHome, _home)
    router.on(ShowDetails, _details)
    router.on(EditDetails, _edit)
    router.on(Mute, _mute)
    router.on(ShowHelp, _help)
