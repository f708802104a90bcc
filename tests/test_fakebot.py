"""The fake Bot API server, exercised by the real PTB Bot and Application over loopback HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from fakebot import (
    BOT_USER,
    DROP,
    FakeTelegram,
    Fault,
    TelegramHtmlError,
    check_telegram_html,
    parse_telegram_html,
)
from fakebot.polling import polling

TOKEN = "123456:TEST-fake-token"
USER = 4242
App = Application[Any, Any, Any, Any, Any, Any]


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """A running fake; afterwards nothing may be left running on the loop."""
    async with FakeTelegram() as server:
        yield server
    await asyncio.sleep(0)
    leftovers = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    assert leftovers == []


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    """A bare PTB Bot for tests that only need request/response behaviour."""
    async with Bot(
        TOKEN, base_url=f"{fake.root_url}/bot", base_file_url=f"{fake.root_url}/file/bot"
    ) as client:
        yield client


@asynccontextmanager
async def running_app(
    fake: FakeTelegram, handlers: Sequence[BaseHandler[Any, Any, Any]]
) -> AsyncIterator[App]:
    """A real Application polling the fake, shut down the way production code does."""
    app: App = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{fake.root_url}/bot")
        .base_file_url(f"{fake.root_url}/file/bot")
        .build()
    )
    app.add_handlers(handlers)
    async with polling(app):
        yield app


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo text back in bold, escaping it as every HTML reply must."""
    message = update.message
    assert message is not None and message.text is not None
    await message.reply_text(f"<b>{html.escape(message.text)}</b>", parse_mode=ParseMode.HTML)


