"""📍 Help near me over the fake Bot API, in Arabic: local help in the person's language
first, national help after it, today's hours, a number to tap, the place on the map; a
town without local entries gets the national ones; an answer names the gemeente. In
Polish: the Polish descriptions, and the Dutch one where an entry has no Polish."""

from __future__ import annotations

from datetime import UTC, datetime

import phonenumbers

from bot.config import Settings
from bot.core.directory import store
from bot.core.engine import Core
from bot.core.render import finish, format_html
from bot.core.router import Router
from bot.i18n import LRI, PDI, _, use_locale
from bot.storage.db import Database
from fakebot import FakeTelegram, check_telegram_html
from tests.telegram import TgUser, running_bot, visible

WEDNESDAY = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)  # 10:30 in the Netherlands


async def newcomer_in(user: TgUser, town: str, lang: str = "ar") -> None:
    """A newcomer (Arabic-speaking unless told) who types where they live."""
    await user.send("/start")
    for data in (f"lang:{lang}", "priv:yes", "ob:role:newcomer", "ob:sit:refugee", "ob:kids:no"):
        await user.press(data)
    await user.send(town)
    await user.press("ob:arr:skip")


def hours(code: str, spans: str) -> str:
    """'🕘 Today: 09:00-17:00' as the reader sees it."""
    with use_locale(code):
        return visible_text(_("🕘 Today: {hours}").format(hours=spans))


def visible_text(html: str) -> str:
    """Our HTML as the chat shows it (tags gone, isolation in)."""
    return check_telegram_html(finish(html))


async def test_help_near_me_in_arabic_local_first_in_their_language_then_national(
        fake: FakeTelegram, db: Database, router: Router, settings: Settings) -> None:
    async with db.session() as session:
        rows = store.read_file(store.EXAMPLE_FILE.read_bytes(), taken=store.national_ids())
        await store.import_rows(session, rows, WEDNESDAY)
    core = Core(db, router, settings.policy(), lambda: WEDNESDAY)
    async with running_bot(fake, core):
        amal = TgUser(fake, 5101, "ar")
        await newcomer_in(amal, "أوترخت")
        await amal.send("/help_near")
        assert "dir:r:legal" in [data for _label, data in amal.last_buttons()]
        await amal.press("dir:r:legal")
        screen = amal.screen()[-1]
        arabic, dutch_only = (screen.index("Rechtswinkel Voorbeeld Utrecht"),
                              screen.index("Adviespunt Voorbeeld"))
        national = screen.index("College voor de Rechten van de Mens")
        assert arabic < dutch_only < national
        assert hours("ar", "09:00-17:00") in screen  # Wednesday, at the Rechtswinkel
        assert visible("ar", "🟢 open now") in screen
        # A number in the +31 form, in one left-to-right run: Telegram links it for calling.
        number = "+31 30 888 3888"
        assert f"{LRI}{number}{PDI}" in screen
        assert phonenumbers.is_valid_number(phonenumbers.parse(number))
        assert visible("ar", "🇳🇱 Whole country") in screen

        calls = await amal.press("dir:m:ex-utrecht-recht-ar")
        venue = next(c["params"] for c in calls if c["method"] == "sendVenue")
        assert (float(venue["latitude"]), float(venue["longitude"])) == (52.0921, 5.119)
        assert venue["title"] == "Rechtswinkel Voorbeeld Utrecht"

        await amal.press("dir:r:legal:1")  # the list (above the place) turns a page
        listed = next(text for text in reversed(amal.screen()) if text)
        assert "Juridisch Loket" in listed and f"{LRI}+31 900 8020{PDI}" in listed

        await amal.send("صاحب البيت ما بيصلح")  # "the landlord does not repair"
        with use_locale("ar"):
            named = visible_text(format_html(_("🏛 Your gemeente: <b>{name}</b>"),
                                             name="Utrecht"))
        assert named in amal.screen()[-1]
        assert "dir:r:legal" in [data for _label, data in amal.last_buttons()]

        bilal = TgUser(fake, 5102, "ar")
        await newcomer_in(bilal, "Zwolle")
        await bilal.send("/help_near")
        await bilal.press("dir:r:legal")
        shown = bilal.screen()[-1]
        cards = shown.split("\n\n")[1:]
        assert cards and all(visible("ar", "🇳🇱 Whole country") in card for card in cards)
        assert "Voorbeeld" not in shown


async def test_help_near_me_in_polish_reads_polish_and_falls_back_to_dutch(
        fake: FakeTelegram, db: Database, router: Router, settings: Settings) -> None:
    examples = store.EXAMPLE_FILE.read_bytes()
    polish = "Przykład: dyżur, na którym możesz zadać pytania prawne.".encode()
    assert examples.count(polish) == 1
    async with db.session() as session:  # the Adviespunt without its Polish description
        rows = store.read_file(examples.replace(polish, b""), taken=store.national_ids())
        await store.import_rows(session, rows, WEDNESDAY)
    core = Core(db, router, settings.policy(), lambda: WEDNESDAY)
    async with running_bot(fake, core):
        marek = TgUser(fake, 5103, "pl")
        await newcomer_in(marek, "Utrecht", "pl")
        await marek.send("/help_near")
        assert "dir:r:debt" in [data for _label, data in marek.last_buttons()]
        await marek.press("dir:r:debt")
        screen = marek.screen()[-1]
    assert screen.index("Adviespunt Voorbeeld") < screen.index("Juridisch Loket")
    assert "Voorbeeld: spreekuur voor juridische vragen." in screen  # no Polish: Dutch
    national = {row.id: row for row in store.national()}
    for entry in ("nl-juridisch-loket", "nl-schuldhulproute"):
        row = national[entry]
        assert row.description_pl and row.description_pl in screen
        assert row.description_nl and row.description_nl not in screen
