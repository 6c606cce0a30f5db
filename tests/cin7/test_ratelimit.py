"""The shared Cin7 rate limiter: in memory, on the database, on Redis, across processes."""

from __future__ import annotations

import multiprocessing
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from station.cin7.errors import Cin7RateLimited
from station.cin7.ratelimit import (
    CallLimits,
    InMemoryRateLimiter,
    RateLimiter,
    RedisRateLimiter,
    SqlRateLimiter,
    build_rate_limiter,
    wait_needed,
)
from station.db import Base
from station.models import Cin7CallSlot
from tests.conftest import REDIS_URL
from tests.fakes.cin7 import busiest_second
from tests.fakes.clock import FakeClock
from tests.services import _redis

pytestmark = pytest.mark.cin7_limits

LIMITS = CallLimits(margin=0.0)


def made(limiter: RateLimiter) -> None:
    """One call: a slot taken, then settled with its reply at once."""
    limiter.settle(limiter.acquire())


@pytest.mark.parametrize(
    ("calls", "now", "expected"),
    [
        ([], 10.0, 0.0),
        ([9.5, 9.6], 10.0, 0.0),
        ([9.5, 9.6, 9.7], 10.0, 0.5),  # fourth call waits for 9.5 to leave the second
        ([9.0, 9.6, 9.7], 10.0, 0.0),
        ([float(t) for t in range(60)], 60.0, 0.0),
    ],
)
def test_wait_needed_keeps_every_window(calls: list[float], now: float, expected: float) -> None:
    assert wait_needed(calls, now, LIMITS) == pytest.approx(expected)


def test_wait_needed_honours_the_minute() -> None:
    calls = [i * 0.5 for i in range(60)]  # 60 calls in 30 s

    assert wait_needed(calls, 30.0, LIMITS) == pytest.approx(30.0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["memory", "sqlite", "postgres", "redis"])
def limiter(
    request: pytest.FixtureRequest, clock: FakeClock, tmp_path: Path
) -> Iterator[RateLimiter]:
    kind = request.param
    if kind == "memory":
        yield InMemoryRateLimiter(LIMITS, clock=clock, sleep=clock.sleep)
    elif kind == "redis":
        redis_client = _redis()
        prefix = f"station-test-{uuid.uuid4().hex[:8]}"
        yield RedisRateLimiter(redis_client, LIMITS, prefix=prefix, clock=clock, sleep=clock.sleep)
        redis_client.delete(f"{prefix}:cin7:calls")
    else:
        url = (
            f"sqlite:///{tmp_path / 'limit.db'}"
            if kind == "sqlite"
            else request.getfixturevalue("postgres_url")
        )
        engine = create_engine(url)
        Base.metadata.tables["cin7_call_slot"].create(engine, checkfirst=True)
        yield SqlRateLimiter(
            engine, LIMITS, key=f"test-{uuid.uuid4().hex[:8]}", clock=clock, sleep=clock.sleep
        )
        engine.dispose()


def test_three_calls_a_second_then_it_waits(limiter: RateLimiter, clock: FakeClock) -> None:
    stamps = []
    for _ in range(7):
        made(limiter)
        stamps.append(clock.now)

    assert stamps[:3] == [stamps[0]] * 3
    assert stamps[3] - stamps[0] == pytest.approx(1.0)
    assert stamps[6] - stamps[3] == pytest.approx(1.0)


def test_a_call_counts_until_its_reply_comes(limiter: RateLimiter, clock: FakeClock) -> None:
    # Cin7 counts a call when it arrives: a call queued behind a slow reply may arrive
    # after calls that took their slots later. Until its reply it counts as made now.
    start = clock.now
    made(limiter)
    made(limiter)
    late = limiter.acquire()  # its request waits behind a slow reply
    clock.now = start + 1.0
    made(limiter)
    made(limiter)
    clock.now = start + 1.57
    limiter.settle(late)  # Cin7 counted it at the latest now
    made(limiter)

    # Before: the late call counted at its slot, so this one went at once at 1.57 and was
    # Cin7's fourth in (0.57, 1.57].
    assert clock.now == pytest.approx(start + 2.0)


def test_a_call_never_settled_counts_as_made_after_its_time_in_flight(
    limiter: RateLimiter, clock: FakeClock
) -> None:
    start = clock.now
    for _ in range(3):
        limiter.acquire()  # the process died before the replies

    made(limiter)

    assert clock.now == pytest.approx(start + LIMITS.in_flight + 1.0)


def test_a_reply_later_than_its_time_in_flight_still_counts_at_the_reply(
    limiter: RateLimiter, clock: FakeClock
) -> None:
    start = clock.now
    slots = [limiter.acquire() for _ in range(3)]
    clock.now = start + LIMITS.in_flight + 30  # a reply slower than the limiter assumed
    for slot in slots:
        limiter.settle(slot)

    made(limiter)

    assert clock.now == pytest.approx(start + LIMITS.in_flight + 31)


def test_calls_stay_in_flight_longer_than_an_http_attempt() -> None:
    assert CallLimits.for_timeout(30.0).in_flight == CallLimits().in_flight
    assert CallLimits.for_timeout(90.0, max_wait=20.0) == CallLimits(in_flight=95.0, max_wait=20.0)


