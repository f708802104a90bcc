"""The journeys feature: "My steps", a journey's overview, a step with Done / Not yet /
Back / Source / Menu.

A journey opens on its overview: the person's steps with ✓ (done), ⏳ (not yet) and ○
(open), the next one suggested; any step opens from there. Step buttons name the journey
and the step (`j:<journey>:<node>:<action>`); an action counts only on the step the user
is at in that journey, so old or forged buttons cannot tick or skip steps.
"""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import fallback, states
from bot.core.dialogs import Pager
from bot.core.directory import links as directory
from bot.core.directory import woven
from bot.core.groups import newcomer
from bot.core.journeys.schema import Journey, Node
from bot.core.menu import OpenMenu, home_button
from bot.core.payloads import Count, Payload
from bot.core.ports import Button, Keyboard, Reply
from bot.core.reminders import follow_ups
from bot.core.reminders.feature import SnoozeTomorrow
from bot.core.render import finish, format_html
from bot.core.router import Handler, Press, Router, Turn
from bot.core.sources import sources_text
from bot.core.volunteer.buttons import volunteer_button
from bot.i18n import N_, _, backward, forward, ngettext, pgettext
from bot.storage import progress as repo
from bot.storage.models import JourneyProgress, Reminder, User

Profile = Mapping[str, str | None]
ORDER = ("first_steps", "housing", "inburgering", "work", "volunteering", "health")
VOLUNTEERING = "volunteering"  # its last step leads on to 🤲 Volunteer work
STEPS = Pager[str](8)  # steps on one page of a journey's overview
DONE, WAITING, OPEN = "✓", "⏳", "○"
_TAG = re.compile(r"<[^>]*>")
_BOLD = re.compile(r"<b>(.*?)</b>", re.S)


class ShowSteps(Payload, prefix="steps"):
    """🧭 My steps: the journeys for this person with how far they got."""


class OtherTopics(Payload, prefix="steps", action="other"):
    """📂 Other topics: the journeys written for people in another situation."""


class OpenJourney(Payload, prefix="j", shape="{journey}::o:{page}"):
    """A journey's overview (a page of it; by default the page with the suggested step)."""

    journey: str
    page: Count | None = None


class StepButton(Payload):
    """A button under one step; it counts only on the step the user is at."""

    journey: str
    node: str


class GoToStep(StepButton, prefix="j", shape="{journey}:{node}:g"):
    """Any step of the journey (from the overview, an answer or a follow-up)."""


class Done(StepButton, prefix="j", shape="{journey}:{node}:d"):
    """✅ Done."""


class NotYet(StepButton, prefix="j", shape="{journey}:{node}:l"):
    """⏳ Not yet."""


