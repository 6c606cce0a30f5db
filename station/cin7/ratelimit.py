"""Pacing Cin7 calls so that every process of one install together stays within the limits.

Cin7 allows 3 calls a second, 60 a minute and 5,000 a day per account. Several gunicorn
workers and job workers share those, so the call log lives where all of them see it:
Redis (a sorted set checked and written by one Lua script) or the database (a row per call,
written under a lock: an advisory lock on PostgreSQL, a file lock beside a SQLite file).
Windows slide, so no fixed calendar second or minute can hold more than the limit either.

A call counts where Cin7 counts it: somewhere between taking its slot and its reply, and a
request can wait on the way (behind a slow reply on the same connection, on a busy host).
So a slot is stamped "in flight" when taken and counts as made *now* at every moment until
the client settles it with the reply; it is then stamped with the reply's time, the latest
moment Cin7 can have counted it. The margin is left only clock skew to absorb. A slot never
settled (its process died) counts as made ``in_flight`` seconds after it was taken.
Redis and PostgreSQL limiters read the time from the store itself unless a clock is given,
so workers on hosts whose clocks disagree still agree on when each call was made.
"""

from __future__ import annotations

import fcntl
import tempfile
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    func,
    insert,
    select,
    text,
    update,
)

from station.cin7.errors import Cin7RateLimited
from station.models import Cin7CallSlot

Clock = Callable[[], float]
Sleep = Callable[[float], None]


IN_FLIGHT = 60.0  # seconds: the least time an unsettled call is taken to be in flight


@dataclass(frozen=True, slots=True)
class CallLimits:
    """Cin7's per-account limits, plus a margin that absorbs clock skew between us and Cin7."""

    per_second: int = 3
    per_minute: int = 60
    per_day: int = 5000
    # Seconds added to each window for clock skew between Station and Cin7. (A request that
    # reaches Cin7 late is covered by counting it until its reply, see above; before that,
    # 0.1 let one 429 through in 234 calls at 32 benches on a loaded 2-CPU machine.)
    margin: float = 0.25
    max_wait: float = 120.0  # wait longer than this and the call is refused instead
    # Seconds after its slot an unsettled call is taken to have been made (its process died
    # before the reply): longer than an HTTP attempt may take (see ``for_timeout``).
    in_flight: float = IN_FLIGHT

    @classmethod
    def for_timeout(cls, timeout: float, **limits: float) -> CallLimits:
        """Limits whose ``in_flight`` outlasts an HTTP attempt of ``timeout`` seconds."""
        return cls(**limits, in_flight=max(IN_FLIGHT, timeout + 5.0))  # type: ignore[arg-type]

    def without_pacing(self) -> CallLimits:
        """These limits with no per-second or per-minute pacing (the day's limit stays)."""
        return replace(self, per_second=1_000_000, per_minute=1_000_000)

    def windows(self) -> tuple[tuple[float, int], ...]:
        """(window seconds, calls allowed) pairs, shortest first."""
        return (
            (1.0 + self.margin, self.per_second),
            (60.0 + self.margin, self.per_minute),
            (86_400.0, self.per_day),
        )


def wait_needed(calls: Sequence[float], now: float, limits: CallLimits) -> float:
    """Seconds to wait before one more call keeps every window within its limit (0: go).

    A stamp later than ``now`` is a call in flight: it counts as made now.
    """
    wait = 0.0
    ordered = sorted(min(t, now) for t in calls)
    for window, allowed in limits.windows():
        inside = [t for t in ordered if t > now - window]
        if len(inside) >= allowed:
            # The call may go when the oldest call that would break the limit leaves the window.
            wait = max(wait, inside[len(inside) - allowed] + window - now)
    return wait


@dataclass(frozen=True, slots=True)
class DayUse:
    """Calls in the last 24 hours, and the seconds until fewer than some number are (0: now)."""

    calls: int
    wait: float


def day_use(calls: Sequence[float], now: float, *, below: int) -> DayUse:
    """How many of ``calls`` lie in the 24 hours before ``now``, and when fewer than ``below`` will."""
    inside = sorted(t for t in calls if t > now - 86_400)
    if len(inside) < below:
        return DayUse(len(inside), 0.0)
    edge = inside[len(inside) - max(below, 1)]
    return DayUse(len(inside), max(edge + 86_400 - now, 0.001))


