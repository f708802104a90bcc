"""Settings from the environment (and an optional .env file), checked once at startup."""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.core.policies import FloodLimits, Policy, RetentionPolicy

DEFAULT_API_ROOT = "https://api.telegram.org"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///wegwijs.db"
DEFAULT_WEBHOOK_LISTEN = "127.0.0.1:8443"
SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as secret_token


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable in one line."""


@dataclass(frozen=True)
class Webhook:
    """Webhook mode: where Telegram posts, where we listen, and the shared secret."""

    url: str
    host: str
    port: int
    secret: str
    lease: timedelta = timedelta(seconds=60)  # a claimed update another instance may take over
    max_connections: int = 40  # Telegram's default: updates it posts to us at once

    @property
    def path(self) -> str:
        """The route Telegram's requests arrive on: the public URL's path."""
        return urlsplit(self.url).path or "/"


@dataclass(frozen=True)
class Dashboard:
    """The coordinators' web dashboard: its public base URL, and where it listens (None:
    on the webhook's server, in webhook mode)."""

    url: str  # without a trailing slash; login links are {url}/login/<token>
    host: str | None = None
    port: int | None = None

    @property
    def path(self) -> str:
        """Where the dashboard is mounted: the public URL's path ('' for the root)."""
        return urlsplit(self.url).path.rstrip("/")

    @property
    def secure(self) -> bool:
        """Behind HTTPS, cookies are marked Secure."""
        return self.url.startswith("https://")


@dataclass(frozen=True)
class Settings:
    """Everything the process needs to know about its environment."""

    telegram_token: str | None
    api_root: str
    database_url: str
    admin_ids: frozenset[int]
    timezone: ZoneInfo
    flood: FloodLimits = field(default_factory=FloodLimits)
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)
    webhook: Webhook | None = None  # set when WEGWIJS_WEBHOOK_URL is
    dashboard: Dashboard | None = None  # set when WEGWIJS_DASHBOARD_URL or _LISTEN is
    instance: str = field(default_factory=socket.gethostname)
    connect_retry: float = 1.0  # seconds before the first new try when Telegram is unreachable

    def policy(self) -> Policy:
        """The part of the settings the core may see (the core never imports this module)."""
        return Policy(self.timezone, self.admin_ids, self.flood, self.retention,
                      instance=self.instance)


def load_settings(env: Mapping[str, str] | None = None, env_file: Path | None = None) -> Settings:
    """Read settings so that a typo stops startup with a clear line instead of a late crash."""
    values = _merged_environment(env, env_file)
    return Settings(
        telegram_token=_token(values.get("TELEGRAM_BOT_TOKEN")),
        api_root=_api_root(values.get("TELEGRAM_API_BASE_URL") or DEFAULT_API_ROOT),
        database_url=_database_url(values.get("DATABASE_URL") or DEFAULT_DATABASE_URL),
        admin_ids=_admin_ids(values.get("WEGWIJS_ADMIN_IDS", "")),
        timezone=_timezone(values.get("WEGWIJS_TIMEZONE") or "Europe/Amsterdam"),
        flood=FloodLimits(burst=_positive("WEGWIJS_FLOOD_BURST", values, FloodLimits.burst)),
        retention=_retention(values),
        webhook=_webhook(values),
        dashboard=_dashboard(values),
        instance=(values.get("WEGWIJS_INSTANCE") or socket.gethostname()).strip()[:40],
        connect_retry=_seconds("WEGWIJS_CONNECT_RETRY", values, 1.0),
    )


def _merged_environment(env: Mapping[str, str] | None, env_file: Path | None) -> dict[str, str]:
    """Real environment variables win over the .env file, as with most twelve-factor tools."""
    path = env_file if env_file is not None else Path(".env")
    from_file = {k: v for k, v in dotenv_values(path).items() if v is not None}
    return {**from_file, **(dict(os.environ) if env is None else dict(env))}


def _token(raw: str | None) -> str | None:
    """Telegram tokens look like 123456:ABC…; catch copy-paste accidents early."""
    if not raw:
        return None
    bot_id, _, secret = raw.strip().partition(":")
    if not bot_id.isdigit() or not secret:
        raise ConfigError("TELEGRAM_BOT_TOKEN is malformed: expected '<digits>:<secret>'")
    return raw.strip()


def _api_root(raw: str) -> str:
    """The bot calls {root}/bot{token}/{method}, so only a plain http(s) root makes sense."""
    root = raw.strip().rstrip("/")
    if not root.startswith(("http://", "https://")):
        raise ConfigError("TELEGRAM_API_BASE_URL must start with http:// or https://")
    return root.removesuffix("/bot")


def _database_url(raw: str) -> str:
    """Only async drivers work with our async engine."""
    url = raw.strip()
    if url.startswith("sqlite+aiosqlite://") or url.startswith("postgresql+asyncpg://"):
        return url
    raise ConfigError(
        "DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
    )