class StepBack(StepButton, prefix="j", shape="{journey}:{node}:b"):
    """Back to the step before, or to the overview from the first one."""


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

    def for_person(self, profile: Profile, fitting: bool = True) -> list[Journey]:
        """The journeys written for this person (or, not `fitting`, for others), in order."""
        return [j for j in self.ordered() if j.audience.fits(profile) == fitting]

    async def overview(self, turn: Turn) -> None:
        """My steps: the person's own journeys first; the rest one tap away."""
        profile = profile_of(turn.user)
        rows = await self._journey_rows(turn, self.for_person(profile))
        if self.for_person(profile, fitting=False):
            rows.append((Button(_("📂 Other topics"), OtherTopics().encode()),))
        rows.append((Button(backward(_("Back")), OpenMenu().encode()),))
        turn.user.state = states.MENU
        turn.say(_("<b>My steps</b>\nChoose a topic. You can stop at any time and continue "
                   "later where you left off."), tuple(rows))

    async def other_topics(self, turn: Turn, _pressed: OtherTopics) -> None:
        """Journeys for people in another situation, for whoever still wants them."""
        rows = await self._journey_rows(turn, self.for_person(profile_of(turn.user),
                                                               fitting=False))
        rows.append((Button(backward(_("My steps")), ShowSteps().encode()), home_button()))
        turn.user.state = states.MENU
        turn.say(_("<b>Other topics</b>\nThese are written for people in another "
                   "situation."), tuple(rows))

    async def _journey_rows(self, turn: Turn, journeys: list[Journey]
                            ) -> list[tuple[Button, ...]]:
        """One button per journey with how far the person got."""
        started = await repo.all_for(turn.session, turn.user.id)
        rows: list[tuple[Button, ...]] = []
        for journey in journeys:
            done, total = _counts(journey, started.get(journey.journey), profile_of(turn.user))
            mark = " ✅" if total and done >= total else ""
            rows.append((Button(f"{title(journey)} {done}/{total}{mark}",
                                OpenJourney(journey.journey).encode()),))
        return rows

    async def show(self, turn: Turn, _pressed: ShowSteps) -> None:
        """The 🧭 My steps button."""
        await self.overview(turn)

    async def open(self, turn: Turn, pressed: OpenJourney) -> None:
        """A journey: its overview, with the step to do next suggested."""
        journey = self.journeys.get(pressed.journey)
        if journey is None:
            await fallback.stale(turn)
            return
        await self.map(turn, journey, pressed.page)

    async def map(self, turn: Turn, journey: Journey, page: int | None = None) -> None:
        """Every step of the person's way with ✓ ⏳ ○; any of them opens from here."""
        progress = await self._progress(turn, journey)
        profile = profile_of(turn.user)
        steps = listed_steps(journey, progress, profile)
        suggested = suggest(steps, progress)
        if page is None:
            page = steps.index(suggested) // STEPS.size if suggested else 0
        page, shown = STEPS.page(steps, page)
        rows: list[tuple[Button, ...]] = [
            (Button(_step_label(journey, journey.node(step), progress, step == suggested),
                    GoToStep(journey.journey, step).encode()),) for step in shown]
        rows += STEPS.arrows(len(steps), page, lambda p: OpenJourney(journey.journey, p))
        rows.append((Button(backward(_("My steps")), ShowSteps().encode()), home_button()))
        turn.user.state = states.journey(journey.journey)
        turn.say(_map_text(journey, steps, progress, suggested), tuple(rows))

    async def _progress(self, turn: Turn, journey: Journey) -> JourneyProgress:
        """The person's progress in a journey, started at its first step when opened first."""
        profile = profile_of(turn.user)
        progress = await repo.get(turn.session, turn.user.id, journey.journey)
        if progress is None:
            return await repo.start(turn.session, turn.user.id, journey.journey,
                                    journey.version, _resolve(journey, journey.start, profile))
        _repair(journey, progress, profile)
        return progress

    async def go_to(self, turn: Turn, pressed: GoToStep) -> None:
        """Open any step of a journey (from the overview, an answer or a follow-up)."""
        journey = self.journeys.get(pressed.journey)
        if journey is None or not journey.has(pressed.node) or \
                not journey.node(pressed.node).is_step:
            await fallback.stale(turn)
            return
        progress = await self._progress(turn, journey)
        repo.jump(progress, pressed.node)  # Back from here: to the overview
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


    async def _ask_group(self, turn: Turn, step: Step, _pressed: AskGroup) -> None:
        if step.node.group_task is None:
            await fallback.stale(turn)
            return
        await newcomer.ask_group(turn, step.node.group_task.title, step.node.group_task.category,
                                 f"journey:{step.journey.journey}:{step.node.id}")
        await self._show(turn, step.journey, step.progress)

    async def _choose(self, turn: Turn, step: Step, pressed: Choose) -> None:
        """A choice branches; on a question step the answer also ticks the step."""
        if pressed.index >= len(step.node.choices):
            await fallback.stale(turn)
            return
        if step.node.question:
            await self._tick(turn, step)
        await self._go(turn, step.journey, step.progress, step.node.choices[pressed.index].next,
                       None)

    async def _later(self, turn: Turn, step: Step, _pressed: NotYet) -> None:
        """⏳ Not yet: the step waits (with a follow-up, the bot asks again in N days) and the
        next open step comes; nothing open is left: the overview."""
        journey, progress, node = step.journey, step.progress, step.node
        repo.wait(progress, node.id)
        if node.follow_up is None:
            turn.notice(_("This step waits for you."))
        else:
            ref = FollowUp(journey.journey, node.id).encode()
            await follow_ups.schedule(turn, ref, node.follow_up.days)
            turn.notice(ngettext("I will ask you again in {days} day.",
                                 "I will ask you again in {days} days.",
                                 node.follow_up.days).format(days=node.follow_up.days))
        following = suggest(listed_steps(journey, progress, profile_of(turn.user)), progress,
                            waiting_too=False)
        if following is None or following == node.id:
            await self.map(turn, journey)
            return
        repo.move(progress, following)
        await self._show(turn, journey, progress)

    async def _tick(self, turn: Turn, step: Step) -> None:
        """Done: the step is ticked and its follow-up, if one waits, is cancelled."""
        repo.tick(step.progress, step.node.id)
        await follow_ups.cancel(turn, FollowUp(step.journey.journey, step.node.id).encode())

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
        return Reply(finish("🔔 " + said(journey, node, "follow_up", node.follow_up.question)),
                     tuple(tuple(Button(finish(b.label), b.data) for b in row)
                           for row in keyboard))

    async def _done(self, turn: Turn, step: Step, _pressed: Done) -> None:
        """✅ Done: on to the next step if it is open (not done, not waiting), else the next
        open one; when none is left, the end of the journey or its overview."""
        journey, progress, node = step.journey, step.progress, step.node
        if node.question:
            await fallback.stale(turn)  # a question is answered with its choices
            return
        await self._tick(turn, step)
        profile = profile_of(turn.user)
        steps = listed_steps(journey, progress, profile)
        following = _resolve(journey, node.next, profile) if node.next else None
        if following is None or _mark(following, progress) != OPEN:  # done, or waiting
            following = suggest(steps, progress, waiting_too=False)
        if following is not None:
            repo.move(progress, following)
            await self._show(turn, journey, progress)
        elif set(steps) <= set(progress.done):
            finished = _("🎉 You finished “{title}”. Well done!")
            turn.say(format_html(finished, title=title(journey)))
            await self.overview(turn)
        else:
            await self.map(turn, journey)  # only steps that wait are left

    async def _go(self, turn: Turn, journey: Journey, progress: JourneyProgress, target: str,
            done: str | None) -> None:
        repo.move(progress, _resolve(journey, target, profile_of(turn.user)), done=done)
        await self._show(turn, journey, progress)

    async def _back(self, turn: Turn, step: Step, _pressed: StepBack) -> None:
        """The step seen before; from the first one, the journey's overview."""
        if not step.progress.history:
            await self.map(turn, step.journey)
            return
        repo.move(step.progress, step.progress.history[-1], back=True)
        await self._show(turn, step.journey, step.progress)

    async def _show(self, turn: Turn, journey: Journey, progress: JourneyProgress) -> None:
        node = journey.node(progress.node)
        labels = [said(journey, node, f"link{i}", link.label) for i, link in enumerate(node.links)]
        links = "".join(f'\n🔗 <a href="{link.url}">{label}</a>'
                        for link, label in zip(node.links, labels, strict=True))
        ticked = "\n☑️ " + said(journey, node, "check", node.check) \
            if node.check and node.id in progress.done else ""
        ask = node.group_task is not None and await newcomer.is_newcomer_in_group(turn)
        below, extra = await woven.beneath(turn, directory.for_step(journey.journey, node.id),
                                           node.text or "")
        if journey.journey == VOLUNTEERING and node.next is None:
            extra = (*extra, (volunteer_button(),))  # the journey ends in 🤲 Volunteer work
        text = f"{said(journey, node, 'text', node.text or '')}{links}{ticked}"
        turn.say(f"{text}\n\n{below}" if below else text,
                 _step_keyboard(journey, node, ask, extra))

    async def _sources(self, turn: Turn, step: Step, _pressed: Sources) -> None:
        """Where the facts come from and when a person last checked them."""
        assert step.node.last_checked is not None  # the loader requires it on every step
        turn.say(sources_text(step.node.sources, step.node.last_checked),
                 ((Button(backward(_("Back to the step")),
                          GoToStep(step.journey.journey, step.node.id).encode()),),))

    async def resume(self, turn: Turn) -> None:
        """After stray text: show the step the user is at."""
        journey = self.journeys.get(states.journey_of(turn.user.state) or "")
        if journey is None:
            turn.user.state = states.MENU
            await turn.resume()
            return
        await self._show(turn, journey, await self._progress(turn, journey))


