"""The journeys feature: "My steps", showing a step, Done / Not yet / Back / Source.

Step buttons name the journey and the step (`j:<journey>:<node>:<action>`); an action
counts only on the step the user is at in that journey, so old or forged buttons cannot
tick or skip steps.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import fallback, states
from bot.core.groups import newcomer
from bot.core.journeys.schema import Journey, Node
from bot.core.menu import OpenMenu
from bot.core.payloads import Count, Payload
from bot.core.ports import Button, Keyboard, Reply
from bot.core.reminders import follow_ups
from bot.core.reminders.feature import SnoozeTomorrow
from bot.core.render import finish, format_html
from bot.core.router import Handler, Press, Router, Turn
from bot.core.sources import sources_text
from bot.i18n import N_, _, ngettext
from bot.storage import progress as repo
from bot.storage.models import JourneyProgress, Reminder, User

Profile = Mapping[str, str | None]
ORDER = ("first_steps", "housing", "inburgering", "work", "volunteering", "health")


class ShowSteps(Payload, prefix="steps"):
    """🧭 My steps: every journey with how far the user got."""


class OpenJourney(Payload, prefix="j", shape="{journey}::o"):
    """A journey, at the step the user is at (or its start)."""

    journey: str


class StepButton(Payload):
    """A button under one step; it counts only on the step the user is at."""

    journey: str
    node: str


class GoToStep(StepButton, prefix="j", shape="{journey}:{node}:g"):
    """🧭 Go to this step (from an answer or a follow-up): any step of the journey."""


class Done(StepButton, prefix="j", shape="{journey}:{node}:d"):
    """✅ Done."""


class NotYet(StepButton, prefix="j", shape="{journey}:{node}:l"):
    """⏳ Not yet."""


class StepBack(StepButton, prefix="j", shape="{journey}:{node}:b"):
    """⬅️ Back to the step before."""


class Sources(StepButton, prefix="j", shape="{journey}:{node}:s"):
    """ℹ️ Source."""


class AskGroup(StepButton, prefix="j", shape="{journey}:{node}:t"):
    """🤝 Ask my group to help."""


class Choose(StepButton, prefix="j", shape="{journey}:{node}:c{index}"):
    """One of the step's choices, by its place."""

    index: Count


@dataclass(frozen=True)
class Step:
    """The step a user is at: the journey, their progress in it, the node."""

    journey: Journey
    progress: JourneyProgress
    node: Node


S = TypeVar("S", bound=StepButton)
Act = Callable[[Turn, Step, S], Awaitable[None]]


class FollowUp(Payload, prefix="j", shape="{journey}:{node}"):
    """The ref of a step's follow-up reminder (not a button)."""

    journey: str
    node: str