def _admin_ids(raw: str) -> frozenset[int]:
    """Admin ids are Telegram user ids, comma separated."""
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if not all(p.isdigit() for p in parts):
        raise ConfigError("WEGWIJS_ADMIN_IDS must be comma-separated Telegram user ids (digits)")
    return frozenset(int(p) for p in parts)


def _retention(values: Mapping[str, str]) -> RetentionPolicy:
    """Retention periods in days; the defaults are the ones the privacy notice promises."""
    base = RetentionPolicy()

    def days(name: str, default: timedelta) -> timedelta:
        return timedelta(days=_positive(name, values, default.days))

    return RetentionPolicy(
        inactive=days("WEGWIJS_RETENTION_INACTIVE_DAYS", base.inactive),
        warning=days("WEGWIJS_RETENTION_WARNING_DAYS", base.warning),
        answered_questions=days("WEGWIJS_RETENTION_QUESTION_DAYS", base.answered_questions),
        delivered_broadcasts=days("WEGWIJS_RETENTION_BROADCAST_DAYS", base.delivered_broadcasts),
    )


def _positive(name: str, values: Mapping[str, str], default: int) -> int:
    """A whole number above zero, or the default when the variable is not set."""
    raw = values.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) == 0:
        raise ConfigError(f"{name} must be a whole number above 0")
    return int(raw)


def _seconds(name: str, values: Mapping[str, str], default: float) -> float:
    """A number of seconds above 0 and at most a minute (decimals allowed), or the default."""
    raw = values.get(name, "").strip()
    if not raw:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 60:
        raise ConfigError(f"{name} must be a number of seconds above 0 and at most 60")
    return seconds


def _timezone(raw: str) -> ZoneInfo:
    """Appointments are entered in local time, so the zone must exist."""
    try:
        return ZoneInfo(raw.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"WEGWIJS_TIMEZONE is not a known time zone: {raw!r}") from exc


def _webhook(values: Mapping[str, str]) -> Webhook | None:
    """Webhook mode needs the public URL and a secret that only Telegram and we know."""
    url = values.get("WEGWIJS_WEBHOOK_URL", "").strip()
    secret = values.get("WEGWIJS_WEBHOOK_SECRET", "").strip()
    if secret and not SECRET_SHAPE.fullmatch(secret):
        raise ConfigError("WEGWIJS_WEBHOOK_SECRET must be 1 to 256 of A-Z, a-z, 0-9, _ and -")
    if not url:
        return None
    if not url.startswith(("http://", "https://")) or not urlsplit(url).hostname:
        raise ConfigError("WEGWIJS_WEBHOOK_URL must be a full http(s) URL")
    if not secret:
        raise ConfigError("WEGWIJS_WEBHOOK_SECRET is not set (required in webhook mode)")
    host, port = _listen("WEGWIJS_WEBHOOK_LISTEN", values.get(
        "WEGWIJS_WEBHOOK_LISTEN", "").strip() or DEFAULT_WEBHOOK_LISTEN)
    connections = _positive("WEGWIJS_WEBHOOK_MAX_CONNECTIONS", values, 40)
    if connections > 100:
        raise ConfigError("WEGWIJS_WEBHOOK_MAX_CONNECTIONS must be at most 100 (Telegram's limit)")
    lease = timedelta(seconds=_positive("WEGWIJS_INBOX_LEASE_SECONDS", values, 60))
    return Webhook(url, host, port, secret, lease, connections)


def _dashboard(values: Mapping[str, str]) -> Dashboard | None:
    """Off unless configured; its own port, or (webhook mode) the webhook's server."""
    url = values.get("WEGWIJS_DASHBOARD_URL", "").strip().rstrip("/")
    listen = values.get("WEGWIJS_DASHBOARD_LISTEN", "").strip()
    if not url and not listen:
        return None
    if url and (not url.startswith(("http://", "https://")) or not urlsplit(url).hostname
                or urlsplit(url).query):
        raise ConfigError("WEGWIJS_DASHBOARD_URL must be a full http(s) URL without a query")
    if not listen:
        if not values.get("WEGWIJS_WEBHOOK_URL", "").strip():
            raise ConfigError("WEGWIJS_DASHBOARD_LISTEN is not set (needed unless the bot runs "
                              "in webhook mode, where the dashboard shares its server)")
        return Dashboard(url)
    host, port = _listen("WEGWIJS_DASHBOARD_LISTEN", listen)
    return Dashboard(url or f"http://{host}:{port}", host, port)


def _listen(name: str, raw: str) -> tuple[str, int]:
    """host:port to listen on (a proxy or load balancer in front speaks TLS)."""
    host, _, port = raw.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{name} must be host:port, e.g. 127.0.0.1:8080")
    return host.strip("[]"), int(port)