CallSlot = str  # one taken slot, for ``settle``


class RateLimiter(Protocol):
    """Blocks until a Cin7 call may be made; every call goes through ``acquire`` first and
    hands its slot to ``settle`` once Cin7 has answered (or the attempt failed)."""

    def acquire(self) -> CallSlot:
        """Wait for a slot and take it; raises Cin7RateLimited when the wait is too long."""
        ...

    def settle(self, slot: CallSlot) -> None:
        """The call of ``slot`` has its reply: it counts as made now, no later."""
        ...


class _SlotLimiter(ABC):
    """The shared algorithm: look at recent calls, take a slot or wait, under a lock.

    With ``clock=None`` the store's own clock stamps the calls (``_try_take(None)``) and
    this host's monotonic clock only bounds the wait.
    """

    def __init__(self, limits: CallLimits, clock: Clock | None, sleep: Sleep) -> None:
        self.limits = limits
        self._clock = clock
        self._sleep = sleep

    def acquire(self) -> CallSlot:
        """Wait for a slot and take it; raises Cin7RateLimited when the wait is too long."""
        local = self._clock or time.monotonic
        deadline = local() + self.limits.max_wait
        while True:
            slot = uuid.uuid4().hex
            wait = self._try_take(self._clock() if self._clock else None, slot)
            if wait <= 0:
                return slot
            if local() + wait > deadline:
                raise Cin7RateLimited(
                    f"Station has spent its Cin7 call budget for now: the next call may go in "
                    f"{_in(wait)} (Cin7 allows {self.limits.per_day:,} calls a day per account, "
                    "shared with its other apps). Try again then.",
                    retry_after=wait,
                )
            self._sleep(min(wait, 1.0))

    def settle(self, slot: CallSlot) -> None:
        """The call of ``slot`` has its reply: stamp it now (the store's time unless a clock is given)."""
        self._settle(slot, self._clock() if self._clock else None)

    @abstractmethod
    def _try_take(self, now: float | None, slot: CallSlot) -> float:
        """Take ``slot`` in flight at ``now`` (None: the store's time) and return 0, or the
        seconds to wait."""

    @abstractmethod
    def _settle(self, slot: CallSlot, now: float | None) -> None:
        """Stamp ``slot`` at ``now`` (None: the store's time), if it is still kept."""


def _in(seconds: float) -> str:
    """A wait as people say it."""
    if seconds >= 5400:
        return f"{seconds / 3600:.0f} hours"
    if seconds >= 90:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds:.0f} s"


class InMemoryRateLimiter(_SlotLimiter):
    """One process only: threads share a log in memory."""

    def __init__(
        self,
        limits: CallLimits = CallLimits(),
        *,
        clock: Clock = time.time,
        sleep: Sleep = time.sleep,
    ) -> None:
        super().__init__(limits, clock, sleep)
        self._calls: dict[CallSlot, float] = {}
        self._lock = threading.Lock()

    def _try_take(self, now: float | None, slot: CallSlot) -> float:
        now = time.time() if now is None else now
        with self._lock:
            old = [key for key, t in self._calls.items() if t <= now - 86_400]
            for key in old:
                del self._calls[key]
            wait = wait_needed(list(self._calls.values()), now, self.limits)
            if wait <= 0:
                self._calls[slot] = now + self.limits.in_flight
            return wait

    def _settle(self, slot: CallSlot, now: float | None) -> None:
        now = time.time() if now is None else now
        with self._lock:
            if slot in self._calls:
                self._calls[slot] = now

    def day_use(self, *, below: int) -> DayUse:
        """Calls in the last 24 hours, and the seconds until fewer than ``below`` are."""
        with self._lock:
            now = self._clock() if self._clock else time.time()
            return day_use([min(t, now) for t in self._calls.values()], now, below=below)


