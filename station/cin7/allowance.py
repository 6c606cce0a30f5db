"""How often one person may make Station call Cin7: an allowance per person and kind of action.

Every app on a Cin7 account shares 60 calls a minute and 5,000 a day, so one person's
clicks must not spend them for everyone. Each action that calls Cin7 on a person's behalf
takes one use of that person's allowance for its kind (:class:`Cin7Action`); past the
allowance's uses in its sliding window the action is refused (:class:`AllowanceSpent`)
with a sentence saying when it may go again. Limits are the same for every role: the
budget they protect is the account's, and a manager's clicks spend it as a packer's do.

Uses are kept where every web process sees them, as the shared call limiter keeps its
calls: in Redis (a sorted set per person and kind, checked and written by one Lua script,
stamped with Redis's clock) or in the database (rows of ``cin7_allowance_use``, taken
under an advisory lock on PostgreSQL and a file lock beside a SQLite file).
"""

from __future__ import annotations

import fcntl
import logging
import math
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, delete, insert, select, text

from station.errors import StationError
from station.models import Cin7AllowanceUse

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class Cin7Action(StrEnum):
    """The kinds of action that call Cin7 on a person's behalf, each with its own allowance."""

    LOOKUP = "lookup"  # one order: "why is it missing?", Refresh from Cin7
    SYNC = "sync"  # a read pass: Sync now, Check shipments now, inventory sync now
    CONNECTION = "connection"  # Settings: Test connection, List Cin7 branches
    SEND = "send"  # work sent to Cin7: inbox submissions, rule re-runs, imports, retries

    @property
    def config_key(self) -> str:
        """The setting that holds this kind's allowance (``STATION_CIN7_<KIND>_ALLOWANCE``)."""
        return f"CIN7_{self.name}_ALLOWANCE"


# What a person has done, for the refusal: "You have <this> in the last 10 minutes; ...".
_DONE = {
    Cin7Action.LOOKUP: "looked up {n} order{s} in Cin7",
    Cin7Action.SYNC: "started {n} Cin7 sync{s} or check{s}",
    Cin7Action.CONNECTION: "asked Cin7 about its connection {n} time{s}",
    Cin7Action.SEND: "sent work to Cin7 {n} time{s}",
}


@dataclass(frozen=True, slots=True)
class Allowance:
    """At most ``uses`` actions of one kind in any ``minutes`` minutes."""

    uses: int
    minutes: int

    @property
    def seconds(self) -> float:
        """The window in seconds."""
        return self.minutes * 60.0

    @classmethod
    def parse(cls, key: str, value: Any) -> Allowance:
        """``"20/10"`` (20 uses in 10 minutes); raises ValueError naming ``key`` otherwise."""
        if isinstance(value, Allowance):
            return value
        uses, _, minutes = str(value).partition("/")
        try:
            allowance = cls(int(uses), int(minutes))
        except ValueError:
            raise ValueError(
                f"{key} must be uses/minutes such as 20/10 (20 in 10 minutes), not {value!r}"
            ) from None
        if allowance.uses < 1 or not 1 <= allowance.minutes <= 1440:
            raise ValueError(f"{key} must allow at least 1 use in 1 to 1440 minutes, not {value!r}")
        return allowance


DEFAULT_ALLOWANCES = {
    # A packer asks about a missing order a few times an hour; 20 in 10 minutes is a rush.
    Cin7Action.LOOKUP: Allowance(20, 10),
    # Each can read every page of a list; the schedule runs them anyway.
    Cin7Action.SYNC: Allowance(6, 60),
    Cin7Action.CONNECTION: Allowance(20, 10),
    Cin7Action.SEND: Allowance(30, 10),
}


class AllowanceSpent(StationError):
    """A person has used up an allowance; ``retry_after`` is the seconds until the next use."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AllowanceStore(Protocol):
    """Where the uses are kept."""

    def take(self, key: str, *, uses: int, window: float) -> float:
        """Take one use of ``key`` and return 0, or the seconds until one is free (none taken)."""
        ...


class Cin7Allowances:
    """Every person's allowances, by kind of action."""

    def __init__(self, store: AllowanceStore, limits: Mapping[Cin7Action, Allowance]) -> None:
        self._store = store
        self.limits = {**DEFAULT_ALLOWANCES, **limits}

    def spend(self, person: int | str, action: Cin7Action) -> None:
        """Take one use of ``person``'s allowance for ``action``; raises AllowanceSpent past it."""
        allowance = self.limits[action]
        wait = self._store.take(
            f"{action.value}:{person}", uses=allowance.uses, window=allowance.seconds
        )
        if wait <= 0:
            return
        log.info("refused a Cin7 %s for user %s: allowance %s spent", action, person, allowance)
        many = allowance.uses != 1
        done = _DONE[action].format(n=allowance.uses, s="s" if many else "")
        raise AllowanceSpent(
            f"You have {done} in the last {_span(allowance.minutes)}; try again in {_wait(wait)}.",
            retry_after=wait,
        )


