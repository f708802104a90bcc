"""The dashboard's pages, in the order of its navigation: the one list to extend.

A page module declares `PAGE = Page(name, N_(label), path, routes)`; its handlers are
wrapped in `bot.web.site.lead`, which checks the session and the role on the server.
"""

from __future__ import annotations

from bot.web import audit, broadcasts, directory, groups, inbox, insights, volunteering
from bot.web.site import Page


def build_pages() -> list[Page]:
    """Every page of the dashboard, in navigation order."""
    return [
        inbox.PAGE,  # questions waiting for a person: claim and answer
        groups.PAGE,  # progress per group, a group's tasks, invite links
        broadcasts.PAGE,  # compose, review, send or schedule, the live report
        directory.PAGE,  # the help directory of the lead's area: edit, check, CSV in and out
        volunteering.PAGE,  # opportunities of the lead's area: numbers, close, CSV in and out
        insights.PAGE,  # charts; nothing under five people
        audit.PAGE,  # the actions logged, filterable
    ]