def _repair(journey: Journey, progress: JourneyProgress, profile: Profile) -> None:
    """After a content update removed the user's step, start the journey again (ticks stay)."""
    if journey.has(progress.node):
        return
    repo.restart(progress, _resolve(journey, journey.start, profile), journey.version)


def _step_keyboard(journey: Journey, node: Node, ask_group: bool = False,
                   extra: woven.Rows = ()) -> Keyboard:
    """Done (labelled with the checklist item; not on a question, whose choices answer it),
    choices, Ask my group, the directory's (Help near me), Not yet, Back, Source, Menu."""
    here = (journey.journey, node.id)
    done = _("✅ Done") if node.check is None else f"✅ {said(journey, node, 'check', node.check)}"
    rows: list[tuple[Button, ...]] = [] if node.question else [(Button(done,
                                                                      Done(*here).encode()),)]
    rows += [(Button(said(journey, node, f"choice{i}", choice.label), Choose(*here, i).encode()),)
             for i, choice in enumerate(node.choices)]
    if ask_group:
        rows.append((Button(_("🤝 Ask my group to help"), AskGroup(*here).encode()),))
    rows += extra
    rows.append((Button(_("⏳ Not yet"), NotYet(*here).encode()),
                 Button(backward(_("Back")), StepBack(*here).encode())))
    rows.append((Button(_("ℹ️ Source"), Sources(*here).encode()), home_button()))
    return tuple(rows)


def said(journey: Journey, node: Node, field: str, english: str) -> str:
    """One of a step's texts in the reader's language, found by its place in the journey:
    after an edit of the English the previous translation is shown until it is reviewed."""
    return pgettext(journey.context(node.id, field), english)