@dataclass(frozen=True)
class Journeys:
    """The loaded journeys and the handlers that walk users through them."""

    journeys: dict[str, Journey]

    def ordered(self) -> list[Journey]:
        """The usual order of a new life, then anything else alphabetically."""
        rank = {jid: i for i, jid in enumerate(ORDER)}
        return sorted(self.journeys.values(), key=lambda j: (rank.get(j.journey, 99), j.journey))

    async def overview(self, turn: Turn) -> None:
        """My steps: every journey with how far the user got."""
        started = await repo.all_for(turn.session, turn.user.id)
        rows = []
        for journey in self.ordered():
            done, total = _counts(journey, started.get(journey.journey), profile_of(turn.user))
            mark = " ✅" if total and done >= total else ""
            rows.append((Button(f"{_(journey.title)} {done}/{total}{mark}",
                                OpenJourney(journey.journey).encode()),))
        rows.append((Button(_("⬅️ Back"), OpenMenu().encode()),))
        turn.user.state = states.MENU
        turn.say(_("<b>My steps</b>\nChoose a topic. You can stop at any time and continue "
                   "later where you left off."), tuple(rows))

    async def show(self, turn: Turn, _pressed: ShowSteps) -> None:
        """The 🧭 My steps button."""
        await self.overview(turn)

    async def open(self, turn: Turn, pressed: OpenJourney) -> None:
        """A journey, where the user left off."""
        journey = self.journeys.get(pressed.journey)
        if journey is None:
            await fallback.stale(turn)
            return
        await self._open(turn, journey, await repo.get(turn.session, turn.user.id,
                                                       journey.journey))

    async def go_to(self, turn: Turn, pressed: GoToStep) -> None:
        """Open a journey at a given step (an answer or a follow-up pointed to it)."""
        journey = self.journeys.get(pressed.journey)
        if journey is None or not journey.has(pressed.node):
            await fallback.stale(turn)
            return
        progress = await repo.get(turn.session, turn.user.id, journey.journey)
        if progress is None:
            progress = await repo.start(turn.session, turn.user.id, journey.journey,
                                        journey.version, pressed.node)
        else:
            _repair(journey, progress, profile_of(turn.user))
        if progress.node != pressed.node:
            repo.move(progress, pressed.node)
        turn.user.state = states.journey(journey.journey)
        await self._show(turn, journey, progress)

    def at_step(self, act: Act[S]) -> Press[S]:
        """A step's button, if it is the step the user is at in that journey."""

        async def press(turn: Turn, pressed: S) -> None:
            journey = self.journeys.get(pressed.journey)
            progress = await repo.get(turn.session, turn.user.id, journey.journey) \
                if journey else None
            if journey is not None and progress is not None:
                _repair(journey, progress, profile_of(turn.user))
            if journey is None or progress is None or progress.node != pressed.node:
                await fallback.stale(turn)
                return
            await act(turn, Step(journey, progress, journey.node(progress.node)), pressed)

        return press

    async def _open(self, turn: Turn, journey: Journey, progress: JourneyProgress | None) -> None:
        if progress is not None:
            _repair(journey, progress, profile_of(turn.user))
        if progress is None:
            first = _resolve(journey, journey.start, profile_of(turn.user))
            progress = await repo.start(turn.session, turn.user.id, journey.journey,
                                        journey.version, first)
        turn.user.state = states.journey(journey.journey)
        await self._show(turn, journey, progress)

    async def _ask_group(self, turn: Turn, step: Step, _pressed: AskGroup) -> None:
        if step.node.group_task is None:
            await fallback.stale(turn)
            return
        await newcomer.ask_group(turn, step.node.group_task.title, step.node.group_task.category,
                                 f"journey:{step.journey.journey}:{step.node.id}")
        await self._show(turn, step.journey, step.progress)

    async def _choose(self, turn: Turn, step: Step, pressed: Choose) -> None:
        if pressed.index >= len(step.node.choices):
            await fallback.stale(turn)
            return
        await self._go(turn, step.journey, step.progress, step.node.choices[pressed.index].next,
                       None)

    async def _later(self, turn: Turn, step: Step, _pressed: NotYet) -> None:
        """⏳ Not yet: the step waits; with a follow-up, the bot asks again in N days."""
        node = step.node
        if node.follow_up is None:
            turn.notice(_("This step waits for you."))
        else:
            ref = FollowUp(step.journey.journey, node.id).encode()
            await follow_ups.schedule(turn, ref, node.follow_up.days)
            turn.notice(ngettext("I will ask you again in {days} day.",
                                 "I will ask you again in {days} days.",
                                 node.follow_up.days).format(days=node.follow_up.days))
        await self.overview(turn)

    async def follow_up_text(self, session: AsyncSession, reminder: Reminder, user: User,
                             zone: ZoneInfo) -> Reply | None:
        """The follow-up question, unless the step was ticked meanwhile."""
        ref = FollowUp.read(reminder.ref or "")
        journey = self.journeys.get(ref.journey) if ref else None
        node = journey.node(ref.node) if ref and journey and journey.has(ref.node) else None
        progress = await repo.get(session, user.id, journey.journey) if journey and node \
            else None
        if journey is None or node is None or node.follow_up is None or \
                (progress and node.id in progress.done):
            return None
        keyboard = ((Button(_("🧭 Go to this step"),
                            GoToStep(journey.journey, node.id).encode()),),
                    (Button(_("💤 Ask me tomorrow"), SnoozeTomorrow(reminder.id).encode()),))
        return Reply(finish("🔔 " + _(node.follow_up.question)),
                     tuple(tuple(Button(finish(b.label), b.data) for b in row)
                           for row in keyboard))

    async def _done(self, turn: Turn, step: Step, _pressed: Done) -> None:
        journey, progress, node = step.journey, step.progress, step.node
        if node.next is None:
            repo.tick(progress, node.id)
            finished = _("🎉 You finished “{title}”. Well done!")
            turn.say(format_html(finished, title=_(journey.title)))
            await self.overview(turn)
            return
        await self._go(turn, journey, progress, node.next, node.id)

    async def _go(self, turn: Turn, journey: Journey, progress: JourneyProgress, target: str,
            done: str | None) -> None:
        repo.move(progress, _resolve(journey, target, profile_of(turn.user)), done=done)
        await self._show(turn, journey, progress)

    async def _back(self, turn: Turn, step: Step, _pressed: StepBack) -> None:
        if not step.progress.history:
            turn.notice(_("This is the first step."))
        else:
            repo.move(step.progress, step.progress.history[-1], back=True)
        await self._show(turn, step.journey, step.progress)

    async def _show(self, turn: Turn, journey: Journey, progress: JourneyProgress) -> None:
        node = journey.node(progress.node)
        links = "".join(f'\n🔗 <a href="{link.url}">{_(link.label)}</a>' for link in node.links)
        ticked = "\n☑️ " + _(node.check) if node.check and node.id in progress.done else ""
        ask = node.group_task is not None and await newcomer.is_newcomer_in_group(turn)
        turn.say(f"{_(node.text or '')}{links}{ticked}", _step_keyboard(journey, node, ask))

    async def _sources(self, turn: Turn, step: Step, _pressed: Sources) -> None:
        """Where the facts come from and when a person last checked them."""
        assert step.node.last_checked is not None  # the loader requires it on every step
        turn.say(sources_text(step.node.sources, step.node.last_checked),
                 ((Button(_("⬅️ Back to the step"),
                          OpenJourney(step.journey.journey).encode()),),))

    async def resume(self, turn: Turn) -> None:
        """After a restart or stray text: show the step the user is at."""
        journey = self.journeys.get(states.journey_of(turn.user.state) or "")
        if journey is None:
            turn.user.state = states.MENU
            await turn.resume()
            return
        await self._open(turn, journey, await repo.get(turn.session, turn.user.id,
                                                       journey.journey))


