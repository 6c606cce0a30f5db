"""The services some tests need (Redis): skip, or fail under CI, when one is not reachable."""

from __future__ import annotations

import pytest

from tests.conftest import REDIS_URL, service_missing


def _redis_ready() -> None:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:
        service_missing("Redis", str(exc))


def _redis():  # type: ignore[no-untyped-def]
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        service_missing("Redis", str(exc))
    return client
