"""Background jobs on huey: SQLite-backed by default, Redis-backed with STATION_REDIS_URL.

This module owns the queue, not the work: ``init_app`` creates the app's own huey (no
module-level queue) and hands a :class:`Jobs` registry to each package's ``register``
(``station/cin7/tasks.py``, ``station/printing/tasks.py``, ``station/dispatch/tasks.py``,
``station/inbox/tasks.py``), which names its tasks, their schedules and the follow-ups
callers start (``jobs().deliver_soon()``). Adding a job touches its package's
``tasks.py`` only; nothing here imports a package, so imports point one way.

Every task body runs inside an app context, so it can reach ``db.session`` and
:func:`jobs` for the tasks it starts next. ``station worker`` consumes them; the demo runs
an :class:`EmbeddedConsumer` in its own process.

Periodic tasks are enqueued by whichever consumers run with ``periodic`` on (extra
workers use ``station worker --no-periodic``); huey's scheduler looks once a minute, so
``SYNC_INTERVAL`` seconds become whole minutes, rounded up (:func:`sync_interval_minutes`).
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper
from huey.consumer import Consumer

from station.config import read_flag
from station.private_files import private_file
from station.sitetime import ZONE_OF, read_in

log = logging.getLogger(__name__)

Register = Callable[["Jobs"], None]
"""A package's ``register(queue)``: puts its tasks, schedules and follow-ups on the queue."""


class Jobs:
    """The app's queue and what its packages registered on it, reached by name.

    ``jobs().print_queue(printer_id)`` enqueues the task named ``print_queue`` (or runs
    it at once when jobs run inline); ``jobs().deliver_soon()`` calls the follow-up the
    dispatch package registered under that name.
    """

    def __init__(self, app: Flask, huey: Huey) -> None:
        self.app = app
        self.huey = huey
        self._named: dict[str, Callable[..., Any]] = {}

    @property
    def config(self) -> Mapping[str, Any]:
        """The app's configuration, for packages that read a schedule or delay at startup."""
        return self.app.config

    @property
    def immediate(self) -> bool:
        """Whether tasks run inline, in the caller, instead of on a consumer."""
        return bool(self.huey.immediate)

    def task(self, name: str, body: Callable[..., Any]) -> TaskWrapper:
        """Register ``body`` as the task ``name``, run inside an app context; returns it.

        ``name`` is what the queue stores with each pending job, so it must not change
        while jobs under it may still wait in a queue.
        """
        wrapper = self.huey.task(name=name)(self._in_app_context(body))
        self._add(name, wrapper)
        return wrapper

    def periodic(
        self, name: str, schedule: Callable[[datetime], bool], body: Callable[[], Any]
    ) -> None:
        """Run ``body`` (in an app context) whenever ``schedule`` says a minute is due."""
        self.huey.periodic_task(schedule, name=name)(self._in_app_context(body))

    def follow_up(self, name: str, action: Callable[..., Any]) -> None:
        """Offer ``action`` (which starts tasks, e.g. "deliver a moment from now") as ``name``."""
        self._add(name, action)

    def soon(self, task: TaskWrapper, delay: float) -> None:
        """Run ``task`` ``delay`` seconds from now (at once when jobs run inline)."""
        if self.immediate:
            task()
        else:
            task.schedule(delay=delay)

    def soon_once(self, task: TaskWrapper, delay: float, *, stale_after: float) -> bool:
        """Run ``task`` ``delay`` seconds from now unless a run of it already waits to start.

        For a task whose one run serves every caller before it (a delivery pass sends all
        that is due): a burst of callers then schedules one run, not one each. The run
        calls :meth:`starting` first, so a caller after that schedules the next. A mark
        older than ``stale_after`` seconds is replaced: its run never started (its worker
        died with it) or waits behind long tasks, and one more run costs nothing. True when
        a run was scheduled.
        """
        if self.immediate:
            task()
            return True
        key, now = _waiting_key(task.name), time.time()
        if not self.huey.put_if_empty(key, now):
            marked = self.huey.get(key, peek=True)
            if isinstance(marked, float) and now - marked < stale_after:
                return False
            self.huey.delete(key)
            if not self.huey.put_if_empty(key, now):
                return False  # another caller replaced it this instant, and scheduled
        try:
            task.schedule(delay=delay)
        except Exception:
            self.huey.delete(key)  # no run waits: the next caller must schedule one
            raise
        return True

    def starting(self, name: str) -> None:
        """A run of the task ``name`` starts: the next :meth:`soon_once` schedules another.

        A queue that cannot be reached here is logged, not raised: the run goes on, and
        the mark it could not clear goes stale.
        """
        if self.immediate:
            return
        try:
            self.huey.delete(_waiting_key(name))
        except Exception:  # noqa: BLE001 - the run matters more than the mark
            log.exception("could not clear the waiting mark of %s", name)

    def __getattr__(self, name: str) -> Any:
        """A registered task or follow-up, by the name its package gave it."""
        named = self.__dict__.get("_named", {})
        if name in named:
            return named[name]
        raise AttributeError(f"no job named {name!r} is registered")

    def _add(self, name: str, job: Callable[..., Any]) -> None:
        if name in self._named or hasattr(type(self), name) or name in self.__dict__:
            raise ValueError(f"the job name {name!r} is taken")
        self._named[name] = job

    def _in_app_context(self, body: Callable[..., Any]) -> Callable[..., Any]:
        app = self.app

        @functools.wraps(body)
        def run(*args: Any, **kwargs: Any) -> Any:
            with app.app_context(), read_in(app.extensions.get(ZONE_OF)):
                return body(*args, **kwargs)

        return run


