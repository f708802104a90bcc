"""Command-line entry points: run (Telegram), chat (console), migrate, backup, restore,
directory, volunteer."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from pathlib import Path

from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from starlette.routing import BaseRoute
from telegram.error import InvalidToken

from bot import logs
from bot.app import Content, build_core, load_content
from bot.catalogs import main as update_catalogs
from bot.config import ConfigError, Dashboard, Settings, Webhook, load_settings
from bot.console.chat import ConsoleChat
from bot.core.content import JourneyError
from bot.core.directory import commandline as directory_cli
from bot.core.directory.schema import THEMES
from bot.core.engine import Core
from bot.core.faq.ask import main as ask_main
from bot.core.faq.loader import FaqError
from bot.core.journeys.report import content_report
from bot.core.volunteer import commandline as volunteer_cli
from bot.core.volunteer.terms import LEVELS
from bot.storage.backup import BackupError, backup, restore
from bot.storage.db import Database
from bot.telegram.app import PTBApplication, build_application
from bot.telegram.reach import reach_telegram
from bot.telegram.webhook import listen, serve_webhook
from bot.web import server

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
    chat.add_argument("--demo", action="store_true",
                      help="first load the example directory entries and volunteer "
                           "opportunities (Utrecht, Amersfoort)")
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
    _directory_parser(sub.add_parser("directory", help="the help directory (docs/directory.md)"))
    _volunteer_parser(sub.add_parser("volunteer", help="volunteer opportunities and language "
                                                       "buddies (docs/volunteering.md)"))
    return parser.parse_args(argv)


def _directory_parser(parser: argparse.ArgumentParser) -> None:
    """directory import FILE [--replace] | export [--format csv|hsds] | search …"""
    actions = parser.add_subparsers(dest="action", required=True)
    load = actions.add_parser("import", help="add and update entries from a CSV file "
                                             "(a file with any bad row imports nothing)")
    load.add_argument("file", type=Path, help="UTF-8 CSV with the columns of docs/directory.md")
    load.add_argument("--replace", action="store_true",
                      help="also remove entries that are not in the file")
    dump = actions.add_parser("export", help="print the entries as CSV or as HSDS 3.0 JSON")
    dump.add_argument("--format", choices=("csv", "hsds"), default="csv",
                      help="csv: the database's entries; hsds: the whole directory")
    find = actions.add_parser("search", help="who a person there would be shown, best first")
    find.add_argument("--municipality", help="a municipality name (CBS list)")
    find.add_argument("--theme", choices=THEMES, help="one theme")
    find.add_argument("--lang", help="the person's language (ISO 639-1)")
    find.add_argument("--json", action="store_true", help="a JSON array of entries")


def _volunteer_parser(parser: argparse.ArgumentParser) -> None:
    """volunteer import FILE [--replace] | export [FILE] | match … | report [--month]"""
    actions = parser.add_subparsers(dest="action", required=True)
    load = actions.add_parser("import", help="add and update opportunities from a CSV file "
                                             "(a file with any bad row imports nothing)")
    load.add_argument("file", type=Path, help="UTF-8 CSV with the columns of "
                                              "docs/volunteering.md")
    load.add_argument("--replace", action="store_true",
                      help="also remove opportunities that are not in the file (those with "
                           "matches are closed instead)")
    dump = actions.add_parser("export", help="write every opportunity as CSV")
    dump.add_argument("file", type=Path, nargs="?", help="where to write (default: print it)")
    find = actions.add_parser("match", help="what a person would be offered, best first")
    find.add_argument("--interests", help="e.g. 'cooking;sports' (quote the ;)")
    find.add_argument("--days", help="e.g. 'sat;sun' (mon … sun)")
    find.add_argument("--languages", help="ISO 639-1 codes, e.g. 'ar;nl'")
    find.add_argument("--municipality", help="a municipality name (CBS list)")
    find.add_argument("--dutch", help=f"the person's Dutch level: {', '.join(LEVELS)}")
    find.add_argument("--json", action="store_true",
                      help="a JSON array of {id, score, parts}, best first")
    numbers = actions.add_parser("report", help="per municipality: open places, interested, "
                                                "matched, still active after 3 months")
    numbers.add_argument("--month", help="YYYY-MM (default: this month)")
    numbers.add_argument("--json", action="store_true", help="print JSON")


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
                             getattr(args, "user", 1), getattr(args, "name", None),
                             demo=getattr(args, "demo", False)))


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


def _on_database(work: Callable[[Database, Settings], Awaitable[int]]) -> int:
    """Run one operator command on the configured database (UTF-8 output, closed after)."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")

    async def go() -> int:
        db = Database(settings.database_url)
        try:
            return await work(db, settings)
        finally:
            await db.close()

    return asyncio.run(go())