def _repair(journey: Journey, progress: JourneyProgress, profile: Profile) -> None:
    """After a content update removed the user's step, start the journey again (ticks stay)."""
    if journey.has(progress.node):
        return
    repo.restart(progress, _resolve(journey, journey.start, profile), journey.version)


def _step_keyboard(journey: Journey, node: Node, ask_group: bool = False) -> Keyboard:
    """Done (labelled with the checklist item), choices, Ask my group, Not yet, Back, Source."""
    here = (journey.journey, node.id)
    done = _("✅ Done") if node.check is None else f"✅ {_(node.check)}"
    rows: list[tuple[Button, ...]] = [(Button(done, Done(*here).encode()),)]
    rows += [(Button(_(choice.label), Choose(*here, i).encode()),)
             for i, choice in enumerate(node.choices)]
    if ask_group:
        rows.append((Button(_("🤝 Ask my group to help"), AskGroup(*here).encode()),))
    rows.append((Button(_("⏳ Not yet"), NotYet(*here).encode()),
                 Button(_("⬅️ Back"), StepBack(*here).encode())))
    rows.append((Button(_("ℹ️ Source"), Sources(*here).encode()),))
    return tuple(rows)


def profile_of(user: User) -> Profile:
    """The profile values routers can branch on; None where the user skipped a question."""
    children = None if user.has_children is None else ("yes" if user.has_children else "no")
    return {"situation": user.situation, "children": children,
            "municipality": user.municipality_code}


def _resolve(journey: Journey, node_id: str, profile: Profile) -> str:
    """Pass through routers until a step: the profile picks the branch."""
    node = journey.node(node_id)
    while node.router is not None:
        value = profile.get(node.router.field)
        case = next((c for c in node.router.cases if value in c.when), None)
        node = journey.node(case.next if case else node.router.default)
    return node.id


def path_steps(journey: Journey, profile: Profile) -> list[str]:
    """The steps this user meets by pressing Done each time (routers resolved for them)."""
    steps: list[str] = []
    node_id: str | None = _resolve(journey, journey.start, profile)
    while node_id is not None and node_id not in steps:
        steps.append(node_id)
        following = journey.node(node_id).next
        node_id = _resolve(journey, following, profile) if following else None
    return steps


def _counts(journey: Journey, progress: JourneyProgress | None, profile: Profile
            ) -> tuple[int, int]:
    """Done out of the user's own path, plus steps done on a branch they chose."""
    done = set(progress.done) if progress else set()
    return len(done), len(done | set(path_steps(journey, profile)))


def register(router: Router, journeys: dict[str, Journey]) -> None:
    """My steps on the main menu and as /steps; one prompt per journey for resuming."""
    feature = Journeys(journeys)
    router.command("steps", feature.overview, N_("My steps"))
    router.menu_button(N_("🧭 My steps"), ShowSteps())
    router.on(ShowSteps, feature.show)
    router.on(OpenJourney, feature.open)
    router.on(GoToStep, feature.go_to)
    router.on(Done, feature.at_step(feature._done))
    router.on(NotYet, feature.at_step(feature._later))
    router.on(StepBack, feature.at_step(feature._back))
    router.on(Sources, feature.at_step(feature._sources))
    router.on(AskGroup, feature.at_step(feature._ask_group))
    router.on(Choose, feature.at_step(feature._choose))
    router.reminder_text("followup", feature.follow_up_text)
    for journey_id in journeys:
        router.prompt(states.journey(journey_id), feature.resume)
        router.text_input(states.journey(journey_id), _text_in_journey(feature))


def _text_in_journey(feature: Journeys) -> Handler:
    """Typed text during a step: point to the buttons and show the step again."""

    async def handler(turn: Turn) -> None:
        if turn.router.free_text is not None:
            await turn.router.free_text(turn)  # questions first; the answer leads back here
            return
        turn.say(_("Please use the buttons below the step."))
        await feature.resume(turn)

    return handler