class SqlRateLimiter(_SlotLimiter):
    """Processes sharing one database share one call log (table ``cin7_call_slot``).

    The table comes from Station's migrations. PostgreSQL serialises takers with an
    advisory transaction lock and stamps calls with its own clock; SQLite (one host) with
    a file lock beside the database file and this host's clock.
    """

    _PG_LOCK_ID = 7_310_001  # any constant: one advisory lock for Station's Cin7 limiter

    def __init__(
        self,
        engine: Engine,
        limits: CallLimits = CallLimits(),
        *,
        key: str = "cin7",
        clock: Clock | None = None,
        sleep: Sleep = time.sleep,
    ) -> None:
        super().__init__(limits, clock, sleep)
        self._engine = engine
        self._key = key
        self._lock_path = _sqlite_lock_path(engine)
        self._thread_lock = threading.Lock()
        self._rows: dict[CallSlot, int] = {}  # slots in flight: their rows (this process's)
        self._short_window = max(window for window, _ in limits.windows()[:-1])

    def _store_time(self, conn: Connection) -> float:
        """The database's clock on PostgreSQL (shared by every host), else this host's."""
        if self._engine.dialect.name == "postgresql":
            return float(conn.scalar(text("SELECT extract(epoch FROM clock_timestamp())")))
        return time.time()

    def _try_take(self, now: float | None, slot: CallSlot) -> float:
        with self._thread_lock, self._locked() as conn:
            if now is None:
                now = self._store_time(conn)
            since = now - 86_400
            conn.execute(
                delete(Cin7CallSlot).where(Cin7CallSlot.key == self._key, Cin7CallSlot.at <= since)
            )
            recent = conn.scalars(
                select(Cin7CallSlot.at).where(
                    Cin7CallSlot.key == self._key, Cin7CallSlot.at > now - self._short_window
                )
            ).all()
            day_count = (
                conn.scalar(
                    select(func.count())
                    .select_from(Cin7CallSlot)
                    .where(Cin7CallSlot.key == self._key)
                )
                or 0
            )
            wait = wait_needed(recent, now, self.limits)
            if day_count >= self.limits.per_day:
                oldest = conn.scalar(
                    select(func.min(Cin7CallSlot.at)).where(Cin7CallSlot.key == self._key)
                )
                wait = max(wait, (oldest or now) + 86_400 - now)
            if wait <= 0:
                row = conn.execute(
                    insert(Cin7CallSlot).values(key=self._key, at=now + self.limits.in_flight)
                )
                self._rows[slot] = row.inserted_primary_key[0]
            return wait

    def _settle(self, slot: CallSlot, now: float | None) -> None:
        with self._thread_lock:
            row_id = self._rows.pop(slot, None)
        if row_id is None:
            return
        with self._thread_lock, self._locked() as conn:
            if now is None:
                now = self._store_time(conn)
            conn.execute(update(Cin7CallSlot).where(Cin7CallSlot.id == row_id).values(at=now))

    def day_use(self, *, below: int) -> DayUse:
        """Calls in the last 24 hours, and the seconds until fewer than ``below`` are."""
        with self._engine.connect() as conn:
            now = self._clock() if self._clock else self._store_time(conn)
            inside = (Cin7CallSlot.key == self._key, Cin7CallSlot.at > now - 86_400)
            calls = conn.scalar(select(func.count()).select_from(Cin7CallSlot).where(*inside)) or 0
            if calls < below:
                return DayUse(calls, 0.0)
            edge = conn.scalar(
                select(Cin7CallSlot.at)
                .where(*inside)
                .order_by(Cin7CallSlot.at)
                .offset(calls - max(below, 1))
                .limit(1)
            )
        return DayUse(calls, max(min(edge or now, now) + 86_400 - now, 0.001))

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
        return Path(tempfile.gettempdir()) / f"station-cin7-{uuid.uuid4().hex}.lock"
    return Path(f"{database}.cin7-limit.lock")


# KEYS[1]: the call log. ARGV: now ('' = Redis's own clock), a unique member, the seconds
# in flight, then (window seconds, calls allowed) pairs. Returns the seconds to wait ("0":
# slot taken). A score later than now is a call in flight: it counts as made now.
_REDIS_SCRIPT = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - 86400)
local wait = 0
for i = 4, #ARGV, 2 do
  local window = tonumber(ARGV[i])
  local allowed = tonumber(ARGV[i + 1])
  local since = '(' .. tostring(now - window)
  local count = redis.call('ZCOUNT', key, since, '+inf')
  if count >= allowed then
    local oldest = redis.call('ZRANGEBYSCORE', key, since, '+inf', 'WITHSCORES', 'LIMIT', count - allowed, 1)
    local w = math.min(tonumber(oldest[2]), now) + window - now
    if w > wait then wait = w end
  end