def _span(minutes: int) -> str:
    if minutes == 60:
        return "hour"
    if minutes % 60 == 0:
        return f"{minutes // 60} hours"
    return "minute" if minutes == 1 else f"{minutes} minutes"


def _wait(seconds: float) -> str:
    if seconds < 60:
        whole = max(1, math.ceil(seconds))
        return f"{whole} second{'s' if whole != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def allowances_from_config(config: Mapping[str, Any]) -> dict[Cin7Action, Allowance]:
    """Each kind's allowance from ``CIN7_<KIND>_ALLOWANCE``; raises ValueError for a bad one."""
    return {
        action: Allowance.parse(action.config_key, config[action.config_key])
        for action in Cin7Action
        if config.get(action.config_key) is not None
    }


class SqlAllowanceStore:
    """Uses as rows of ``cin7_allowance_use``, shared by every process on the database."""

    _PG_LOCK_ID = 7_310_002  # one advisory lock for the allowances (the limiter has its own)

    def __init__(self, engine: Engine, *, clock: Clock | None = None) -> None:
        self._engine = engine
        self._clock = clock
        self._lock_path = _sqlite_lock_path(engine)
        self._thread_lock = threading.Lock()

    def take(self, key: str, *, uses: int, window: float) -> float:
        """Take one use of ``key`` and return 0, or the seconds until one is free (none taken)."""
        with self._thread_lock, self._locked() as conn:
            now = self._now(conn)
            conn.execute(
                delete(Cin7AllowanceUse).where(
                    Cin7AllowanceUse.key == key, Cin7AllowanceUse.at <= now - window
                )
            )
            used = conn.scalars(
                select(Cin7AllowanceUse.at)
                .where(Cin7AllowanceUse.key == key)
                .order_by(Cin7AllowanceUse.at)
            ).all()
            if len(used) >= uses:
                return max(used[len(used) - uses] + window - now, 0.001)
            conn.execute(insert(Cin7AllowanceUse).values(key=key, at=now))
            return 0.0

    def _now(self, conn: Connection) -> float:
        """The given clock, else PostgreSQL's (shared by every host), else this host's."""
        if self._clock is not None:
            return self._clock()
        if self._engine.dialect.name == "postgresql":
            return float(conn.scalar(text("SELECT extract(epoch FROM clock_timestamp())")))
        return time.time()

    @contextmanager
    def _locked(self) -> Iterator[Connection]:
        if self._lock_path is not None:
            with open(self._lock_path, "a") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    with self._engine.begin() as conn:
                        yield conn
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
            return
        with self._engine.begin() as conn:
            if self._engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": self._PG_LOCK_ID})
            yield conn


def _sqlite_lock_path(engine: Engine) -> Path | None:
    """A lock file beside a SQLite database file (None for other databases)."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:":  # a database of this process only
        return Path(tempfile.gettempdir()) / f"station-allowance-{uuid.uuid4().hex}.lock"
    return Path(f"{database}.cin7-allowance.lock")


# KEYS[1]: one person's uses of one kind. ARGV: now ('' = Redis's clock), window seconds,
# uses allowed, a unique member. Returns the seconds to wait ("0": a use was taken).
_REDIS_SCRIPT = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local window = tonumber(ARGV[2])
local uses = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count >= uses then
  local oldest = redis.call('ZRANGE', key, count - uses, count - uses, 'WITHSCORES')
  return tostring(math.max(tonumber(oldest[2]) + window - now, 0.001))
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('EXPIRE', key, math.ceil(window) + 60)
return '0'
"""


class RedisAllowanceStore:
    """Uses in Redis sorted sets ``<prefix>:cin7:allowance:<action>:<user id>``."""

    def __init__(
        self, redis_client: Any, *, prefix: str = "station", clock: Clock | None = None
    ) -> None:
        self._prefix = f"{prefix}:cin7:allowance:"
        self._clock = clock
        self._script = redis_client.register_script(_REDIS_SCRIPT)

    def take(self, key: str, *, uses: int, window: float) -> float:
        """Take one use of ``key`` and return 0, or the seconds until one is free (none taken)."""
        now = "" if self._clock is None else repr(self._clock())
        args = [now, repr(window), uses, uuid.uuid4().hex]
        return float(self._script(keys=[self._prefix + key], args=args))


def build_allowance_store(
    *, redis_url: str | None, engine: Engine, key_prefix: str = "station"
) -> AllowanceStore:
    """Redis when ``redis_url`` is set, else the database: where the call limiter keeps its log."""
    if redis_url:
        import redis

        return RedisAllowanceStore(redis.Redis.from_url(redis_url), prefix=key_prefix)
    return SqlAllowanceStore(engine)
