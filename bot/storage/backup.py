"""Backups an operator can restore: the database copied whole, while the bot may run.

SQLite is copied with its own online backup (a consistent copy even while the bot writes);
PostgreSQL with `pg_dump --format=custom` and put back with `pg_restore --clean
--single-transaction`, so a failed restore changes nothing. Credentials reach the
PostgreSQL tools through libpq's environment variables, never the command line (which
other users of the machine can read).
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import URL, make_url


class BackupError(Exception):
    """A backup or restore that did not happen, with the reason to show the operator."""


def backup(database_url: str, target: Path) -> None:
    """Copy the whole database into the file `target`."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(_sqlite_file(url, must_exist=True), target)
    else:
        _run("pg_dump", url, "--format=custom", "--no-owner", f"--file={target}")


def restore(database_url: str, source: Path) -> None:
    """Replace the database's contents by the backup in `source` (stop the bot first)."""
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(source, _sqlite_file(url, must_exist=False))
    else:
        _run("pg_restore", url, "--clean", "--if-exists", "--no-owner",
             "--single-transaction", "--exit-on-error", f"--dbname={url.database}",
             str(source))


def _sqlite_file(url: URL, *, must_exist: bool) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    path = Path(url.database)
    if must_exist and not path.is_file():
        raise BackupError(f"no database file at {path}")
    return path


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: pages copied under its own locking, the target replaced."""
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)
    origin.close()
    copy.close()


def _run(tool: str, url: URL, *arguments: str) -> None:
    """A PostgreSQL client tool against `url`, its error output in the exception."""
    done = subprocess.run([_find(tool), *arguments], env=_libpq_environment(url),
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip()}")


def _find(tool: str) -> str:
    """The tool on PATH, else the newest Debian/Ubuntu server folder (kept off PATH)."""
    found = shutil.which(tool)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"),
                        key=lambda path: int(Path(path).parts[-3]))
    if not candidates:
        raise BackupError(f"{tool} not found: install the PostgreSQL client tools")
    return candidates[-1]


def _libpq_environment(url: URL) -> dict[str, str]:
    """The connection as PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE."""
    values = {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username,
              "PGPASSWORD": url.password, "PGDATABASE": url.database}
    return {**os.environ, **{key: str(value) for key, value in values.items() if value}}
