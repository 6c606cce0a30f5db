"""``station backup``: a consistent copy of a SQLite database, taken while Station runs.

SQLite's online backup API copies the database page by page under a read transaction,
so the copy is one consistent moment even while workers write. PostgreSQL is backed up
with its own tool, ``pg_dump``; :func:`pg_dump_command` says exactly how.
"""

from __future__ import annotations

import shlex
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from station.errors import StationError
from station.private_files import private_file, private_folder

STAMP = "%Y%m%dT%H%M%SZ"


class BackupRefused(StationError):
    """Station does not back this database up itself; the message says what to run."""


@dataclass(frozen=True, slots=True)
class Backup:
    """A finished backup file."""

    path: Path
    size: int


def backup_database(url: str, out_dir: Path, *, now: datetime) -> Backup:
    """Back up the database at ``url`` into ``out_dir`` (SQLite only; BackupRefused otherwise)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        password = (
            "\n(pg_dump reads the password from PGPASSWORD or ~/.pgpass)" if parsed.password else ""
        )
        raise BackupRefused(
            "PostgreSQL is backed up with pg_dump, not by Station. Run:\n  "
            + pg_dump_command(parsed, out_dir, now=now)
            + password
        )
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise BackupRefused(f"Station backs up SQLite files only, not {parsed.get_backend_name()}.")
    return backup_sqlite(Path(parsed.database), out_dir, now=now)


def backup_sqlite(database: Path, out_dir: Path, *, now: datetime) -> Backup:
    """Copy ``database`` to ``out_dir/station-<UTC time>.db`` with SQLite's backup API.

    The copy is written under a temporary name and renamed when complete and checked,
    so a backup file that exists is always whole.
    """
    if not database.is_file():
        raise BackupRefused(f"There is no SQLite database at {database}.")
    if not out_dir.exists():
        private_folder(out_dir)  # a folder Station makes is its own; one given is left as is
    target = out_dir / f"station-{now.strftime(STAMP)}.db"
    partial = private_file(target.with_suffix(".db.partial"))
    source = sqlite3.connect(database, timeout=30)  # waits out a writer's lock, never writes
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # all pages in one step: one consistent moment
            verdict = copy.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            copy.close()
    finally:
        source.close()
    if verdict != "ok":
        partial.unlink()
        raise BackupRefused(f"The copy of {database} failed SQLite's quick check: {verdict}")
    partial.rename(target)
    return Backup(target, target.stat().st_size)


def pg_dump_command(url: URL, out_dir: Path, *, now: datetime) -> str:
    """The ``pg_dump`` command that backs up the database at ``url`` (no password in it:
    pg_dump reads it from ``PGPASSWORD`` or ``~/.pgpass``)."""
    libpq = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    ).render_as_string()
    target = out_dir / f"station-{now.strftime(STAMP)}.dump"
    return f"pg_dump --format=custom --file={shlex.quote(str(target))} {shlex.quote(libpq)}"