def title(journey: Journey) -> str:
    """A journey's title in the reader's language."""
    return pgettext(journey.context("title"), journey.title)


def step_title(journey: Journey, node: Node) -> str:
    """A step's name for lists: its bold first line, in the reader's language, as plain text."""
    lines = (said(journey, node, "text", node.text) if node.text else "").strip().splitlines()
    first = lines[0] if lines else node.id
    bold = _BOLD.search(first)
    return html.unescape(_TAG.sub("", bold.group(1) if bold else first)).strip()


def _mark(step: str, progress: JourneyProgress | None) -> str:
    """✓ done, ⏳ not yet (waiting), ○ open."""
    if progress is not None and step in progress.done:
        return DONE
    return WAITING if progress is not None and step in progress.waiting else OPEN


def _step_label(journey: Journey, node: Node, progress: JourneyProgress | None,
                suggested: bool) -> str:
    """A step's button in the overview; the suggested one has an arrow the reading way."""
    label = f"{_mark(node.id, progress)} {step_title(journey, node)}"
    return f"{forward()} {label}" if suggested else label


def _map_text(journey: Journey, steps: list[str], progress: JourneyProgress | None,
              suggested: str | None) -> str:
    """The overview's title, how far the person got, what comes next, and what the marks mean."""
    done = sum(1 for step in steps if _mark(step, progress) == DONE)
    count = ngettext("{done} of {total} step done", "{done} of {total} steps done",
                     len(steps)).format(done=done, total=len(steps))
    if suggested is None:
        following = _("All steps are done.")
    elif _mark(suggested, progress) == WAITING:
        following = _("The steps left are waiting (⏳). Open one when you are ready.")
    else:
        following = format_html(_("Next step: <b>{step}</b>"),
                                step=step_title(journey, journey.node(suggested)))
    legend = _("✓ done · ⏳ not yet · ○ open")
    return f"<b>{html.escape(title(journey), quote=False)}</b>\n{count}\n{following}\n\n{legend}"


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


def path_steps(journey: Journey, profile: Profile, seen: Collection[str] = ()) -> list[str]:
    """The steps this user meets by pressing Done each time (routers resolved for them); a
    question's answer that leads to a step in `seen` is followed instead of its `next`."""
    steps: list[str] = []
    node_id: str | None = _resolve(journey, journey.start, profile)
    while node_id is not None and node_id not in steps:
        steps.append(node_id)
        node_id = _following(journey, journey.node(node_id), profile, seen)
    return steps


def _following(journey: Journey, node: Node, profile: Profile, seen: Collection[str]
               ) -> str | None:
    """Where the way goes on after `node`: `next`, or the answer the person chose."""
    usual = _resolve(journey, node.next, profile) if node.next else None
    answers = [_resolve(journey, c.next, profile) for c in node.choices] if node.question else []
    return next((a for a in answers if a != usual and a in seen), usual)


def listed_steps(journey: Journey, progress: JourneyProgress | None, profile: Profile
                 ) -> list[str]:
    """The person's way through a journey, with the steps off it that they did, left
    waiting or are at, each after the step that leads there."""
    seen = {progress.node, *progress.done, *progress.waiting} if progress else set()
    steps = path_steps(journey, profile, seen)
    for node in journey.nodes:
        if node.id in seen and node.is_step and node.id not in steps:
            before = next((i for i, s in enumerate(steps)
                           if node.id in journey.node(s).targets()), len(steps) - 1)
            steps.insert(before + 1, node.id)
    return steps


def suggest(steps: list[str], progress: JourneyProgress | None, *,
            waiting_too: bool = True) -> str | None:
    """The step to do next: the first open one from where the person is (round to the
    start), else the first that waits (unless not `waiting_too`), else None."""
    if progress is None:
        return steps[0] if steps else None
    start = steps.index(progress.node) if progress.node in steps else 0
    order = steps[start:] + steps[:start]
    marks = {step: _mark(step, progress) for step in order}
    found = next((s for s in order if marks[s] == OPEN), None)
    if found is None and waiting_too:
        found = next((s for s in order if marks[s] == WAITING), None)
    return found


def _counts(journey: Journey, progress: JourneyProgress | None, profile: Profile
            ) -> tuple[int, int]:
    """Done out of the user's own way, plus steps done on a branch they chose."""
    done = set(progress.done) if progress else set()
    return len(done), len(done | set(listed_steps(journey, progress, profile)))


def register(router: Router, journeys: dict[str, Journey]) -> None:
    """My steps on the main menu and as /steps; one prompt per journey for resuming."""
    feature = Journeys(journeys)
    router.command("steps", feature.overview, N_("My steps"))
    router.menu_button(N_("🧭 My steps"), ShowSteps())
    router.on(ShowSteps, feature.show)
    router.on(OtherTopics, feature.other_topics)
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
