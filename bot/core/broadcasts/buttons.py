"""What the broadcast screens' buttons carry: the broadcast's number (`key`), and for some
a value; the draft's screens (bot.core.broadcasts.compose) and the reports
(bot.core.broadcasts.feature) link to each other."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from bot.core.dialogs import Chosen, DayPick, MonthPage, Pressed
from bot.core.payloads import Payload, Stamp

Hour = Annotated[datetime, Stamp("%Y%m%d%H", datetime)]  # a day and an hour, local time


class ToggleRole(Chosen[str], prefix="bc", shape="r:{key}:{value}"):
    """Newcomers, members or coordinators in the audience, or not."""


class CycleLanguage(Pressed, prefix="bc", shape="l:{key}"):
    """🌐 The recipients' language: all, then each in turn."""


class CycleMunicipality(Pressed, prefix="bc", shape="m:{key}"):
    """📍 All municipalities, then each where the organisation has groups."""


class ToggleUnfinished(Pressed, prefix="bc", shape="u:{key}"):
    """Only people who did not finish First steps."""


class ToggleChats(Pressed, prefix="bc", shape="c:{key}"):
    """Also to the group chats."""


class CycleSituation(Pressed, prefix="bc", shape="i:{key}"):
    """👤 Every situation, then each in turn."""


class AskGroups(Pressed, prefix="bc", shape="q:{key}"):
    """👥 The groups to pick from."""


class PickGroup(Chosen[int], prefix="bc", shape="q:{key}:{value}"):
    """One group, picked or unpicked."""


class Write(Chosen[str], prefix="bc", shape="w:{key}:{value}"):
    """✍️ Write one language version."""


class Preview(Chosen[str], prefix="bc", shape="p:{key}:{value}"):
    """👁 What a recipient reading this language gets."""


class ToggleUrgent(Pressed, prefix="bc", shape="g:{key}"):
    """Urgent: also to muted people."""


class CycleFallback(Pressed, prefix="bc", shape="f:{key}"):
    """🔤 The version people get when theirs is missing."""


class AskSend(Pressed, prefix="bc", shape="s:{key}"):
    """📤 Send: how many, and are you sure."""


class Send(Pressed, prefix="bc", shape="y:{key}"):
    """✅ Yes, send."""


class Later(Pressed, prefix="bc", shape="t:{key}"):
    """🕘 Later: the calendar."""


class LaterMonth(MonthPage, prefix="bc", shape="t:{key}:m{month}"):
    """The calendar at a month."""


class LaterDay(DayPick, prefix="bc", shape="t:{key}:d{day}"):
    """The day it goes out: then the hours."""


class At(Chosen[Hour], prefix="bc", shape="h:{key}:{value}"):
    """The day and hour it goes out."""


class Discard(Pressed, prefix="bc", shape="x:{key}"):
    """✖️ Discard the draft."""


class BroadcastButton(Payload):
    """A button about a broadcast, draft or sent."""

    key: int


class OpenBroadcast(BroadcastButton, prefix="bc", action="o"):
    """The draft, or the numbers of a sent one (Back and Cancel lead here)."""


class StopBroadcast(BroadcastButton, prefix="bc", action="k"):
    """✖️ Stop sending, or cancel a scheduled one."""


class Report(BroadcastButton, prefix="bc", action="v"):
    """The numbers of a sent broadcast."""


class ShowBroadcasts(Payload, prefix="bc", shape="list:0"):
    """Back from a report: /broadcasts."""
