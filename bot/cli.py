"""Command-line entry points: run (Telegram), chat (console), migrate, backup, restore."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from telegram.error import InvalidToken

from bot import logs
from bot.app import Content, build_core, load_content
from bot.catalogs import main as update_catalogs
from bot.config import ConfigError, Settings, Webhook, load_settings
from bot.console.chat import ConsoleChat
from bot.core.content import JourneyError
from bot.core.engine import Core
from bot.core.faq.ask import main as ask_main
from bot.core.faq.loader import FaqError
from bot.core.journeys.report import content_report
from bot.storage.backup import BackupError, backup, restore
from bot.storage.db import Database
from bot.telegram.app import PTBApplication, build_application
from bot.telegram.reach import reach_telegram
from bot.telegram.webhook import listen, serve_webhook

log = logging.getLogger("wegwijs")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """`python main.py [run|chat|migrate]`; no command picks run or chat by the token."""
    parser = argparse.ArgumentParser(prog="main.py", description="Wegwijs bot")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run the Telegram bot (long polling, or a webhook)")
    run.add_argument("--webhook", action="store_true",
                     help="take updates on a webhook (also when WEGWIJS_WEBHOOK_URL is set)")
    chat = sub.add_parser("chat", help="chat with the bot in this terminal")
    chat.add_argument("--lang", help="language code to start in (nl, en, ar, ti)")
    chat.add_argument("--user", type=int, default=1, help="console user id (default 1)")
    chat.add_argument("--name", help="the console user's first name (default: User <id>)")
    sub.add_parser("migrate", help="apply database migrations")
    backup = sub.add_parser("backup", help="copy the whole database into a file")
    backup.add_argument("file", type=Path, help="where the backup goes")
    restore = sub.add_parser("restore", help="replace the database by a backup (bot stopped)")
    restore.add_argument("file", type=Path, help="a file written by `backup`")
    sub.add_parser("catalogs", help="extract strings and update every language's catalog")
    sub.add_parser("content-report", help="print a Markdown table of every content node")
    ask = sub.add_parser("ask", help="show how the question matcher answers a question")
    ask.add_argument("question", nargs="*", help="the question (none: read lines from stdin)")
    ask.add_argument("--lang", help="language hint (nl, en, ar, ti)")
    ask.add_argument("--json", action="store_true", help="print one JSON line per question")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Hand over to the chosen command; settings and journeys are checked first."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.command in OFFLINE:
        return OFFLINE[args.command](args)
    try:
        settings = load_settings()
        content = load_content()
    except (ConfigError, JourneyError, FaqError) as exc:
        kind = "Configuration error" if isinstance(exc, ConfigError) else "Content files are broken"
        print(f"{kind}:\n{exc}" if "\n" in str(exc) else f"{kind}: {exc}", file=sys.stderr)
        return 2
    command = args.command or ("run" if settings.telegram_token else "chat")
    if command == "run":
        return run_telegram(settings, content, getattr(args, "webhook", False))
    if command == "migrate":
        return asyncio.run(_migrate(settings))
    return asyncio.run(_chat(settings, content, getattr(args, "lang", None),
                             getattr(args, "user", 1), getattr(args, "name", None)))


def _print_content_report() -> int:
    print(content_report(), end="")
    return 0


def _backup_or_restore(args: argparse.Namespace) -> int:
    """`backup FILE` or `restore FILE` on the configured database (no content needed)."""
    try:
        settings = load_settings()
        (backup if args.command == "backup" else restore)(settings.database_url, args.file)
    except (ConfigError, BackupError) as exc:
        print(f"{args.command} failed: {exc}", file=sys.stderr)
        return 2
    print(f"{args.command}: done ({args.file})")
    return 0


# Commands that need neither the journeys nor the text models (fast, and usable when the
# content files are broken).
OFFLINE: dict[str, Callable[[argparse.Namespace], int]] = {
    "catalogs": lambda _args: update_catalogs(),
    "content-report": lambda _args: _print_content_report(),
    "ask": lambda args: ask_main(args.question, args.lang, args.json),
    "backup": _backup_or_restore,
    "restore": _backup_or_restore,
}


def run_telegram(settings: Settings, content: Content, webhook: bool = False) -> int:
    """Long polling, or a webhook, until interrupted; migrations run in the startup."""
    if not settings.telegram_token:
        print("Configuration error: TELEGRAM_BOT_TOKEN is not set", file=sys.stderr)
        return 2
    if webhook and settings.webhook is None:
        print("Configuration error: WEGWIJS_WEBHOOK_URL is not set (needed for --webhook)",
              file=sys.stderr)
        return 2
    if settings.webhook is not None:
        return _run_webhook(settings, settings.webhook, content)
    logs.configure(settings.telegram_token)
    core = build_core(settings, Database(settings.database_url), content=content)
    application = build_application(core, settings.telegram_token, settings.api_root)
    with asyncio.Runner() as runner:  # run_polling goes on in the loop that reached Telegram
        failed = _ready(runner, core, application, settings.connect_retry)
        if failed is not None:
            return failed
        application.run_polling(allowed_updates=["message", "edited_message", "callback_query",
                                                 "my_chat_member"], close_loop=False)
    return 0


def _ready(runner: asyncio.Runner, core: Core, application: PTBApplication,
           first_wait: float) -> int | None:
    """The database, then Telegram: None when both answer, else the exit code (the
    database closed again)."""
    failed = _database_ready(lambda: runner.run(core.db.migrate())) or _until_reached(
        lambda: runner.run(reach_telegram(application, first_wait)))
    if failed is not None:
        runner.run(core.db.close())
    return failed


def _database_ready(migrate: Callable[[], None]) -> int | None:
    """Open the database and bring its schema up to date: None when it worked, else a
    configuration error in one line (the address is not repeated: it may hold a password)."""
    try:
        migrate()
    except (SQLAlchemyError, OSError) as exc:
        return _database_error(exc)
    return None


def _database_error(exc: SQLAlchemyError | OSError) -> int:
    """One line naming the setting and the cause; the exit code of a configuration error."""
    cause = exc.orig if isinstance(exc, DBAPIError) else exc
    said = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    print(f"Configuration error: cannot use the database in DATABASE_URL ({said})",
          file=sys.stderr)
    return 2


def _until_reached(wait: Callable[[], None]) -> int | None:
    """Wait for Telegram: None once it answers, else the exit code (a refused token is a
    configuration error in one line; Ctrl-C while waiting stops calmly)."""
    try:
        wait()
    except InvalidToken:
        print("Configuration error: Telegram does not accept TELEGRAM_BOT_TOKEN",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        log.info("stopped before Telegram was reached")
        return 0
    return None


def _run_webhook(settings: Settings, webhook: Webhook, content: Content) -> int:
    """Webhook mode until SIGTERM or SIGINT; several instances may share one database."""
    assert settings.telegram_token is not None
    logs.configure(settings.telegram_token, secrets=[webhook.secret])
    try:
        sock = listen(webhook.host, webhook.port)
    except OSError as exc:
        print(f"Cannot listen on {webhook.host}:{webhook.port} (WEGWIJS_WEBHOOK_LISTEN): "
              f"{exc.strerror}", file=sys.stderr)
        return 2
    core = build_core(settings, Database(settings.database_url), content=content)
    application = build_application(core, settings.telegram_token, settings.api_root,
                                    webhook=True)
    with asyncio.Runner() as runner:
        failed = _ready(runner, core, application, settings.connect_retry)
        if failed is not None:
            sock.close()
            return failed
        runner.run(serve_webhook(application, core, webhook, sock))
    return 0


async def _migrate(settings: Settings) -> int:
    db = Database(settings.database_url)
    try:
        await db.migrate()
    except (SQLAlchemyError, OSError) as exc:
        return _database_error(exc)
    finally:
        await db.close()
    return 0


async def _chat(settings: Settings, content: Content, lang: str | None, user_id: int,
                name: str | None) -> int:
    """The console adapter on the configured database (a local SQLite file by default).

    Without a Telegram token it is the bot's sender too (startup work, the outbox); with
    one, a Telegram bot may share the database, and its messages are not the console's to
    take: the console then shows only its own replies. Its rows carry its own name.
    """
    logs.configure(None, logging.WARNING)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
    db = Database(settings.database_url)
    sender = settings.telegram_token is None
    try:
        try:
            await db.migrate()
        except (SQLAlchemyError, OSError) as exc:
            return _database_error(exc)
        core = build_core(replace(settings, instance=f"{settings.instance[:32]}-console"), db,
                          content=content)
        if sender:
            await core.startup()
        else:
            print("(Telegram token set: messages to others are left to the Telegram bot)")
        await ConsoleChat(core, user_id, sys.stdin, sys.stdout, name, sender=sender).run(lang)
    finally:
        await db.close()
    return 0
