"""Crisis first: danger read by the safety net (bot/core/safety.py) is answered before
anything else, in any language and whatever the person was doing, with the numbers for that
kind of danger and a way to a person at once; then their current step returns.

Distress (fear, sadness, loneliness without a crisis) does not interrupt: the normal answer
comes, then one gentle line with 113, the huisarts, and the person's group where they have
one. Someone who reports danger to another person is told that the numbers advise
bystanders too; a sponsor-group member is pointed to their coordinator.

Every number and organisation comes from the fact sheets (sources in flows/sources.yaml:
S56 113, S57 Veilig Thuis, S58 112, S138 Centrum Seksueel Geweld, S140 De Kindertelefoon,
S129 Nederlandse Arbeidsinspectie, S49/S131 FairWork).
"""

from __future__ import annotations

from datetime import date
from typing import Literal, cast

from bot.core import questions, safety, safety_model
from bot.core.payloads import Payload
from bot.core.ports import Button, Kind
from bot.core.router import Router, Turn
from bot.core.sources import Sourced
from bot.i18n import _, language_codes, switch_locale
from bot.storage import groups

DISTRESS = "distress"  # turn.memo key: the gentle line is owed after the normal answer
CHECKED = date(2026, 12, 7)  # every number below checked against the fact sheets that day

# Where each kind's numbers come from (flows/sources.yaml); the content report lists them and
# warns when one is due. Hours of De Kindertelefoon and the FairWork phone are ⚠️ CHECK.
SOURCED = {
    "suicide": Sourced(("S56", "S58"), CHECKED),
    "self_harm": Sourced(("S58", "S25-b", "S56"), CHECKED),
    "medical": Sourced(("S58",), CHECKED),
    "sexual_violence": Sourced(("S138", "S57", "S58"), CHECKED, review_by=date(2027, 6, 1)),
    "child_abuse": Sourced(("S57", "S140", "S58"), CHECKED, review_by=date(2027, 6, 1)),
    "domestic_violence": Sourced(("S57", "S58"), CHECKED),
    "exploitation": Sourced(("S129", "S48", "S131", "S49", "S58"), CHECKED,
                            review_by=date(2027, 6, 1)),
}
# the bystander, distress and safety-question lines
LINES_SOURCED = Sourced(("S56", "S58", "S25-b"), CHECKED)


class ShowCrisisHelp(Payload, prefix="cr", action="y"):
    """"Yes, I (or someone) am in danger", pressed under the safety question."""

    kind: safety.Danger  # what the learned model leaned to
    about: Literal["me", "other"]


def crisis_text(kind: str) -> str:
    """The numbers for one kind of danger, calm and short; 112 first for danger right now."""
    # TRANSLATORS: keep every number, "113.nl", "Veilig Thuis" and other names exactly.
    texts = {
        "suicide": _(
            "<b>You are not alone. Please talk to someone now.</b>\n"
            "💬 Call 113 or 0800-0113 (free, day and night, anonymous), or chat at 113.nl.\n"
            "🚨 In danger right now: call 112."),
        "self_harm": _(
            "<b>Thank you for telling me. You deserve help, not blame.</b>\n"
            "🚨 A serious wound or too many pills: call 112 now.\n"
            "🩺 Tell your huisarts (family doctor); they can help and refer you.\n"
            "💬 Thoughts of ending your life: call 113 or 0800-0113 (free, day and night, "
            "anonymous)."),
        "medical": _(
            "<b>🚨 Call 112 now and ask for an ambulance.</b>\n"
            "Say where you are. Stay with the person and follow what the 112 operator says.\n"
            "Not life-threatening, at night or at the weekend: call the huisartsenpost."),
        "sexual_violence": _(
            "<b>What happened is not your fault. You can get help now.</b>\n"
            "🚨 In danger right now: call 112.\n"
            "💜 Centrum Seksueel Geweld: 0800-0188 (free, day and night). Help in the first "
            "7 days matters most, so call soon, even if you are not sure."),
        "child_abuse": _(
            "<b>A child must be safe. You can get help now.</b>\n"
            "🚨 A child in danger right now: call 112.\n"
            "🏠 Veilig Thuis: 0800-2000 (free, day and night). You can ask for advice "
            "without giving your name, also when you are not sure.\n"
            "🧒 Children and teenagers (8–18) can call De Kindertelefoon: 0800-0432 (free, "
            "anonymous)."),
        "domestic_violence": _(
            "<b>Violence at home is never OK. You can get help now.</b>\n"
            "🚨 In danger right now: call 112.\n"
            "🏠 Veilig Thuis: 0800-2000 (free, day and night). Say your place name to reach "
            "your region. You can ask for advice without giving your name; they act only "
            "with your consent."),
        "exploitation": _(
            "<b>Nobody may keep your passport, lock you in or threaten you for work.</b>\n"
            "🚨 In danger right now: call 112.\n"
            "🛠️ Nederlandse Arbeidsinspectie: 0800-5151 (free). You can report without "
            "giving your name.\n"
            "🤝 FairWork gives free, confidential advice: fairwork.nu."),
    }
    return texts[kind]


