"""Composition root of the core: which features exist, and in which order they register."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.config import Settings
from bot.core import (
    admin,
    conversation,
    crisis,
    dashboard,
    fallback,
    freshness,
    language,
    menu,
    mydata,
    onboarding,
    privacy,
    questions,
    retention,
)
from bot.core.broadcasts import feature as broadcasts
from bot.core.content import load_journeys
from bot.core.directory import feature as directory
from bot.core.directory import manage as directory_manage
from bot.core.directory.links import check_content as check_directory
from bot.core.engine import Clock, Core
from bot.core.faq import feature as faq
from bot.core.faq.loader import load_faq
from bot.core.faq.schema import Entry
from bot.core.groups import board, deadlines, groupchat, home, invites, newcomer, overview
from bot.core.groups.plan import load_plan
from bot.core.journeys import feature as journeys
from bot.core.journeys.schema import Journey
from bot.core.policies import RetentionPolicy
from bot.core.reminders import checkin
from bot.core.reminders import feature as reminders
from bot.core.router import Router
from bot.core.volunteer import feature as volunteer
from bot.core.volunteer import manage as volunteer_manage
from bot.storage.db import Database


def build_router(flows: dict[str, Journey], answers: dict[str, Entry],
                 policy: RetentionPolicy | None = None,
                 dashboard_url: str | None = None) -> Router:
    """Register every feature; a key claimed twice fails here, at startup."""
    router = Router()
    crisis.register(router)  # 0. danger gets the crisis answer before anything else
    conversation.register(router)  # 0b. a typed answer to the buttons just shown
    language.register(router)  # 1. language picker: the first thing anyone sees
    privacy.register(router)  # 2. consent before any answer is saved; /privacy, /delete
    mydata.register(router)  # 2b. /mydata: everything stored about you, as a file
    onboarding.register(router)  # 3. /start and the profile questions
    invites.register(router)  # 4. invite links (/start i_…) to join a group or coordinate
    journeys.register(router, flows)  # 5. My steps: the journeys, first on the main menu
    questions.register(router)  # 6. ask a person: handoff, answers, follow-ups (intercepts text)
    faq.register(router, answers)  # 7. typed questions, at the menu and during journeys
    directory.register(router)  # 7b. 📍 Help near me: the help directory by theme
    directory_manage.register(router)  # 7c. coordinators keep the directory; monthly review
    volunteer_manage.register(router)  # 7d. coordinators keep volunteering; monthly numbers
    volunteer.register(router)  # 7e. 🤲 volunteer work: wishes, matches, answers, follow-ups
    home.register(router)  # 8. 👥 Groups for helpers: groups, invites, chat link, plan
    board.register(router)  # 9. the shared task board, in private and in group chats
    newcomer.register(router)  # 10. 🤝 My group: the newcomer's shared tasks
    groupchat.register(router)  # 11. the group's own chat: /link, /tasks
    overview.register(router)  # 12. Monday overviews for groups and coordinators
    deadlines.register(router)  # 13. task due tomorrow / overdue (durable jobs)
    reminders.register(router)  # 14. ⏰ appointments and reminders, /reminders
    checkin.register(router)  # 15. the monthly "How are things going?" to newcomers
    broadcasts.register(router)  # 16. 📢 /broadcast and /broadcasts for coordinators
    retention.register(router, policy or RetentionPolicy())  # 17. daily retention job
    admin.register(router)  # 18. /audit and /erase for admins
    dashboard.register(router, dashboard_url)  # 18b. /dashboard: a login link for leads
    menu.register(router)  # 19. main menu, /help with emergency numbers, "My details"
    fallback.register(router)  # last: kind answers for whatever nobody else claimed
    return router


@dataclass(frozen=True)
class Content:
    """The checked journeys and FAQ answers the features serve."""

    journeys: dict[str, Journey]
    answers: dict[str, Entry]


def load_content(today: date | None = None) -> Content:
    """Read and check every content file once; a broken one names its file and node. Facts
    due for a check are logged as warnings: an old date never keeps the bot from starting."""
    journeys = load_journeys()
    plan = load_plan()  # the support-plan template is checked at startup too
    answers = load_faq(journeys)
    check_directory(journeys, answers)  # the directory's links and national set
    freshness.warn_overdue(freshness.text_nodes(journeys.values(), answers.values(), plan),
                           today or date.today())
    return Content(journeys, answers)


def build_core(settings: Settings, db: Database, clock: Clock | None = None,
               content: Content | None = None) -> Core:
    """The core that every adapter (Telegram, console, tests) talks to."""
    content = load_content() if content is None else content
    router = build_router(content.journeys, content.answers, settings.retention,
                          settings.dashboard.url if settings.dashboard else None)
    policy = settings.policy()
    return Core(db, router, policy) if clock is None else Core(db, router, policy, clock)
