"""The deployment files (deploy/, docs/deploy.md) name only settings the bot reads and
commands `main.py` accepts, so the guide cannot drift from the code unnoticed."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest
import yaml

from bot.cli import parse_args

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service")) + sorted(
    (DEPLOY / "systemd").glob("*.timer"))
SETTING = re.compile(r"\b((?:TELEGRAM|DATABASE|WEGWIJS)_[A-Z0-9_]+)\b")
# Variables of the files themselves, not of the bot: compose's and Caddy's.
NOT_THE_BOTS = {"WEGWIJS_DOMAIN"}


def read_by_the_bot() -> set[str]:
    """Every setting name that appears as a string in the bot's code."""
    names: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        names |= set(re.findall(r"[\"']((?:TELEGRAM|DATABASE|WEGWIJS)_[A-Z0-9_]+)[\"']",
                                path.read_text(encoding="utf-8")))
    return names


def deploy_texts() -> dict[str, str]:
    """Every deployment file and the guide, by name."""
    files = [*UNITS, DEPLOY / "compose.yaml", DEPLOY / "compose.env.example",
             DEPLOY / "Dockerfile", ROOT / "docs" / "deploy.md"]
    return {path.name: path.read_text(encoding="utf-8") for path in files}


def test_every_setting_the_files_set_is_read_by_the_bot() -> None:
    known = read_by_the_bot() | NOT_THE_BOTS
    for name, text in deploy_texts().items():
        unknown = set(SETTING.findall(text)) - known
        assert not unknown, f"{name} sets what the bot never reads: {sorted(unknown)}"


def main_py_commands() -> list[tuple[str, list[str]]]:
    """Each `main.py …` command line in the files, as arguments."""
    found = []
    for name, text in deploy_texts().items():
        for line in text.replace('", "', " ").splitlines():
            match = re.search(r"main\.py((?: [a-z-]+)*)", line)
            if match:
                found.append((name, shlex.split(match.group(1))))
    return found


@pytest.mark.parametrize(("name", "arguments"), main_py_commands())
def test_every_command_in_the_files_is_one_main_py_accepts(name: str, arguments: list[str]) -> None:
    if arguments[:1] in (["backup"], ["restore"]):
        arguments = [*arguments, "x.backup"]  # the file name follows in quotes
    parse_args(arguments)  # argparse exits on anything it does not know


@pytest.mark.parametrize("unit", UNITS, ids=lambda path: path.name)
def test_systemd_units_have_their_sections(unit: Path) -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(unit)
    assert parser.has_section("Unit")
    if unit.suffix == ".service":
        assert parser.get("Service", "ExecStart").startswith("/")
    else:
        assert parser.has_option("Timer", "OnCalendar")


def test_compose_runs_two_instances_on_postgresql_behind_the_proxy() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"postgres", "bot1", "bot2", "proxy"}
    for bot in ("bot1", "bot2"):
        environment = services[bot]["environment"]
        assert environment["DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert "/healthz" in " ".join(services[bot]["healthcheck"]["test"])
    caddy = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    assert "bot1:8443 bot2:8443" in caddy and "health_uri /healthz" in caddy
