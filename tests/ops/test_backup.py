"""``station backup``'s service: a consistent SQLite copy while another connection writes,
and the exact pg_dump command for PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from station.ops.backup import BackupRefused, backup_database, pg_dump_command

AT = datetime(2026, 11, 30, 19, 5, 7, tzinfo=UTC)


def writing_database(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")  # as Station runs it
    conn.execute("CREATE TABLE parcel (id INTEGER PRIMARY KEY, note TEXT NOT NULL)")
    conn.executemany("INSERT INTO parcel (note) VALUES (?)", [("before",)] * 500)
    return conn


def test_a_backup_taken_while_another_connection_writes_opens_and_holds_the_data(
    tmp_path: Path,
) -> None:
    source = tmp_path / "station.db"
    writer = writing_database(source)
    stop, busy = threading.Event(), threading.Event()

    def keep_writing() -> None:
        written = 0
        while not stop.is_set():
            writer.execute("BEGIN IMMEDIATE")
            writer.executemany("INSERT INTO parcel (note) VALUES (?)", [("during",)] * 50)
            writer.execute("COMMIT")
            written += 50
            if written >= 500:
                busy.set()

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        assert busy.wait(timeout=10)  # the writer is well under way before the backup
        backup = backup_database(f"sqlite:///{source}", tmp_path / "backups", now=AT)
    finally:
        stop.set()
        thread.join(timeout=10)
        writer.close()

    assert backup.path == tmp_path / "backups" / "station-20261130T190507Z.db"
    assert backup.size == backup.path.stat().st_size > 0
    assert sorted(p.name for p in backup.path.parent.iterdir()) == [backup.path.name]
    copy = sqlite3.connect(backup.path)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        before = copy.execute("SELECT count(*) FROM parcel WHERE note = 'before'").fetchone()[0]
        during = copy.execute("SELECT count(*) FROM parcel WHERE note = 'during'").fetchone()[0]
    finally:
        copy.close()
    assert before == 500
    assert during >= 500 and during % 50 == 0  # whole transactions, none torn


def test_a_missing_sqlite_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BackupRefused, match="There is no SQLite database at"):
        backup_database(f"sqlite:///{tmp_path / 'none.db'}", tmp_path, now=AT)
    assert not (tmp_path / "none.db").exists()


def test_postgresql_is_refused_with_the_pg_dump_command_and_no_password(tmp_path: Path) -> None:
    url = "postgresql+psycopg://station:hunter2@db.internal:5433/station?sslmode=require"

    with pytest.raises(BackupRefused) as refused:
        backup_database(url, tmp_path / "backups", now=AT)

    message = str(refused.value)
    assert message == (
        "PostgreSQL is backed up with pg_dump, not by Station. Run:\n"
        f"  pg_dump --format=custom --file={tmp_path}/backups/station-20261130T190507Z.dump "
        "'postgresql://station@db.internal:5433/station?sslmode=require'\n"
        "(pg_dump reads the password from PGPASSWORD or ~/.pgpass)"
    )
    assert not (tmp_path / "backups").exists()


def test_the_pg_dump_command_for_a_local_database() -> None:
    url = make_url("postgresql+psycopg://postgres@127.0.0.1:5432/station")

    assert pg_dump_command(url, Path("/var/backups/station"), now=AT) == (
        "pg_dump --format=custom --file=/var/backups/station/station-20261130T190507Z.dump "
        "postgresql://postgres@127.0.0.1:5432/station"
    )


def test_a_backup_is_0600_in_a_0700_folder_whatever_the_umask(tmp_path: Path) -> None:
    source = tmp_path / "station.db"
    writing_database(source).close()
    old = os.umask(0o022)
    try:
        backup = backup_database(f"sqlite:///{source}", tmp_path / "backups", now=AT)
    finally:
        os.umask(old)

    assert stat.S_IMODE(backup.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(backup.path.parent.stat().st_mode) == 0o700
