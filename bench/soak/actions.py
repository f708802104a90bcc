"""What people do: onboarding, journeys, FAQ questions, appointments, questions for a person,
tasks, answers and broadcasts; each role's plan, and a person's life during the run."""

from __future__ import annotations

import asyncio
import re
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from bench.soak.people import FIND_WAIT, GaveUp, Person, visible

ROOT = Path(__file__).resolve().parent.parent.parent
ZONE = ZoneInfo("Europe/Amsterdam")
ADDED = "I added this to your question. A person will answer you here."

ONBOARDING = ("lang:", "priv:yes", "ob:role:newcomer", "ob:sit:", "ob:kids:", "ob:muni:",
              "ob:arr:")
MUNICIPALITIES = ("Utrecht", "Amsterdam", "Rotterdam", "Den Haag", "Tilburg", "Zwolle")


async def onboard(person: Person) -> None:
    """/start and every onboarding question, whichever the screen asks."""
    await person.send("/start")
    for _step in range(12):
        prefix = next((p for p in ONBOARDING if person.shows(p)), None)
        if prefix is None:
            break
        if prefix == "ob:muni:" and person.shows("ob:muni:skip") and person.rng.random() < 0.5:
            await person.send(person.any_of(list(MUNICIPALITIES)))
            continue
        choose = _choice_for(person, prefix)
        await person.press(prefix, choose)
    await person.buttons("menu:")  # the main menu: onboarding is over
    person.onboarded = True


def _choice_for(person: Person, prefix: str) -> Callable[[list[str]], str]:
    """Own language; a random situation; no children; a municipality; arrival skipped."""
    if prefix == "lang:":
        return lambda found: f"lang:{person.language}" if f"lang:{person.language}" in found \
            else found[0]
    if prefix == "ob:sit:":
        return person.any_of
    if prefix == "ob:kids:":
        return lambda found: person.any_of([d for d in found if d != "ob:kids:yes"] or found)
    if prefix == "ob:muni:":
        return lambda found: next((d for d in found if not d.endswith(("retry", "skip"))),
                                  "ob:muni:skip" if "ob:muni:skip" in found else found[0])
    return lambda found: found[-1]  # ob:arr: skip is last; priv:yes and ob:role: are alone


async def journey(person: Person) -> None:
    """My steps: open a journey, then press through a few of its buttons."""
    await person.send("/steps")
    await person.press("j:", lambda found: person.any_of([d for d in found
                                                         if d.endswith("::o")] or found))
    for _step in range(person.rng.randint(1, 4)):
        await person.press("j:", lambda found: next((d for d in found if d.endswith(":d")),
                                                    person.any_of(found)))


