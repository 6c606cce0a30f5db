"""One order sync at a time per database, whichever process or thread starts it.

The lock lives where every process of the install sees it and dies with its holder, so
a killed worker never leaves it taken: a PostgreSQL session advisory lock on a
connection kept for the run, or an exclusive ``flock`` on a file beside a SQLite
database (the two ways ``ratelimit.SqlRateLimiter`` locks too). Nothing waits: a second
sync finds the lock taken and says so.

PostgreSQL session locks need a real session: behind a pooler in transaction mode
(PgBouncer) point Station at the database directly.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

PG_LOCK_ID = 7_310_002  # any constant not used elsewhere (the rate limiter has 7_310_001)


@contextmanager
def sync_lock(engine: Engine) -> Iterator[bool]:
    """Try to take the install's order-sync lock for the block; yields True when taken."""
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine) as held:
            yield held
        return
    with _file_lock(lock_path(engine)) as held:
        yield held


def lock_path(engine: Engine) -> Path:
    """The lock file: beside a SQLite file, else in the temp folder (one host only)."""
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        return Path(f"{database}.sync.lock")
    # An in-memory database belongs to this engine alone; anything else is named by its URL.
    name = f"{id(engine)}" if not database or database == ":memory:" else str(engine.url)
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"station-sync-{digest}.lock"


@contextmanager
def _file_lock(path: Path) -> Iterator[bool]:
    # flock locks belong to the open file, so two threads of one process exclude each other.
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _advisory_lock(engine: Engine) -> Iterator[bool]:
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")  # hold a lock, not a transaction
        held = bool(conn.scalar(text("SELECT pg_try_advisory_lock(:id)"), {"id": PG_LOCK_ID}))
        try:
            yield held
        finally:
            if held:
                _advisory_unlock(conn)


def _advisory_unlock(conn: Connection) -> None:
    try:
        conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": PG_LOCK_ID})
    except SQLAlchemyError as exc:
        # A pooled connection must not keep the lock: closing it for good releases it.
        log.warning("could not release the order-sync lock, closing its connection: %s", exc)
        conn.invalidate()
