"""Settings from the environment (and an optional .env file), checked once at startup."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.core.policies import FloodLimits, Policy, RetentionPolicy

DEFAULT_API_ROOT = "https://api.telegram.org"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///wegwijs.db"


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable in one line."""


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
    instance: str = field(default_factory=socket.gethostname)

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
        instance=(values.get("WEGWIJS_INSTANCE") or socket.gethostname()).strip()[:40],
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


def _timezone(raw: str) -> ZoneInfo:
    """Appointments are entered in local time, so the zone must exist."""
    try:
        return ZoneInfo(raw.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"WEGWIJS_TIMEZONE is not a known time zone: {raw!r}") from exc