async def welcome(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start handler, proving the bot_command entity and bot username line up."""
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, "Welkom!")


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press and replace the message, keyboard included."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer(text=f"got {query.data}")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Opnieuw", callback_data="again")]])
    await query.edit_message_text(
        f"<i>gekozen: {html.escape(query.data)}</i>",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )


def collector() -> tuple[asyncio.Queue[Update], TypeHandler[Update, Any, Any]]:
    """A handler that hands every parsed Update to the test."""
    queue: asyncio.Queue[Update] = asyncio.Queue()

    async def collect(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await queue.put(update)

    return queue, TypeHandler(Update, collect)


# ---------------------------------------------------------------------- Application round trips


async def test_echo_round_trip_with_html(fake: FakeTelegram) -> None:
    text_handler = MessageHandler(filters.TEXT & ~filters.COMMAND, echo)
    async with running_app(fake, [CommandHandler("start", welcome), text_handler]):
        await fake.user_sends(USER, "/start", language_code="nl")
        assert (await fake.next_message(USER))["text"] == "Welkom!"
        await fake.user_sends(USER, "fish & <chips>")
        reply = await fake.next_message(USER)
    assert reply["text"] == "fish & <chips>"
    assert reply["entities"] == [{"type": "bold", "offset": 0, "length": 14}]
    assert reply["from"] == BOT_USER
    assert reply["chat"] == {"id": USER, "type": "private", "first_name": "Test"}
    assert fake.sent[-1]["params"]["text"] == "<b>fish &amp; &lt;chips&gt;</b>"
    assert fake.token == TOKEN


async def test_every_update_is_handled_exactly_once(fake: FakeTelegram) -> None:
    async with running_app(fake, [MessageHandler(filters.TEXT, echo)]):
        for word in ("een", "twee", "drie"):
            await fake.user_sends(USER, word)
        await fake.wait_for(lambda: sum(r["method"] == "sendMessage" for r in fake.sent) >= 3,
                            10, what="three echoes")
        replies = await fake.drain(USER, quiet=0.3)  # and nothing more after them
    assert [reply["text"] for reply in replies] == ["een", "twee", "drie"]
    assert [r["message_id"] for r in replies] == [4, 5, 6]  # ids are shared with the user's 1-3


async def test_callback_query_round_trip(fake: FakeTelegram) -> None:
    await fake.add_chat(USER)
    async with running_app(fake, [CallbackQueryHandler(on_press)]) as app:
        keyboard = [[InlineKeyboardButton("Ja", callback_data="yes")]]
        keyboard.append([InlineKeyboardButton("Nee", callback_data="no")])
        await app.bot.send_message(USER, "Kies:", reply_markup=InlineKeyboardMarkup(keyboard))
        message = await fake.next_message(USER)
        assert fake.buttons(message) == [("Ja", "yes"), ("Nee", "no")]
        query_id = await fake.user_presses(USER, message, "yes")
        answer = await fake.next_callback_answer(query_id)
        await fake.wait_for(lambda: len(fake.edits(USER)) == 1, what="the edit")
        with pytest.raises(BadRequest, match="Query is too old"):
            await app.bot.answer_callback_query(query_id)
    assert answer == {"callback_query_id": query_id, "text": "got yes"}
    [current] = fake.messages(USER)
    assert current["text"] == "gekozen: yes"
    assert current["entities"] == [{"type": "italic", "offset": 0, "length": 12}]
    assert fake.buttons(current) == [("Opnieuw", "again")]
    assert "edit_date" in current


async def test_non_text_kinds_parse_in_ptb(fake: FakeTelegram) -> None:
    queue, handler = collector()
    kinds = ("photo", "voice", "sticker", "location", "document", "contact")
    async with running_app(fake, [handler]):
        for kind in kinds:
            await fake.user_sends_kind(USER, kind)
        updates = [await asyncio.wait_for(queue.get(), 5) for _ in kinds]
    for kind, update in zip(kinds, updates, strict=True):
        assert update.message is not None
        assert getattr(update.message, kind), kind
    photo = updates[0].message
    assert photo is not None and photo.photo[-1].width == 1280
    sticker = updates[2].message
    assert sticker is not None and sticker.sticker is not None and not sticker.sticker.is_animated


async def test_edited_message_and_membership_updates_parse(fake: FakeTelegram) -> None:
    queue, handler = collector()
    async with running_app(fake, [handler]):
        sent = await fake.user_sends(USER, "helo")
        await fake.user_edits(USER, sent["message"]["message_id"], "hello")
        await fake.bot_added_to_group(-100, "Buren", by_user_id=USER)
        await fake.add_chat(-1001234567890, title="Grote groep")
        updates = [await asyncio.wait_for(queue.get(), 5) for _ in range(3)]
    edited = updates[1].edited_message
    assert edited is not None and edited.text == "hello" and edited.edit_date is not None
    member = updates[2].my_chat_member
    assert member is not None and member.new_chat_member.status == "member"
    assert member.chat.type == "group" and member.chat.title == "Buren"
    assert fake.messages(-1001234567890) == []
    group = await fake.add_chat(-1001234567890)
    assert group == {"id": -1001234567890, "type": "supergroup", "title": "Grote groep"}


# ---------------------------------------------------------------------- long polling


async def test_long_poll_returns_promptly_when_an_update_arrives(
    fake: FakeTelegram, bot: Bot
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_for(lambda: any(name == "getUpdates" for name, _ in fake.requests))
    await asyncio.sleep(0.05)
    started = asyncio.get_running_loop().time()
    await fake.user_sends(USER, "hallo")
    updates = await asyncio.wait_for(poll, 2)
    assert asyncio.get_running_loop().time() - started < 1
    assert [u.message.text for u in updates if u.message] == ["hallo"]


async def test_long_poll_times_out_empty(bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= loop.time() - started < 2


async def test_offset_confirms_updates(fake: FakeTelegram, bot: Bot) -> None:
    for word in ("a", "b", "c"):
        await fake.user_sends(USER, word)
    ids = [u.update_id for u in await bot.get_updates()]
    assert len(ids) == 3
    assert [u.update_id for u in await bot.get_updates()] == ids  # unconfirmed: delivered again
    assert [u.update_id for u in await bot.get_updates(offset=ids[1])] == ids[1:]
    assert await bot.get_updates(offset=ids[-1] + 1) == ()
    assert await bot.get_updates() == ()


async def test_stop_releases_a_pending_long_poll() -> None:
    server = FakeTelegram()
    await server.start()
    async with aiohttp.ClientSession() as session:
        url = f"{server.root_url}/bot{TOKEN}/getUpdates"
        poll = asyncio.create_task(session.post(url, data={"timeout": "30"}))
        await server.wait_for(lambda: bool(server.requests), what="the poll to arrive")
        loop = asyncio.get_running_loop()
        started = loop.time()
        await server.stop()
        async with await poll as response:
            assert (await response.json()) == {"ok": True, "result": []}
        assert loop.time() - started < 1


# ---------------------------------------------------------------------- Telegram's validation


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<b>unclosed", 'can\'t find end tag corresponding to start tag "b"'),
        ("a < b", 'unsupported start tag "" at byte offset 2'),
        ("<script>x</script>", 'unsupported start tag "script" at byte offset 0'),
        ("&nbsp;", 'unsupported html entity "&nbsp;"'),
        ("fish & chips", 'character "&" must be escaped'),
        ("<b><i>x</b></i>", "unmatched end tag"),
    ],
)
async def test_invalid_html_is_rejected(
    fake: FakeTelegram, bot: Bot, text: str, reason: str
) -> None:
    await fake.add_chat(USER)
    with pytest.raises(BadRequest) as info:
        await bot.send_message(USER, text, parse_mode=ParseMode.HTML)
    assert str(info.value) == f"Can't parse entities: {reason}" or reason in str(info.value)
    assert fake.failures[-1]["error_code"] == 400
    assert fake.messages(USER) == []


async def test_valid_html_passes_with_entities(fake: FakeTelegram, bot: Bot) -> None:
    await fake.add_chat(USER)
    text = (
        "<b>vet <i>schuin</i></b> &lt;&gt;&amp;&quot; &#128512;&#x1F600; "
        '<a href="https://x.nl/?a=1&amp;b=2">link</a> <tg-spoiler>geheim</tg-spoiler> '
        '<span class="tg-spoiler">ook</span> <blockquote expandable>citaat</blockquote> '
        '<pre><code class="language-python">x = 1</code></pre>'
    )
    message = await bot.send_message(USER, text, parse_mode=ParseMode.HTML)
    assert message.text is not None
    assert message.text.startswith('vet schuin <>&" 😀😀 link geheim ook citaat x = 1')
    kinds = [entity.type for entity in message.entities]
    assert kinds == [
        "bold", "italic", "text_link", "spoiler", "spoiler", "expandable_blockquote", "pre",
    ]  # fmt: skip
    assert message.entities[2].url == "https://x.nl/?a=1&b=2"
    assert message.entities[-1].language == "python"
    assert message.parse_entity(message.entities[2]) == "link"  # UTF-16 offsets line up


async def test_message_length_counts_visible_utf16(fake: FakeTelegram, bot: Bot) -> None:
    await fake.add_chat(USER)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "x" * 4097)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "😀" * 2049)  # 4098 UTF-16 code units
    assert (await bot.send_message(USER, "x" * 4096)).text == "x" * 4096
    tagged = "<b>" + "x" * 4000 + "</b>" + "&amp;" * 96
    assert len(tagged) > 4096
    message = await bot.send_message(USER, tagged, parse_mode=ParseMode.HTML)
    assert message.text == "x" * 4000 + "&" * 96


async def test_empty_text_and_unmodified_edit(fake: FakeTelegram, bot: Bot) -> None:
    await fake.add_chat(USER)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER, "  ")
    message = await bot.send_message(USER, "<b>same</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("<b>same</b>", USER, message.message_id, parse_mode="HTML")
    edited = await bot.edit_message_text("same", USER, message.message_id)
    assert isinstance(edited, type(message)) and edited.entities == ()


async def test_callback_data_over_64_bytes_is_rejected(fake: FakeTelegram, bot: Bot) -> None:
    await fake.add_chat(USER)
    for data in ("x" * 65, "é" * 33):
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("te lang", callback_data=data)]])
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(USER, "kies", reply_markup=markup)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("past", callback_data="é" * 32)]])
    message = await bot.send_message(USER, "kies", reply_markup=markup)
    assert message.reply_markup == markup


# ---------------------------------------------------------------------- errors and chats


async def test_injected_flood_error_raises_retry_after(
    fake: FakeTelegram, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    await fake.add_chat(USER)
    fake.inject_error("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(USER, "eerste")
    assert info.value.retry_after == dtm.timedelta(seconds=7)
    assert (await bot.send_message(USER, "tweede")).text == "tweede"  # only once
    assert fake.failures[0]["parameters"] == {"retry_after": 7}


async def test_forbidden_when_blocked_or_injected(fake: FakeTelegram, bot: Bot) -> None:
    await fake.add_chat(USER)
    await fake.add_chat(USER + 1)
    fake.inject_error("sendMessage", 403, "Forbidden: user is deactivated", chat_id=USER + 1)
    await bot.send_message(USER, "andere chat gaat goed")
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.send_message(USER + 1, "hoi")
    update = await fake.block_bot(USER)
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "hoi")


@pytest.mark.parametrize("from_proxy", [False, True])
async def test_injected_server_error_is_a_network_error_once(
    fake: FakeTelegram, bot: Bot, from_proxy: bool
) -> None:
    await fake.add_chat(USER)
    fake.inject_error("sendMessage", 502, "Bad Gateway", chat_id=USER, from_proxy=from_proxy)
    with pytest.raises(NetworkError, match="Bad Gateway") as info:
        await bot.send_message(USER, "eerste")
    assert not isinstance(info.value, BadRequest)  # PTB files 5xx under network errors
    assert ("Parsing the server response" in str(info.value)) == from_proxy  # HTML, not JSON
    assert fake.messages(USER) == []  # a failed call has no effect
    assert (await bot.send_message(USER, "tweede")).text == "tweede"
    assert [f["error_code"] for f in fake.failures] == [502]


async def test_dropped_connection_has_no_effect_and_is_recorded(
    fake: FakeTelegram, bot: Bot
) -> None:
    await fake.add_chat(USER)
    fake.drop_connections("sendMessage", times=2, chat_id=USER)
    for _ in range(2):
        with pytest.raises(NetworkError, match="disconnected without sending a response"):
            await bot.send_message(USER, "weg")
    assert fake.messages(USER) == []
    assert [d["params"]["text"] for d in fake.dropped] == ["weg", "weg"]
    assert (await bot.send_message(USER, "wel")).text == "wel"
    assert [n for n, _ in fake.requests if n == "sendMessage"] == ["sendMessage"]  # drops never ran


async def test_disconnect_refuses_and_reconnect_keeps_port_and_state(
    fake: FakeTelegram, bot: Bot
) -> None:
    await fake.add_chat(USER)
    await bot.send_message(USER, "voor")
    root = fake.root_url
    await fake.disconnect()
    assert not fake.online
    with pytest.raises(NetworkError, match="ConnectError"):
        await bot.get_me()
    await fake.user_sends(USER, "terwijl je weg was")  # Telegram keeps updates meanwhile
    await fake.reconnect()
    assert fake.online and fake.root_url == root
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["terwijl je weg was"]
    assert (await bot.send_message(USER, "na")).message_id == 3  # the chat went on


async def test_a_subclass_can_add_faults() -> None:
    class EveryOtherSend(FakeTelegram):
        sends = 0

        def fault(self, name: str, params: dict[str, Any]) -> Fault | None:
            self.sends += name == "sendMessage"
            return DROP if self.sends % 2 and name == "sendMessage" else super().fault(name, params)

    async with EveryOtherSend() as server, Bot(TOKEN, base_url=f"{server.root_url}/bot") as bot:
        await server.add_chat(USER)
        server.inject_error("sendMessage", 500, "Internal Server Error")
        results = []
        for text in "abcd":
            try:
                results.append((await bot.send_message(USER, text)).text)
            except NetworkError as error:
                results.append(type(error).__name__)
    assert results == ["NetworkError", "NetworkError", "NetworkError", "d"]
    assert [f["error_code"] for f in server.failures] == [500]  # the injected one, after a drop


async def test_unknown_chat_is_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(USER, "hoi")


async def test_commands_are_stored_per_scope_and_language(fake: FakeTelegram, bot: Bot) -> None:
    commands = [BotCommand("start", "Begin opnieuw"), BotCommand("taal", "Kies je taal")]
    await bot.set_my_commands(commands, language_code="nl")
    await bot.set_my_commands(
        [BotCommand("start", "Start")], scope=BotCommandScopeAllPrivateChats()
    )
    assert fake.commands[("default", "nl")] == [
        {"command": "start", "description": "Begin opnieuw"},
        {"command": "taal", "description": "Kies je taal"},
    ]
    assert fake.commands[("all_private_chats", "")] == [
        {"command": "start", "description": "Start"}
    ]
    assert await bot.get_my_commands(language_code="nl") == tuple(commands)
    assert await bot.get_my_commands() == ()
    await bot.delete_my_commands(language_code="nl")
    assert ("default", "nl") not in fake.commands
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start!", "nope")])


async def test_send_document_keeps_upload(fake: FakeTelegram, bot: Bot) -> None:
    await fake.add_chat(USER)
    await bot.send_document(
        USER,
        b"a;b\n1;2\n",
        filename="export.csv",
        caption="<b>Export</b>",
        parse_mode=ParseMode.HTML,
    )
    message = await fake.next_message(USER)
    assert message["document"]["file_name"] == "export.csv"
    assert message["caption"] == "Export"
    upload = fake.upload(message)
    assert (upload.filename, upload.data) == ("export.csv", b"a;b\n1;2\n")


async def test_next_message_timeout_explains_itself(fake: FakeTelegram, bot: Bot) -> None:
    await fake.add_chat(USER)
    await bot.send_message(USER, "al gezien")
    await fake.next_message(USER)
    with pytest.raises(BadRequest):
        await bot.send_message(USER, "<b>kapot", parse_mode=ParseMode.HTML)
    with pytest.raises(AssertionError, match=r"al gezien.*can't parse entities"):
        await fake.next_message(USER, timeout=0.1)


# ---------------------------------------------------------------------- raw HTTP behaviour


async def test_raw_http_parsing_and_unknown_method(fake: FakeTelegram) -> None:
    await fake.add_chat(USER)
    url = f"{fake.root_url}/bot{TOKEN}"
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    async with aiohttp.ClientSession() as session:
        as_json = {"chat_id": USER, "text": "123", "reply_markup": markup}
        async with session.post(f"{url}/sendMessage", json=as_json) as response:
            assert (await response.json())["result"]["text"] == "123"
        as_string = {"chat_id": str(USER), "text": "json string", "reply_markup": str(markup)}
        as_string["reply_markup"] = as_string["reply_markup"].replace("'", '"')
        async with session.post(f"{url}/SENDMESSAGE", json=as_string) as response:
            assert (await response.json())["result"]["reply_markup"] == markup
        async with session.get(f"{url}/getMe") as response:
            assert (await response.json())["result"]["username"] == "wegwijs_test_bot"
        async with session.post(f"{url}/fooBar", data={"x": "1"}) as response:
            body = await response.json()
    assert response.status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
    assert [record["params"]["reply_markup"] for record in fake.sent[:2]] == [markup, markup]


# ---------------------------------------------------------------------- the HTML checker itself


def test_check_html_returns_visible_text() -> None:
    assert check_telegram_html("<b>a</b> &amp; <i>b</i> > c") == "a & b > c"
    assert parse_telegram_html("😀<b>x</b>")[1] == [{"type": "bold", "offset": 2, "length": 1}]


@pytest.mark.parametrize(
    "text",
    ["<b", "</b>", '<span class="x">s</span>', "<tg-emoji>x</tg-emoji>", "&#0;", "<a href=x/y>"],
)
def test_check_html_rejects(text: str) -> None:
    with pytest.raises(TelegramHtmlError):
        check_telegram_html(text)
