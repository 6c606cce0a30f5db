"""Background jobs on huey: SQLite-backed by default, Redis-backed with STATION_REDIS_URL.

Tasks are registered on the app's own huey instance inside ``init_app`` (no module-level
queue), each running inside an app context. ``station worker`` consumes them; the demo
runs an :class:`EmbeddedConsumer` in its own process.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from huey.consumer import Consumer

from station.config import read_flag

log = logging.getLogger(__name__)


@dataclass
class Jobs:
    """The app's queue and the tasks registered on it."""

    huey: Huey
    sync_orders: TaskWrapper
    print_queue: TaskWrapper


def init_app(app: Flask) -> None:
    """Create the app's huey and register Station's tasks and schedules."""
    huey = _make_huey(app)
    interval_minutes = max(1, int(app.config.get("SYNC_INTERVAL", 60)) // 60)

    def sync_orders_task(trigger: str = "schedule") -> dict[str, Any] | None:
        from station.cin7.jobs import run_order_sync

        with app.app_context():
            return run_order_sync(trigger=trigger)

    sync_task = huey.task(name="sync_orders")(sync_orders_task)
    huey.periodic_task(crontab(minute=f"*/{interval_minutes}"), name="sync_orders_periodic")(
        lambda: sync_orders_task("schedule")
    )

    def print_queue_task(printer_id: int) -> None:
        from station.printing.jobs import run_print_queue

        with app.app_context():
            result = run_print_queue(printer_id)
        if result is not None and result.retry_in is not None and not huey.immediate:
            print_task.schedule((printer_id,), delay=max(1.0, result.retry_in))

    def sweep_print_queues_task() -> None:
        from station.printing.jobs import sweep_print_queues

        with app.app_context():
            due = sweep_print_queues()
        for printer_id in due:
            print_task(printer_id)

    print_task = huey.task(name="print_queue")(print_queue_task)
    huey.periodic_task(crontab(minute="*"), name="print_queue_sweep")(sweep_print_queues_task)
    app.extensions["station.jobs"] = Jobs(huey=huey, sync_orders=sync_task, print_queue=print_task)


def _make_huey(app: Flask) -> Huey:
    immediate = read_flag(app.config, "JOBS_IMMEDIATE")
    name = app.config.get("REDIS_PREFIX", "station")
    if immediate:
        return MemoryHuey(name, immediate=True)
    if app.config.get("REDIS_URL"):
        return RedisHuey(name, url=app.config["REDIS_URL"])
    return SqliteHuey(name, filename=str(Path(app.instance_path) / "jobs.db"))


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


def start_embedded_consumer(app: Flask, *, workers: int = 2) -> EmbeddedConsumer:
    """Start consuming the app's queue on background threads; call ``stop()`` to end."""
    consumer = EmbeddedConsumer(
        app.extensions["station.jobs"].huey, workers=workers, worker_type="thread"
    )
    consumer.start()
    return consumer
