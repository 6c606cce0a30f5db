"""What a web process would otherwise do on its first requests, done before it takes any.

A new gunicorn worker compiled each template the first time it rendered it and each SQL
statement the first time it ran it: under a profiler a worker's first bench scan took
124 ms against 21 ms for the next, its first Enter 117 ms against 56 ms. With four
workers, the first orders after every start or restart paid it. ``warm`` compiles every
template, configures the ORM's mappers and runs the bench's reads once (matching
nothing), so the first packer after a deploy no longer pays for it (the Enter's writes
still compile on first use: about 30 ms more than the next order). It also imports the
PDF renderers: building the app leaves reportlab (about 150 ms) to the first PDF drawn,
which a web worker would otherwise pay on its first label, slip or manifest.

Warming up is only a saving: whatever goes wrong in it is logged and the worker starts
as it would have without it.
"""

from __future__ import annotations

import importlib
import logging
import time

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import configure_mappers

log = logging.getLogger(__name__)

NO_SUCH_REFERENCE = "SO-WARM-UP"  # a reference no Cin7 order has: the read finds nothing
PDF_RENDERERS = ("station.labels.pdf", "station.labels.manifest")  # labels, slips, manifests


def warm(app: Flask) -> float:
    """Compile ``app``'s templates and the bench's reads; the seconds it took."""
    began = time.perf_counter()
    try:
        configure_mappers()
        for module in PDF_RENDERERS:
            importlib.import_module(module)
        compiled = _compile_templates(app)
        _run_bench_reads(app)
    except SQLAlchemyError as exc:  # the database is down or not migrated: the page says so
        log.warning("warm-up skipped the database reads: %s", str(exc).partition("\n")[0])
    except Exception:  # noqa: BLE001 - a saving only: never the reason a worker fails to start
        log.exception("warm-up failed; the worker starts cold")
    else:
        log.info("warmed up in %.2f s (%d templates)", time.perf_counter() - began, compiled)
    return time.perf_counter() - began


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
