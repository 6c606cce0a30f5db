"""What a web process would otherwise do on its first requests, done before it takes any.

A new gunicorn worker compiled each template the first time it rendered it and each SQL
statement the first time it ran it: under a profiler a worker's first bench scan took
124 ms against 21 ms for the next, its first Enter 117 ms against 56 ms. With four
workers, the first orders after every start or restart paid it. ``warm`` compiles every
template, configures the ORM's mappers and runs the bench's reads once (matching
nothing), so the first packer after a deploy waits no longer than the next one.
"""

from __future__ import annotations

import logging
import time

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import configure_mappers

log = logging.getLogger(__name__)

NO_SUCH_REFERENCE = "SO-WARM-UP"  # a reference no Cin7 order has: the read finds nothing


def warm(app: Flask) -> float:
    """Compile ``app``'s templates and the bench's reads; the seconds it took."""
    began = time.perf_counter()
    configure_mappers()
    compiled = _compile_templates(app)
    try:
        _run_bench_reads(app)
    except SQLAlchemyError as exc:  # the database is down: the first request will say so
        log.warning("warm-up skipped the database reads: %s", str(exc).splitlines()[0])
    seconds = time.perf_counter() - began
    log.info("warmed up in %.2f s (%d templates)", seconds, compiled)
    return seconds


def _compile_templates(app: Flask) -> int:
    env = app.jinja_env
    names = env.list_templates(filter_func=lambda name: name.endswith((".html", ".txt")))
    for name in names:
        env.get_template(name)
    return len(names)


def _run_bench_reads(app: Flask) -> None:
    """The reads a scan runs before it finds anything to write, in a rolled-back transaction."""
    from station.dispatch.bench import find_order
    from station.dispatch.catalog import bench_catalog
    from station.extensions import db
    from station.sessions import session_user

    with app.app_context():
        try:
            session_user(db.session, 0, "warm-up")
            find_order(db.session, NO_SUCH_REFERENCE)
            bench_catalog(db.session)
        finally:
            db.session.rollback()
            db.session.remove()
