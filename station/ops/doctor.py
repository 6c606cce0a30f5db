"""``station doctor``: one small check per thing an install depends on, each OK, WARN or FAIL.

Every check takes what it looks at as arguments and returns a :class:`Check` (the
printers give one per printer, see ``printer_checks``); :func:`run_checks` runs them all
in report order. A FAIL means Station cannot work as it stands; a WARN needs a person's
attention soon. Messages never carry a password or an API key.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, and_, or_, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session

from station.cin7.client import RetryPolicy
from station.cin7.errors import Cin7Error, Cin7RateLimited
from station.cin7.wiring import Cin7Wiring
from station.db import utcnow
from station.extensions import MIGRATIONS_DIR
from station.models import JobState, OutboxItem, OutboxState, PrintJob
from station.ops.checks import Check, Status, ago, first_line, plural
from station.ops.counts import counts_by_state
from station.ops.printer_checks import PRINTER_TIMEOUT, check_printers
from station.printing.queue import SENDING_LEASE
from station.secretbox import SecretUnreadable

Clock = Callable[[], datetime]

CIN7_TIMEOUT = 10.0  # seconds Cin7 has to answer the one call
CLOCK_SKEW_LIMIT = 5.0  # seconds between the database's clock and ours before a WARN
PRINT_STUCK_AFTER = timedelta(minutes=10)  # a job queued this long is not coming out
OUTBOX_PAGE = "Needs attention (/outbox)"
QUEUE_PAGE = "the print queue (/printers/queue)"


def run_checks(
    session: Session,
    *,
    engine: Engine,
    redis_url: str | None,
    instance_path: Path,
    cin7: Cin7Wiring,
    now: Clock = utcnow,
    printer_timeout: float = PRINTER_TIMEOUT,
    script: ScriptDirectory | None = None,
) -> list[Check]:
    """Every check, in report order; those that read tables wait for a migrated database."""
    database = check_database(engine, script or migration_scripts())
    needs_database: list[Check]
    if database.status is Status.FAIL:
        needs_database = [
            Check(name, Status.WARN, "not checked until the database check passes")
            for name in ("cin7", "printers", "outbox", "print queue", "clock")
        ]
    else:
        needs_database = [
            check_cin7(session, cin7),
            *check_printers(session, now=now(), timeout=printer_timeout),
            check_outbox(session),
            check_print_queue(session, now=now()),
            check_clock(engine, local_now=now),
        ]
    return [
        database,
        check_redis(redis_url),
        *needs_database,
        check_instance_folder(instance_path),
    ]


def migration_scripts() -> ScriptDirectory:
    """Station's Alembic migrations, as shipped with this code."""
    return ScriptDirectory(str(MIGRATIONS_DIR))


def check_database(engine: Engine, script: ScriptDirectory) -> Check:
    """The database answers and its schema is at the newest migration this code ships."""
    where = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(conn).get_current_heads())
    except SQLAlchemyError as exc:
        return Check("database", Status.FAIL, f"{where} is unreachable: {first_line(exc)}")
    heads = set(script.get_heads())
    if current == heads:
        return Check("database", Status.OK, f"{where} answers; schema at head {_revs(heads)}")
    if not current:
        return Check(
            "database", Status.FAIL, f"{where} has no schema yet: run `station db upgrade`"
        )
    unknown = current - {revision.revision for revision in script.walk_revisions()}
    if unknown:
        return Check(
            "database",
            Status.FAIL,
            f"{where} is at revision {_revs(unknown)}, which this code does not know: "
            "a newer Station migrated it; deploy that version here too",
        )
    return Check(
        "database",
        Status.FAIL,
        f"{where} is at revision {_revs(current)}, this code expects {_revs(heads)}: "
        "run `station db upgrade`",
    )


def check_redis(url: str | None, *, timeout: float = 2.0) -> Check:
    """Redis answers PING when STATION_REDIS_URL is set."""
    if not url:
        return Check("redis", Status.OK, "not configured: jobs on SQLite")
    where = redact(url)
    try:
        import redis
    except ImportError:
        return Check(
            "redis",
            Status.FAIL,
            "STATION_REDIS_URL is set but the redis package is missing: "
            "pip install 'station[redis]'",
        )
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    except redis.RedisError as exc:
        return Check("redis", Status.FAIL, f"{where} does not answer: {first_line(exc)}")
    finally:
        client.close()
    return Check("redis", Status.OK, f"{where} answers PING")