def test_sixty_a_minute(limiter: RateLimiter, clock: FakeClock) -> None:
    stamps = []
    for _ in range(61):
        made(limiter)
        stamps.append(clock.now)

    assert stamps[60] - stamps[0] >= 60.0 - 1e-6
    assert stamps[59] - stamps[0] < 60.0


def test_a_spent_day_is_refused_not_waited_for(clock: FakeClock) -> None:
    limiter = InMemoryRateLimiter(
        CallLimits(per_second=100, per_minute=100, per_day=5), clock=clock, sleep=clock.sleep
    )
    for _ in range(5):
        made(limiter)

    with pytest.raises(Cin7RateLimited, match="budget") as excinfo:
        limiter.acquire()
    assert excinfo.value.retry_after and excinfo.value.retry_after > 80_000


def _hammer(kind: str, target: str, key: str, calls: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    if kind == "redis":
        import redis

        limiter: RateLimiter = RedisRateLimiter(
            redis.Redis.from_url(target), CallLimits(), prefix=key
        )
    else:
        limiter = SqlRateLimiter(create_engine(target), CallLimits(), key=key)
    stamps = []
    for _ in range(calls):
        made(limiter)
        stamps.append(time.time())
    out.put(stamps)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "postgres", "redis"])
def test_two_processes_together_never_exceed_three_a_second(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if kind == "redis":
        _redis()
        target = REDIS_URL
    else:
        target = (
            f"sqlite:///{tmp_path / 'shared.db'}"
            if kind == "sqlite"
            else request.getfixturevalue("postgres_url")
        )
        engine = create_engine(target)
        Base.metadata.tables["cin7_call_slot"].create(engine, checkfirst=True)
        engine.dispose()
    key = f"test-{uuid.uuid4().hex[:8]}"
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    workers = [ctx.Process(target=_hammer, args=(kind, target, key, 6, out)) for _ in range(2)]
    for worker in workers:
        worker.start()
    try:
        returned = [t for _ in workers for t in out.get(timeout=60)]
        granted = _granted(kind, target, key)
    finally:
        for worker in workers:
            worker.join(timeout=30)
        if kind == "redis":
            _redis().delete(f"{key}:cin7:calls")

    # The slots the shared store granted (on its own clock) are what the limit is about;
    # when each process got round to noting the time after acquire() returned depends on
    # the scheduler of a loaded machine, so those stamps only show that all 12 got through.
    assert len(returned) == len(granted) == 12
    assert busiest_second(granted) <= 3
    assert max(granted) - min(granted) >= 3.0  # 12 calls at 3/s need at least 3 s


def _granted(kind: str, target: str, key: str) -> list[float]:
    """The call times the shared limiter recorded for ``key``."""
    if kind == "redis":
        return [score for _, score in _redis().zrange(f"{key}:cin7:calls", 0, -1, withscores=True)]
    engine = create_engine(target)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(select(Cin7CallSlot.at).where(Cin7CallSlot.key == key)))
    finally:
        engine.dispose()


def test_the_margin_stretches_each_second(clock: FakeClock) -> None:
    limiter = InMemoryRateLimiter(CallLimits(), clock=clock, sleep=clock.sleep)
    stamps = []
    for _ in range(4):
        made(limiter)
        stamps.append(clock.now)

    assert stamps[3] - stamps[0] == pytest.approx(1.25)  # 3 calls per 1.25 s, not per 1 s


def test_redis_stamps_calls_with_its_own_clock() -> None:
    redis_client = _redis()
    prefix = f"station-test-{uuid.uuid4().hex[:8]}"
    limiter = RedisRateLimiter(redis_client, LIMITS, prefix=prefix)
    try:
        made(limiter)
        ((_, stamp),) = redis_client.zrange(limiter.key, 0, -1, withscores=True)
        seconds, micros = redis_client.time()
    finally:
        redis_client.delete(limiter.key)

    assert seconds + micros / 1e6 - stamp == pytest.approx(0.0, abs=1.0)


def test_postgresql_stamps_calls_with_its_own_clock(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    key = f"test-{uuid.uuid4().hex[:8]}"
    try:
        made(SqlRateLimiter(engine, LIMITS, key=key))
        with engine.connect() as conn:
            stamp = conn.scalar(select(func.max(Cin7CallSlot.at)).where(Cin7CallSlot.key == key))
            now = float(conn.scalar(text("SELECT extract(epoch FROM clock_timestamp())")))
    finally:
        engine.dispose()

    assert now - stamp == pytest.approx(0.0, abs=1.0)


def test_build_picks_redis_when_configured_else_the_database(tmp_path: Path) -> None:
    _redis()
    url = f"sqlite:///{tmp_path / 'station.db'}"
    engine = create_engine(url)
    Base.metadata.tables["cin7_call_slot"].create(engine, checkfirst=True)

    assert isinstance(build_rate_limiter(redis_url=REDIS_URL, database_url=url), RedisRateLimiter)
    assert isinstance(build_rate_limiter(redis_url=None, engine=engine), SqlRateLimiter)
    from_url = build_rate_limiter(redis_url=None, database_url=url, key_prefix="build-test")
    made(from_url)
    with engine.connect() as conn:
        keys = conn.scalars(select(Cin7CallSlot.key)).all()
    assert keys == ["build-test"]
    with pytest.raises(ValueError, match="Redis URL or a database"):
        build_rate_limiter(redis_url=None)
