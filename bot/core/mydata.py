"""/mydata: everything stored about the person, as one readable JSON file (AVG art. 15 and 20)."""

from __future__ import annotations

import json

from bot.core import privacy
from bot.core.menu import OpenMenu
from bot.core.ports import Button, Document
from bot.core.router import Router, Turn
from bot.i18n import N_, _, backward
from bot.storage import personal

FORMAT_VERSION = 1  # bump when sections change, so readers of old files know


async def export(turn: Turn) -> None:
    """Send the file; its caption says what it is and how to delete the data."""
    data = {"format": f"wegwijs-export/{FORMAT_VERSION}", "created_at": turn.now.isoformat(),
            "privacy_notice_version": privacy.PRIVACY_VERSION,
            **await personal.collect(turn.session, turn.user)}
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")
    turn.say(_("Here is everything Wegwijs has stored about you, in one file. "
               "To delete it all, send /delete."),
             ((Button(backward(_("Menu")), OpenMenu().encode()),),),
             document=Document("wegwijs-my-data.json", body, "application/json"))


async def on_button(turn: Turn, _pressed: privacy.Download) -> None:
    """The download button under /privacy."""
    await export(turn)


def register(router: Router) -> None:
    """/mydata and its button."""
    router.command("mydata", export, N_("Download my data"))
    router.on(privacy.Download, on_button)