def check_cin7(session: Session, wiring: Cin7Wiring, *, timeout: float = CIN7_TIMEOUT) -> Check:
    """One cheap call (a page of one branch) with the configured connection, no retries."""
    try:
        conn = wiring.connection(session)
    except SecretUnreadable as exc:
        return Check("cin7", Status.FAIL, f"the stored API key cannot be read: {exc}")
    if not conn.configured:
        return Check(
            "cin7", Status.WARN, "not configured: enter the API username and key in Settings → Cin7"
        )
    who = f"{conn.base_url} as {conn.username}"
    try:
        with wiring.client(session, retry=RetryPolicy(attempts=1), timeout=timeout) as client:
            client.branches(rows=1)
    except Cin7RateLimited as exc:
        return Check("cin7", Status.WARN, f"{who} is reachable but refusing calls for now: {exc}")
    except Cin7Error as exc:
        return Check("cin7", Status.FAIL, f"{who}: {exc}")
    return Check("cin7", Status.OK, f"{who} answered")


def check_outbox(session: Session) -> Check:
    """Write-backs waiting for Cin7, and those that failed and need a person."""
    counts = counts_by_state(session, OutboxItem.state, OutboxState)
    waiting = counts[OutboxState.PENDING] + counts[OutboxState.SENDING]
    failed = counts[OutboxState.FAILED]
    if failed:
        return Check(
            "outbox",
            Status.WARN,
            f"{waiting} pending, {failed} failed: failed write-backs wait for a person "
            f"on {OUTBOX_PAGE}",
        )
    return Check("outbox", Status.OK, f"{waiting} pending, none failed")


def check_print_queue(session: Session, *, now: datetime) -> Check:
    """Jobs that should have printed by now: queued too long, or sending past the lease."""
    stuck = session.scalars(
        select(PrintJob)
        .where(
            or_(
                and_(
                    PrintJob.state == JobState.QUEUED, PrintJob.created_at < now - PRINT_STUCK_AFTER
                ),
                and_(
                    PrintJob.state == JobState.SENDING,
                    PrintJob.next_attempt_at < now - SENDING_LEASE,
                ),
            )
        )
        .order_by(PrintJob.created_at)
    ).all()
    if not stuck:
        return Check("print queue", Status.OK, "no stuck jobs")
    oldest = stuck[0]
    return Check(
        "print queue",
        Status.WARN,
        f"{len(stuck)} stuck job{plural(len(stuck))}, the oldest queued {ago(now - oldest.created_at)} "
        f"ago for {oldest.printer.name}: see {QUEUE_PAGE}",
    )


def check_clock(engine: Engine, *, local_now: Clock = utcnow) -> Check:
    """The database server's clock agrees with this machine's within CLOCK_SKEW_LIMIT."""
    before = local_now()
    with engine.connect() as conn:
        theirs = database_now(conn)
    after = local_now()
    skew = (theirs - (before + (after - before) / 2)).total_seconds()
    if abs(skew) > CLOCK_SKEW_LIMIT:
        side = "ahead of" if skew > 0 else "behind"
        return Check(
            "clock",
            Status.WARN,
            f"the database clock is {abs(skew):.1f} s {side} this machine's: "
            "keep both in time with NTP (chrony or systemd-timesyncd)",
        )
    return Check("clock", Status.OK, f"the database clock is within {abs(skew):.1f} s of ours")


def database_now(conn: Connection) -> datetime:
    """The database server's own current time, in UTC."""
    if conn.dialect.name == "sqlite":
        raw = conn.execute(text("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")).scalar_one()
        return datetime.fromisoformat(raw).replace(tzinfo=UTC)
    value: datetime = conn.execute(text("SELECT clock_timestamp()")).scalar_one()
    return value.astimezone(UTC)


def check_instance_folder(path: Path) -> Check:
    """The instance folder (SQLite database, keys, job queue, labels) takes new files."""
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Check("instance folder", Status.FAIL, f"{path} is not writable: {first_line(exc)}")
    free = shutil.disk_usage(path).free / 2**30
    return Check("instance folder", Status.OK, f"{path} is writable ({free:.1f} GiB free)")


def redact(url: str) -> str:
    """A URL fit to print: any password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@")[-1]  # not a URL SQLAlchemy reads: keep only the host part


def _revs(revisions: set[str]) -> str:
    return ", ".join(sorted(revisions))