def _directory(args: argparse.Namespace) -> int:
    """`directory import|export|search` on the configured database."""
    options = directory_cli.Options(
        args.action, getattr(args, "file", None), getattr(args, "replace", False),
        getattr(args, "format", "csv"), getattr(args, "municipality", None),
        getattr(args, "theme", None), getattr(args, "lang", None), getattr(args, "json", False))
    return _on_database(lambda db, _settings: directory_cli.run(
        db, options, sys.stdout, sys.stderr))


def _volunteer(args: argparse.Namespace) -> int:
    """`volunteer import|export|match|report` on the configured database."""
    options = volunteer_cli.Options(
        args.action, getattr(args, "file", None), getattr(args, "replace", False),
        getattr(args, "interests", None), getattr(args, "days", None),
        getattr(args, "languages", None), getattr(args, "municipality", None),
        getattr(args, "dutch", None), getattr(args, "json", False),
        getattr(args, "month", None))
    return _on_database(lambda db, settings: volunteer_cli.run(
        db, options, settings.timezone, sys.stdout, sys.stderr))


# Commands that need neither the journeys nor the text models (fast, and usable when the
# content files are broken).
OFFLINE: dict[str, Callable[[argparse.Namespace], int]] = {
    "catalogs": lambda _args: update_catalogs(),
    "content-report": lambda _args: _print_content_report(),
    "ask": lambda args: ask_main(args.question, args.lang, args.json),
    "backup": _backup_or_restore,
    "restore": _backup_or_restore,
    "directory": _directory,
    "volunteer": _volunteer,
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
    try:
        sock = server.listen(settings.dashboard) if settings.dashboard else None
    except OSError as exc:
        print(f"Cannot listen on WEGWIJS_DASHBOARD_LISTEN: {exc.strerror}", file=sys.stderr)
        return 2
    core = build_core(settings, Database(settings.database_url), content=content)
    application = build_application(core, settings.telegram_token, settings.api_root)
    if settings.dashboard is not None and sock is not None:
        server.attach(application, server.standalone(
            _dashboard_routes(core, settings.dashboard, application, content), sock))
    with asyncio.Runner() as runner:  # run_polling goes on in the loop that reached Telegram
        failed = _ready(runner, core, application, settings.connect_retry)
        if failed is not None:
            if sock is not None:
                sock.close()
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
    more = (_dashboard_routes(core, settings.dashboard, application, content)
            if settings.dashboard else [])
    with asyncio.Runner() as runner:
        failed = _ready(runner, core, application, settings.connect_retry)
        if failed is not None:
            sock.close()
            return failed
        runner.run(serve_webhook(application, core, webhook, sock, more))
    return 0


def _dashboard_routes(core: Core, config: Dashboard, application: PTBApplication,
                      content: Content) -> list[BaseRoute]:
    """The dashboard, waking the bot's sender when it queues messages."""
    return server.routes(core, config, application.bot_data["background"].wake,
                         content.journeys)


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
                name: str | None, *, demo: bool = False) -> int:
    """The console adapter on the configured database (a local SQLite file by default);
    `demo` adds the made-up local directory entries and volunteer opportunities first.

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
        if demo:
            await directory_cli.load_examples(db)
            await volunteer_cli.load_examples(db)
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
