"""Configuration: defaults, and one clear line naming the variable when a value is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import DEFAULT_DATABASE_URL, ConfigError, load_settings


def load(tmp_path: Path, **env: str) -> object:
    return load_settings(env, env_file=tmp_path / "none.env")


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings({}, env_file=tmp_path / "none.env")
    assert settings.telegram_token is None
    assert settings.api_root == "https://api.telegram.org"
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.admin_ids == frozenset()
    assert str(settings.timezone) == "Europe/Amsterdam"
    assert settings.connect_retry == 1.0


def test_values_are_parsed(tmp_path: Path) -> None:
    settings = load_settings(
        {"TELEGRAM_BOT_TOKEN": "123456:TEST", "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/",
         "WEGWIJS_ADMIN_IDS": " 12, 34 ", "WEGWIJS_TIMEZONE": "Europe/Brussels",
         "WEGWIJS_CONNECT_RETRY": "0.05"},
        env_file=tmp_path / "none.env",
    )
    assert settings.telegram_token == "123456:TEST"
    assert settings.api_root == "http://127.0.0.1:8081"
    assert settings.admin_ids == frozenset({12, 34})
    assert str(settings.timezone) == "Europe/Brussels"
    assert settings.connect_retry == 0.05


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("TELEGRAM_API_BASE_URL", "ftp://example"),
        ("DATABASE_URL", "sqlite:///sync-driver.db"),
        ("WEGWIJS_ADMIN_IDS", "12,abc"),
        ("WEGWIJS_TIMEZONE", "Mars/Olympus"),
        ("WEGWIJS_CONNECT_RETRY", "soon"),
        ("WEGWIJS_CONNECT_RETRY", "0"),
        ("WEGWIJS_CONNECT_RETRY", "600"),
    ],
)
def test_malformed_value_names_the_variable(tmp_path: Path, variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({variable: value}, env_file=tmp_path / "none.env")
    message = str(error.value)
    assert variable in message
    assert "\n" not in message


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("WEGWIJS_ADMIN_IDS=7\nWEGWIJS_TIMEZONE=Europe/Brussels\n")
    settings = load_settings({"WEGWIJS_TIMEZONE": "Europe/Amsterdam"}, env_file=env_file)
    assert settings.admin_ids == frozenset({7})
    assert str(settings.timezone) == "Europe/Amsterdam"


HOOK = "https://bot.example.org/telegram"


def test_webhook_mode_is_off_without_a_url_and_read_with_one(tmp_path: Path) -> None:
    assert load_settings({}, env_file=tmp_path / "none.env").webhook is None
    settings = load_settings(
        {"WEGWIJS_WEBHOOK_URL": HOOK, "WEGWIJS_WEBHOOK_SECRET": "a-B_9",
         "WEGWIJS_WEBHOOK_LISTEN": "0.0.0.0:8080", "WEGWIJS_INBOX_LEASE_SECONDS": "5"},
        env_file=tmp_path / "none.env")
    hook = settings.webhook
    assert hook is not None
    assert (hook.url, hook.path, hook.host, hook.port, hook.secret) == (
        HOOK, "/telegram", "0.0.0.0", 8080, "a-B_9")
    assert (hook.lease.total_seconds(), hook.max_connections) == (5, 40)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"WEGWIJS_WEBHOOK_URL": HOOK}, "WEGWIJS_WEBHOOK_SECRET"),  # required with a URL
        ({"WEGWIJS_WEBHOOK_URL": HOOK, "WEGWIJS_WEBHOOK_SECRET": "has space"},
         "WEGWIJS_WEBHOOK_SECRET"),
        ({"WEGWIJS_WEBHOOK_SECRET": "x" * 257}, "WEGWIJS_WEBHOOK_SECRET"),
        ({"WEGWIJS_WEBHOOK_URL": "bot.example.org", "WEGWIJS_WEBHOOK_SECRET": "s"},
         "WEGWIJS_WEBHOOK_URL"),
        ({"WEGWIJS_WEBHOOK_URL": HOOK, "WEGWIJS_WEBHOOK_SECRET": "s",
          "WEGWIJS_WEBHOOK_LISTEN": "8443"}, "WEGWIJS_WEBHOOK_LISTEN"),
        ({"WEGWIJS_WEBHOOK_URL": HOOK, "WEGWIJS_WEBHOOK_SECRET": "s",
          "WEGWIJS_WEBHOOK_MAX_CONNECTIONS": "101"}, "WEGWIJS_WEBHOOK_MAX_CONNECTIONS"),
    ],
)
def test_webhook_settings_refuse_to_start_naming_the_variable(
    tmp_path: Path, env: dict[str, str], variable: str,
) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(env, env_file=tmp_path / "none.env")
    assert variable in str(error.value)
    assert "\n" not in str(error.value)


def test_run_webhook_without_a_url_stops_with_a_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("WEGWIJS_WEBHOOK_URL", "WEGWIJS_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:TEST")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/x.db")
    assert main(["run", "--webhook"]) == 2
    assert "WEGWIJS_WEBHOOK_URL is not set" in capsys.readouterr().err
