"""The journeys feature: "My steps", showing a step, Done / Not yet / Back / Source.

Button data is `j:<journey>:<node>:<action>`; an action counts only on the node the user
is at in that journey, so old or forged buttons cannot tick or skip steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import fallback, states
from bot.core.groups import newcomer
from bot.core.journeys.schema import Journey, Node
from bot.core.ports import Button, Keyboard, Reply
from bot.core.reminders import follow_ups
from bot.core.render import finish, format_html
from bot.core.router import Handler, Router, Turn
from bot.core.sources import sources_text
from bot.i18n import N_, _, ngettext
from bot.storage import progress as repo
from bot.storage.models import JourneyProgress, Reminder, User

Profile = Mapping[str, str | None]
ORDER = ("first_steps", "housing", "inburgering", "work", "volunteering", "health")


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
                                f"j:{journey.journey}::o"),))
        rows.append((Button(_("⬅️ Back"), "menu:back"),))
        turn.user.state = states.MENU
        turn.say(_("<b>My steps</b>\nChoose a topic. You can stop at any time and continue "
                   "later where you left off."), tuple(rows))

    async def on_button(self, turn: Turn) -> None:
        """Route j:<journey>:<node>:<action> after checking it is the user's current step."""
        parts = turn.event.data.split(":")
        journey = self.journeys.get(parts[1]) if len(parts) == 4 else None
        if journey is None:
            await fallback.stale(turn)
            return
        progress = await repo.get(turn.session, turn.user.id, journey.journey)
        if progress is not None:
            _repair(journey, progress, profile_of(turn.user))
        action, node_id = parts[3], parts[2]
        if action == "o":
            await self._open(turn, journey, progress)
        elif action == "g" and journey.has(node_id):
            await self._go_to(turn, journey, progress, node_id)
        elif progress is None or progress.node != node_id:
            await fallback.stale(turn)
        else:
            await self._act(turn, journey, progress, action)

    async def _open(self, turn: Turn, journey: Journey, progress: JourneyProgress | None) -> None:
        if progress is not None:
            _repair(journey, progress, profile_of(turn.user))
        if progress is None:
            first = _resolve(journey, journey.start, profile_of(turn.user))
            progress = await repo.start(turn.session, turn.user.id, journey.journey,
                                        journey.version, first)
        turn.user.state = states.journey(journey.journey)
        await self._show(turn, journey, progress)

    async def _go_to(self, turn: Turn, journey: Journey, progress: JourneyProgress | None,
                     node_id: str) -> None:
        """Open a journey at a given step (an answer pointed to it)."""
        if progress is None:
            progress = await repo.start(turn.session, turn.user.id, journey.journey,
                                        journey.version, node_id)
        elif progress.node != node_id:
            repo.move(progress, node_id)
        turn.user.state = states.journey(journey.journey)
        await self._show(turn, journey, progress)

    async def _act(self, turn: Turn, journey: Journey, progress: JourneyProgress,
                   action: str) -> None:
        node = journey.node(progress.node)
        if action == "d":
            await self._done(turn, journey, progress, node)
        elif action == "l":
            await self._later(turn, journey, node)
        elif action == "b":
            await self._back(turn, journey, progress)
        elif action == "s":
            self._sources(turn, journey, node)
        elif action == "t" and node.group_task is not None:
            await newcomer.ask_group(turn, node.group_task.title, node.group_task.category,
                                     f"journey:{journey.journey}:{node.id}")
            await self._show(turn, journey, progress)
        elif (choice := _choice(node, action)) is not None:
            await self._go(turn, journey, progress, choice, None)
        else:
            await fallback.stale(turn)

    async def _later(self, turn: Turn, journey: Journey, node: Node) -> None:
        """⏳ Not yet: the step waits; with a follow-up, the bot asks again in N days."""
        if node.follow_up is None:
            turn.notice(_("This step waits for you."))
        else:
            await follow_ups.schedule(turn, f"j:{journey.journey}:{node.id}", node.follow_up.days)
            turn.notice(ngettext("I will ask you again in {days} day.",
                                 "I will ask you again in {days} days.",
                                 node.follow_up.days).format(days=node.follow_up.days))
        await self.overview(turn)

    async def follow_up_text(self, session: AsyncSession, reminder: Reminder, user: User,
                             zone: ZoneInfo) -> Reply | None:
        """The follow-up question, unless the step was ticked meanwhile."""
        _j, journey_id, node_id = (reminder.ref or "::").split(":")[:3]
        journey = self.journeys.get(journey_id)
        node = journey.node(node_id) if journey and journey.has(node_id) else None
        progress = await repo.get(session, user.id, journey_id) if node else None
        if node is None or node.follow_up is None or (progress and node.id in progress.done):
            return None
        keyboard = ((Button(_("🧭 Go to this step"), f"j:{journey_id}:{node_id}:g"),),
                    (Button(_("💤 Ask me tomorrow"), f"r:o:{reminder.id}"),))
        return Reply(finish("🔔 " + _(node.follow_up.question)),
                     tuple(tuple(Button(finish(b.label), b.data) for b in row)
                           for row in keyboard))

    async def _done(self, turn: Turn, journey: Journey, progress: JourneyProgress,
                    node: Node) -> None:
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

    async def _back(self, turn: Turn, journey: Journey, progress: JourneyProgress) -> None:
        if not progress.history:
            turn.notice(_("This is the first step."))
        else:
            repo.move(progress, progress.history[-1], back=True)
        await self._show(turn, journey, progress)

    async def _show(self, turn: Turn, journey: Journey, progress: JourneyProgress) -> None:
        node = journey.node(progress.node)
        links = "".join(f'\n🔗 <a href="{link.url}">{_(link.label)}</a>' for link in node.links)
        ticked = "\n☑️ " + _(node.check) if node.check and node.id in progress.done else ""
        ask = node.group_task is not None and await newcomer.is_newcomer_in_group(turn)
        turn.say(f"{_(node.text or '')}{links}{ticked}", _step_keyboard(journey, node, ask))

    def _sources(self, turn: Turn, journey: Journey, node: Node) -> None:
        """Where the facts come from and when a person last checked them."""
        assert node.last_checked is not None  # the loader requires it on every step
        turn.say(sources_text(node.sources, node.last_checked),
                 ((Button(_("⬅️ Back to the step"), f"j:{journey.journey}::o"),),))

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


def _choice(node: Node, action: str) -> str | None:
    """The target of choice button `c<i>`, if it exists on this node."""
    index = action[1:]
    if action[:1] != "c" or not (index.isascii() and index.isdigit()) \
            or int(index) >= len(node.choices):
        return None
    return node.choices[int(index)].next


def _step_keyboard(journey: Journey, node: Node, ask_group: bool = False) -> Keyboard:
    """Done (labelled with the checklist item), choices, Ask my group, Not yet, Back, Source."""
    prefix = f"j:{journey.journey}:{node.id}:"
    done = _("✅ Done") if node.check is None else f"✅ {_(node.check)}"
    rows: list[tuple[Button, ...]] = [(Button(done, prefix + "d"),)]
    rows += [(Button(_(choice.label), f"{prefix}c{i}"),) for i, choice in enumerate(node.choices)]
    if ask_group:
        rows.append((Button(_("🤝 Ask my group to help"), prefix + "t"),))
    rows.append((Button(_("⏳ Not yet"), prefix + "l"), Button(_("⬅️ Back"), prefix + "b")))
    rows.append((Button(_("ℹ️ Source"), prefix + "s"),))
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
    router.menu_button(N_("🧭 My steps"), "steps:")
    router.button("steps", feature.overview)
    router.button("j", feature.on_button)
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