def faq_phrases() -> dict[str, list[str]]:
    """How people really ask, per language (the FAQ's own matching data)."""
    phrases: dict[str, list[str]] = defaultdict(list)
    for path in sorted((ROOT / "flows" / "faq").glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["entries"]:
            for code, asked in entry.get("match", {}).items():
                phrases[code].extend(str(a) for a in asked)
    return phrases


PHRASES = faq_phrases()


async def faq(person: Person) -> None:
    """Type a question as people ask it, in one's own language."""
    await person.send(person.any_of(PHRASES[person.language]))


async def appointment(person: Person) -> None:
    """A typed appointment an hour and a bit from now: its reminder falls due in the run."""
    at = (datetime.now(ZONE) + timedelta(minutes=61.2 + person.rng.random())).replace(
        second=0, microsecond=0)  # typed to the minute: the reminder is due in 0.2–2.2 min
    if at.date() != datetime.now(ZONE).date():
        raise GaveUp("too close to midnight")
    what = person.ledger.token("Soak afspraak")
    await person.send("/reminders")
    await person.press("r:n")
    await person.press("r:w:other")
    await person.send(what)
    await person.press(f"r:d:{at:%Y%m%d}")
    await person.send(f"{at:%H:%M}")
    await person.press("r:c:s")
    if await person.sees(what, button="r:i:"):  # "Saved", with 📅 Add to my calendar
        person.ledger.appointments[what] = (at, datetime.now(UTC))


async def ask_a_person(person: Person) -> None:
    """A question the FAQ cannot answer, handed to a person."""
    question = person.ledger.token("Mag mijn kat mee naar de zwemles")
    await person.send(question)
    if await person.sees(visible(person.language, ADDED), wait=0):
        person.ledger.followups += 1  # a question is still open: this joins it
        return
    if person.shows("faq:-:n"):
        await person.press("faq:-:n")
    await person.press("q:ask:")
    person.ledger.questions.add(question)


async def group_page(person: Person) -> None:
    """👥 Groups from the menu: a member of one group goes straight to its page."""
    await person.send("/menu")
    await person.press("g:h")
    page, listed = f"tn:{person.group}", f"g:o:{person.group}"
    await person.until(person.user_id, lambda: person.shows(page) or person.shows(listed),
                       FIND_WAIT)
    if not person.shows(page):
        await person.press(listed)


async def new_task(person: Person) -> None:
    """➕ New task from the group's page in private chat: title, date, time, who."""
    title = person.ledger.token("Soak taak")
    await group_page(person)
    await person.press(f"tn:{person.group}")
    await person.send(title)
    await person.press("tn:d:", person.any_of)
    await person.press("tn:t:", person.any_of)
    await person.press("tn:a:", lambda found: person.any_of(found[:2]))
    if await person.sees(title, button="t:"):  # the new task's card (the dialog has tn:)
        person.ledger.tasks.add(title)


async def work_on_tasks(person: Person) -> None:
    """Claim or finish a task: on its card in the group chat, else from the open list."""
    if person.group_chat is not None and person.shows("t:", person.group_chat):
        await person.press("t:", lambda found: person.any_of(
            [d for d in found if d.endswith((":c", ":d"))] or found), person.group_chat)
        return
    await group_page(person)
    await person.press(f"g:l:{person.group}:o:0")
    await person.press("t:", lambda found: person.any_of([d for d in found if d.endswith(":v")]
                                                         or found))
    await person.press("t:", lambda found: person.any_of([d for d in found
                                                         if d.endswith((":c", ":d"))] or found))


async def answer_question(person: Person) -> None:
    """Answer a question shown to this helper (in private chat or the group's chat)."""
    chats = [person.user_id] + ([person.group_chat] if person.group_chat else [])
    waiting = [int(d.split(":")[2]) for chat in chats for m in person.fake.newest(chat, 10)
               for row in m.get("reply_markup", {}).get("inline_keyboard", [])
               for b in row if (d := b.get("callback_data", "")).startswith("q:ans:")]
    fresh = [number for number in waiting if number not in person.answered]
    if not fresh:  # nobody asked: do something else useful
        await (work_on_tasks(person) if person.role == "member" else menu(person))
        return
    number = person.any_of(fresh)
    person.answered.add(number)
    answer = person.ledger.token("Ja, dat kan")
    await person.send(f"/answer {number} {answer}")
    person.ledger.answers.add(answer)


async def broadcast(person: Person) -> None:
    """/broadcast to newcomers, a Dutch version, send now."""
    text = person.ledger.token("Soak-bericht")
    await person.send("/broadcast")
    number = (await person.buttons("bc:r:"))[1][0].split(":")[2]
    await person.press(f"bc:w:{number}:nl")
    await person.send(text)
    await person.press(f"bc:s:{number}")
    await person.press(f"bc:y:{number}")
    person.ledger.broadcasts.add(text)


async def menu(person: Person) -> None:
    """/menu or /help."""
    await person.send(person.any_of(["/menu", "/help"]))


Action = Callable[[Person], Awaitable[None]]
PLANS: dict[str, list[tuple[Action, int]]] = {
    "newcomer": [(journey, 30), (faq, 30), (appointment, 20), (menu, 10), (ask_a_person, 5)],
    "group-newcomer": [(ask_a_person, 35), (faq, 25), (journey, 20), (appointment, 10),
                       (menu, 10)],
    "member": [(new_task, 30), (work_on_tasks, 40), (answer_question, 25), (menu, 5)],
    "coordinator": [(answer_question, 70), (menu, 30)],
}


async def live(person: Person, until: float, think: float) -> None:
    """Act now and then until the run ends; a fault costs an action, never the person."""
    await asyncio.sleep(person.rng.random() * think)
    while time.monotonic() < until:
        action = onboard if not person.onboarded else _next_action(person)
        person.ledger.actions[action.__name__] += 1
        try:
            await action(person)
            person.ledger.outcomes["answered"] += 1
        except GaveUp as reason:
            person.ledger.outcomes[f"gave up ({action.__name__}: {_general(str(reason))})"] += 1
        pause = person.rng.expovariate(1 / think)
        await asyncio.sleep(min(pause, max(0.0, until - time.monotonic())))


def _general(reason: str) -> str:
    """A reason without its numbers, so that reasons can be counted."""
    return re.sub(r"-?\d+", "#", reason)


def _next_action(person: Person) -> Action:
    plan = PLANS[person.role]
    return person.rng.choices([a for a, _ in plan], [w for _, w in plan])[0]


async def broadcast_later(person: Person, after: float) -> None:
    """A coordinator sends one broadcast at a set moment (and does nothing else, so that one
    person never does two things at once)."""
    await asyncio.sleep(after)
    person.ledger.actions["broadcast"] += 1
    try:
        await broadcast(person)
        person.ledger.outcomes["answered"] += 1
    except GaveUp as reason:
        person.ledger.outcomes[f"gave up (broadcast: {_general(str(reason))})"] += 1