def _waiting_key(name: str) -> str:
    return f"station.waiting-to-start.{name}"


def init_app(app: Flask, packages: Iterable[Register]) -> Jobs:
    """Create the app's huey and let each package register its tasks and schedules."""
    queue = Jobs(app, _make_huey(app))
    for register in packages:
        register(queue)
    app.extensions["station.jobs"] = queue
    return queue


def sync_interval_minutes(seconds: object) -> int:
    """``SYNC_INTERVAL`` (seconds) as whole minutes, rounded up: 60 → 1, 90 → 2, 30 → 1.

    Raises ValueError for anything but a positive number of seconds.
    """
    try:
        value = float(seconds)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"SYNC_INTERVAL must be a number of seconds, not {seconds!r}") from None
    if not value > 0 or math.isinf(value):
        raise ValueError(f"SYNC_INTERVAL must be a positive number of seconds, not {seconds!r}")
    return math.ceil(value / 60)


_EPOCH = datetime(1970, 1, 1)


def every_minutes(minutes: int) -> Callable[[datetime], bool]:
    """A huey schedule due every ``minutes`` minutes, counted from 1970-01-01 00:00 UTC.

    Unlike crontab's ``*/n``, which starts again at each hour (``*/7`` runs at :56 and
    then :00), the spacing holds for any ``minutes``, past hours and days. Huey passes
    naive UTC times; aware ones are converted.
    """
    if minutes < 1:
        raise ValueError("a schedule needs at least one minute between runs")

    def due(moment: datetime) -> bool:
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return ((moment - _EPOCH) // timedelta(minutes=1)) % minutes == 0

    return due


def _make_huey(app: Flask) -> Huey:
    immediate = read_flag(app.config, "JOBS_IMMEDIATE")
    name = app.config.get("REDIS_PREFIX", "station")
    if immediate:
        return MemoryHuey(name, immediate=True)
    if app.config.get("REDIS_URL"):
        return RedisHuey(name, url=app.config["REDIS_URL"])
    queue = private_file(Path(app.instance_path) / "jobs.db")  # job arguments name orders
    return SqliteHuey(name, filename=str(queue))


def jobs() -> Jobs:
    """The current app's jobs."""
    return current_app.extensions["station.jobs"]


class EmbeddedConsumer(Consumer):
    """A huey consumer that runs inside another process (the demo's web server).

    The stock consumer installs signal handlers, which only the main thread may do and
    which would take Ctrl-C away from the web server; here the host process owns signals.
    """

    def _set_signal_handlers(self) -> None:
        log.debug("embedded consumer leaves signal handling to its host process")


def make_consumer(huey: Huey, *, workers: int, periodic: bool = True) -> Consumer:
    """A thread consumer for ``station worker``; ``periodic=False`` only runs queued jobs."""
    return Consumer(huey, workers=workers, worker_type="thread", periodic=periodic)


def start_embedded_consumer(
    app: Flask, *, workers: int = 2, periodic: bool = True
) -> EmbeddedConsumer:
    """Start consuming the app's queue on background threads; call ``stop()`` to end."""
    consumer = EmbeddedConsumer(
        app.extensions["station.jobs"].huey,
        workers=workers,
        worker_type="thread",
        periodic=periodic,
    )
    consumer.start()
    return consumer