end
if wait <= 0 then
  redis.call('ZADD', key, now + tonumber(ARGV[3]), ARGV[2])
  redis.call('EXPIRE', key, 86500)
end
return tostring(wait)
"""


# KEYS[1]: the call log. ARGV: now ('' = Redis's own clock), a member: the call has its
# reply, so it is stamped now (unless pruned already).
_REDIS_SETTLE_SCRIPT = """
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[2])
return 1
"""


# KEYS[1]: the call log. ARGV: now ('' = Redis's own clock), below. Returns the calls in the
# last day and the seconds until fewer than ``below`` are.
_REDIS_DAY_SCRIPT = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local below = math.max(tonumber(ARGV[2]), 1)
local since = '(' .. tostring(now - 86400)
local count = redis.call('ZCOUNT', key, since, '+inf')
if count < below then
  return {tostring(count), '0'}
end
local edge = redis.call('ZRANGEBYSCORE', key, since, '+inf', 'WITHSCORES', 'LIMIT', count - below, 1)
return {tostring(count), tostring(math.max(math.min(tonumber(edge[2]), now) + 86400 - now, 0.001))}
"""


class RedisScripts(Protocol):
    """The part of a ``redis.Redis`` client the limiter uses."""

    def register_script(self, script: str) -> Callable[..., object]:
        """A callable that runs ``script`` by its hash."""
        ...


class RedisRateLimiter(_SlotLimiter):
    """Processes sharing one Redis share one call log (a sorted set ``<prefix>:cin7:calls``).

    One Lua script checks every window and takes the slot atomically, stamped with Redis's
    own clock unless ``clock`` is given.
    """

    def __init__(
        self,
        redis_client: RedisScripts,
        limits: CallLimits = CallLimits(),
        *,
        prefix: str = "station",
        clock: Clock | None = None,
        sleep: Sleep = time.sleep,
    ) -> None:
        super().__init__(limits, clock, sleep)
        self.key = f"{prefix}:cin7:calls"
        self._script = redis_client.register_script(_REDIS_SCRIPT)
        self._day_script = redis_client.register_script(_REDIS_DAY_SCRIPT)
        self._settle_script = redis_client.register_script(_REDIS_SETTLE_SCRIPT)

    def _try_take(self, now: float | None, slot: CallSlot) -> float:
        args: list[object] = ["" if now is None else repr(now), slot, repr(self.limits.in_flight)]
        for window, allowed in self.limits.windows():
            args += [repr(window), allowed]
        return float(self._script(keys=[self.key], args=args))  # type: ignore[arg-type]

    def _settle(self, slot: CallSlot, now: float | None) -> None:
        args = ["" if now is None else repr(now), slot]
        self._settle_script(keys=[self.key], args=args)  # type: ignore[call-arg]

    def day_use(self, *, below: int) -> DayUse:
        """Calls in the last 24 hours, and the seconds until fewer than ``below`` are."""
        now = "" if self._clock is None else repr(self._clock())
        calls, wait = self._day_script(keys=[self.key], args=[now, below])  # type: ignore[misc]
        return DayUse(int(calls), float(wait))


def build_rate_limiter(
    *,
    redis_url: str | None,
    database_url: str | None = None,
    engine: Engine | None = None,
    key_prefix: str = "station",
    limits: CallLimits = CallLimits(),
) -> RateLimiter:
    """The install's shared limiter: on Redis when ``redis_url`` is set, else on the database.

    The database is ``engine`` or, failing that, a new engine for ``database_url``; its
    ``cin7_call_slot`` table comes from Station's migrations.
    """
    if redis_url:
        import redis

        return RedisRateLimiter(redis.Redis.from_url(redis_url), limits, prefix=key_prefix)
    if engine is None:
        if not database_url:
            raise ValueError("a shared Cin7 rate limiter needs a Redis URL or a database")
        sqlite = database_url.startswith("sqlite")
        engine = create_engine(database_url, connect_args={"timeout": 30} if sqlite else {})
    return SqlRateLimiter(engine, limits, key=key_prefix)