def lines() -> dict[str, str]:
    """The bystander, distress and safety-question lines at their longest, for the content
    report."""
    return {"bystander": bystander_text(True), "distress": distress_text(None),
            "question": question_text()}


def question_text() -> str:
    """When the safety net is unsure: ask, with the two numbers that fit any danger already in
    the question, so a missed crisis still sees them."""
    return _("🤝 I want to be sure you are safe. Are you or someone else in danger?\n"
             "🚨 Danger right now: call 112.\n"
             "💬 To talk to someone: 113 or 0800-0113 (free, day and night).")


def bystander_text(member: bool) -> str:
    """For someone who reports danger to another person."""
    line = _("You are worried about someone else: these numbers advise you too, and you do "
             "not have to be sure. If they are in danger right now, call 112.")
    if member:
        line += "\n" + _("Tell your coordinator as well: press 🙋 Talk to a person.")
    return line


def distress_text(group_name: str | None) -> str:
    """One gentle line after the normal answer, never a crisis message."""
    line = _("💛 If things feel heavy, you do not have to carry it alone. Talk to your "
             "huisarts, or call 113 (free, day and night, anonymous), also just to talk.")
    if group_name:
        line += "\n" + _("Your group {name} is there for you too.").format(name=group_name)
    return line


async def intercept(turn: Turn) -> bool:
    """Answer a crisis before the feature that owns the input; then show where they were."""
    if turn.event.kind not in (Kind.TEXT, Kind.EDITED):
        return False
    reading = safety.read(turn.event.text)
    if turn.user.locale is None and reading.lang in language_codes():
        switch_locale(reading.lang)  # no language chosen yet: answer in the one they wrote
    if reading.check:
        await _ask(turn, reading.check, reading.about_other)
        return False
    if not reading.crisis:
        turn.memo[DISTRESS] = reading.distress
        return False
    await _keep(turn)
    await _answer(turn, reading.kind or "suicide", reading.about_other)
    return True


async def _ask(turn: Turn, kind: str, about_other: bool) -> None:
    """The safety question before the normal answer (which still comes, without the gentle
    line: the question names 113 already)."""
    await _keep(turn)
    pressed = ShowCrisisHelp(_danger(kind), "other" if about_other else "me")
    turn.say(question_text(), ((Button(_("🆘 Yes, show me where to get help"),
                                       pressed.encode()),),))


async def _pressed_yes(turn: Turn, pressed: ShowCrisisHelp) -> None:
    """The person says there is danger: the numbers for the kind, then where they were."""
    await questions.urgent(turn)
    await _answer(turn, pressed.kind, pressed.about == "other")


async def _answer(turn: Turn, kind: str, about_other: bool) -> None:
    """The numbers for the kind, advice for a bystander, 🙋 at once; then the current step."""
    roles = await groups.memberships(turn.session, turn.user.id)
    member = any(role != "newcomer" for role in roles.values())
    text = crisis_text(kind)
    if about_other or member:
        text += "\n\n" + bystander_text(member)
    person = await questions.offer(turn) if turn.user.privacy_version is not None else None
    turn.say(text, ((Button(_("🙋 Talk to a person"), person.data),),) if person else ())
    await turn.resume()


async def _keep(turn: Turn) -> None:
    """Keep the words as an urgent question, for people who have agreed to the privacy notice
    (it keeps their words), so that 🙋 can hand them to a person at once."""
    if turn.user.privacy_version is not None:
        await questions.keep(turn, turn.event.text[: questions.ANSWER_LIMIT], urgent=True)


def _danger(kind: str) -> safety.Danger:
    """A kind the model named, as the button's type."""
    if kind not in safety.KINDS:
        raise ValueError(kind)
    return cast(safety.Danger, kind)


async def gentle_line(turn: Turn) -> None:
    """After the normal answer to a message that read as distress."""
    if not turn.memo.get(DISTRESS):
        return
    roles = await groups.memberships(turn.session, turn.user.id)
    newcomer_of = [group_id for group_id, role in roles.items() if role == "newcomer"]
    group = await groups.group(turn.session, newcomer_of[0]) if newcomer_of else None
    turn.say(distress_text(group.name if group else None))


def register(router: Router) -> None:
    """The safety net sees every typed or edited text first, and adds its line last."""
    safety.detector()  # check the concept file at startup, not at the first crisis
    safety_model.model()  # train now: at the first message it would hold up every chat
    router.intercept(intercept)
    router.on(ShowCrisisHelp, _pressed_yes)
    router.afterwards(gentle_line)
