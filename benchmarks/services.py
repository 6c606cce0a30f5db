"""The servers the scale-out bench stands on: a throwaway PostgreSQL database and a Redis namespace.

Both are on loopback. The database is created for the run (``station_bench_<hex>``, like
the tests' ``station_test_<hex>``) and dropped after it. Redis keys carry a prefix of the
run's own on a database number the tests do not use; only keys with that prefix are
deleted afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

PG_ADMIN_URL = os.environ.get(
    "STATION_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("STATION_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")


class ServiceMissing(Exception):
    """PostgreSQL or Redis cannot be reached, or gunicorn is missing; the message says why."""


def require_services(*, admin_url: str = PG_ADMIN_URL, redis_url: str = REDIS_URL) -> None:
    """Raise ServiceMissing unless PostgreSQL and Redis both answer and gunicorn is installed."""
    import importlib.util

    require_postgres(admin_url)
    try:
        import redis
    except ImportError as exc:
        raise ServiceMissing("the redis package is not installed (the 'redis' extra)") from exc
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        raise ServiceMissing(f"Redis is not reachable at {redis_url}: {exc}") from exc
    if importlib.util.find_spec("gunicorn") is None:
        raise ServiceMissing("gunicorn is not installed (the 'server' extra)")


def require_postgres(admin_url: str = PG_ADMIN_URL) -> None:
    """Raise ServiceMissing unless PostgreSQL answers at ``admin_url``."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(admin_url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        raise ServiceMissing(
            f"PostgreSQL is not reachable at {_where(admin_url)}: {str(exc).splitlines()[0]}"
        ) from exc
    finally:
        engine.dispose()


@contextmanager
def fresh_postgres(admin_url: str = PG_ADMIN_URL) -> Iterator[str]:
    """An empty database of its own for the run (dropped at the end); yields its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"station_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def redis_namespace(redis_url: str = REDIS_URL) -> Iterator[str]:
    """A key prefix no one else uses (``station_bench_<hex>``); its keys are deleted at the end.

    Station's queue (huey: ``huey.*.<prefix>``) and its Cin7 call log (``<prefix>:cin7:calls``)
    both contain the prefix, and underscores survive huey's cleaning of queue names.
    """
    import redis

    prefix = f"station_bench_{uuid.uuid4().hex[:12]}"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(redis_url)
        try:
            mine = list(client.scan_iter(match=f"*{prefix}*", count=500))
            if mine:
                client.delete(*mine)
        finally:
            client.close()


def _where(url: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return f"{parsed.host}:{parsed.port or 5432}"
