"""Background jobs on huey: SQLite-backed by default, Redis-backed with STATION_REDIS_URL.

Tasks are registered on the app's own huey instance inside ``init_app`` (no module-level
queue), each running inside an app context. ``station worker`` consumes them; the demo
runs an :class:`EmbeddedConsumer` in its own process.

Periodic tasks are enqueued by whichever consumers run with ``periodic`` on (extra
workers use ``station worker --no-periodic``); huey's scheduler looks once a minute, so
``SYNC_INTERVAL`` seconds become whole minutes, rounded up (:func:`sync_interval_minutes`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from huey.consumer import Consumer

from station.config import read_flag
from station.private_files import private_file

if TYPE_CHECKING:
    from station.models import Printer

log = logging.getLogger(__name__)


@dataclass
class Jobs:
    """The app's queue and the tasks registered on it."""

    huey: Huey
    sync_orders: TaskWrapper
    print_queue: TaskWrapper
    deliver_outbox: TaskWrapper
    bulk_dispatch: TaskWrapper
    submit_inbox: TaskWrapper
    submit_scheduled_inbox: TaskWrapper
    resubmit_inbox: TaskWrapper
    check_inbox_shipments: TaskWrapper
    sync_inventory: TaskWrapper
    deliver_inbox_webhooks: TaskWrapper
    import_csv: TaskWrapper
    outbox_delay: float = 2.0
    rule_submit_delay: float = 2.0
    outbox_lease: float = 30.0

    def print_now(self, printer: Printer) -> None:
        """Send a printer's due labels from this request now, then leave the rest to the queue.

        The bench calls it so a label never waits behind other jobs (Cin7 write-backs
        paced by Cin7's limits) in the workers' threads; the jobs were recorded first, and
        the queue claims each before sending, so a worker draining the same printer at
        the same time sends nothing twice.
        """
        if self.huey.immediate:
            self.print_queue(printer.id)  # runs here and now already
            return
        from station.printing.jobs import print_here

        result = print_here(printer)
        if result is None or result.waiting or result.retry_in is not None:
            self.print_queue(printer.id)

    def deliver_soon(self) -> None:
        """Queue a Cin7 delivery pass a moment from now, so a burst of dispatches shares one.

        Each pass sends every due item in batches; starting one per Enter at eight
        benches would spend Cin7's 60 calls a minute on batches of one.
        """
        self._soon(self.deliver_outbox, self.outbox_delay)

    def recover_outbox(self) -> None:
        """Resend the write-backs a crashed worker cut off, as soon as this worker starts.

        One pass now takes over claims that lapsed already; one just after a lease from
        now takes over those of a worker that died moments ago (their claims lapse by
        then). Either pass checks Cin7 before sending an item again; the periodic pass
        covers anything later.
        """
        self.deliver_outbox()
        if not self.huey.immediate:
            self.deliver_outbox.schedule(delay=self.outbox_lease + 2.0)

    def submit_scheduled_soon(self) -> None:
        """Queue a pass over the orders rules scheduled to Cin7, a moment from now.

        A shop posting orders one request at a time with a "submit on import" rule would
        otherwise start a run per order (a product check and a POST each); the pass a
        moment later sends every order scheduled by then in one run, batches of 250.
        """
        self._soon(self.submit_scheduled_inbox, self.rule_submit_delay)

    def _soon(self, task: TaskWrapper, delay: float) -> None:
        """Run ``task`` ``delay`` seconds from now (at once when jobs run inline)."""
        if self.huey.immediate:
            task()
        else:
            task.schedule(delay=delay)


def init_app(app: Flask) -> None:
    """Create the app's huey and register Station's tasks and schedules."""
    huey = _make_huey(app)
    interval_minutes = sync_interval_minutes(app.config.get("SYNC_INTERVAL", 60))

    def sync_orders_task(trigger: str = "schedule") -> dict[str, Any] | None:
        from station.cin7.jobs import run_order_sync

        with app.app_context():
            return run_order_sync(trigger=trigger)

    sync_task = huey.task(name="sync_orders")(sync_orders_task)
    huey.periodic_task(every_minutes(interval_minutes), name="sync_orders_periodic")(
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

    def deliver_outbox_task() -> dict[str, Any] | None:
        from station.dispatch.jobs import run_outbox

        with app.app_context():
            return run_outbox()

    print_task = huey.task(name="print_queue")(print_queue_task)
    huey.periodic_task(crontab(minute="*"), name="print_queue_sweep")(sweep_print_queues_task)
    outbox_task = huey.task(name="deliver_outbox")(deliver_outbox_task)
    huey.periodic_task(crontab(minute="*"), name="deliver_outbox_periodic")(
        lambda: deliver_outbox_task()
    )

    def bulk_dispatch_task(run_id: int) -> None:
        from station.dispatch.jobs import run_bulk_dispatch

        with app.app_context():
            run_bulk_dispatch(run_id, print_labels=print_task, deliver=outbox_task)

    bulk_task = huey.task(name="bulk_dispatch")(bulk_dispatch_task)

    def book_queued_task() -> None:
        from station.dispatch.jobs import run_queued_bookings

        with app.app_context():
            printers = run_queued_bookings()
        for printer_id in printers:
            print_task(printer_id)
        if printers:
            outbox_task()

    huey.periodic_task(crontab(minute="*"), name="book_queued_consignments")(book_queued_task)

    def deliver_inbox_webhooks_task() -> dict[str, Any]:
        from station.inbox.jobs import run_webhook_delivery

        with app.app_context():
            return run_webhook_delivery()

    webhooks_task = huey.task(name="deliver_inbox_webhooks")(deliver_inbox_webhooks_task)
    huey.periodic_task(crontab(minute="*"), name="deliver_inbox_webhooks_periodic")(
        lambda: deliver_inbox_webhooks_task()
    )

    def submit_inbox_task(
        order_ids: list[int], actor: str = "", trigger: str = "manual"
    ) -> dict[str, Any]:
        from station.inbox.claims import Trigger
        from station.inbox.jobs import run_inbox_submission

        with app.app_context():
            return run_inbox_submission(
                order_ids, by=actor, trigger=Trigger(trigger), deliver=webhooks_task
            )

    submit_inbox = huey.task(name="submit_inbox")(submit_inbox_task)

    def submit_scheduled_inbox_task() -> int:
        from station.inbox.jobs import run_scheduled_submissions

        with app.app_context():
            return run_scheduled_submissions(submit_inbox)

    submit_scheduled = huey.task(name="submit_scheduled_inbox")(submit_scheduled_inbox_task)
    huey.periodic_task(crontab(minute="*"), name="submit_scheduled_inbox_periodic")(
        lambda: submit_scheduled_inbox_task()
    )

    def import_csv_task(import_id: int) -> None:
        from station.inbox.jobs import run_csv_import

        with app.app_context():
            scheduled, webhooks = run_csv_import(import_id)
        if scheduled:  # rules fired on import: one pass sends every order they scheduled
            submit_scheduled()
        if webhooks:
            webhooks_task()

    import_csv = huey.task(name="import_csv")(import_csv_task)

    def resubmit_inbox_task() -> dict[str, Any] | None:
        from station.inbox.jobs import run_inbox_resubmission

        with app.app_context():
            return run_inbox_resubmission(deliver=webhooks_task)

    resubmit_inbox = huey.task(name="resubmit_inbox")(resubmit_inbox_task)
    huey.periodic_task(crontab(minute="*"), name="resubmit_inbox_periodic")(
        lambda: resubmit_inbox_task()
    )

    def check_inbox_shipments_task(actor: str = "") -> dict[str, Any] | None:
        from station.inbox.jobs import run_shipment_check

        with app.app_context():
            return run_shipment_check(by=actor, deliver=webhooks_task)

    check_shipments = huey.task(name="check_inbox_shipments")(check_inbox_shipments_task)
    shipment_minutes = int(app.config.get("INBOX_SHIPMENT_CHECK_MINUTES", 5))
    huey.periodic_task(every_minutes(shipment_minutes), name="check_inbox_shipments_periodic")(
        lambda: check_inbox_shipments_task()
    )

    def sync_inventory_task(scheduled: bool = False) -> dict[str, Any] | None:
        from station.inbox.jobs import run_inventory_sync

        with app.app_context():
            return run_inventory_sync(scheduled=scheduled)

    inventory_task = huey.task(name="sync_inventory")(sync_inventory_task)
    inventory_minutes = int(app.config.get("INBOX_INVENTORY_SYNC_MINUTES", 60))
    huey.periodic_task(every_minutes(inventory_minutes), name="sync_inventory_periodic")(
        lambda: sync_inventory_task(scheduled=True)
    )
    app.extensions["station.jobs"] = Jobs(
        huey=huey,
        sync_orders=sync_task,
        print_queue=print_task,
        deliver_outbox=outbox_task,
        bulk_dispatch=bulk_task,
        submit_inbox=submit_inbox,
        submit_scheduled_inbox=submit_scheduled,
        resubmit_inbox=resubmit_inbox,
        check_inbox_shipments=check_shipments,
        sync_inventory=inventory_task,
        deliver_inbox_webhooks=webhooks_task,
        import_csv=import_csv,
        outbox_delay=float(app.config["OUTBOX_DELAY"]),
        rule_submit_delay=float(app.config["INBOX_RULE_SUBMIT_DELAY"]),
        outbox_lease=float(app.config.get("OUTBOX_SENDING_LEASE", 30)),
    )


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
