"""Dispatch's queued work: Cin7 write-backs (the outbox), bulk runs, and outage bookings."""

from __future__ import annotations

from functools import partial
from typing import Any

from huey import crontab

from station.dispatch.jobs import run_bulk_dispatch, run_outbox, run_queued_bookings
from station.jobs import Jobs, jobs


def register(queue: Jobs) -> None:
    """Put dispatch's tasks on ``queue``, with ``deliver_soon`` and ``recover_outbox``."""
    queue.task("deliver_outbox", deliver_outbox)
    queue.periodic("deliver_outbox_periodic", crontab(minute="*"), deliver_outbox)
    queue.task("bulk_dispatch", bulk_dispatch)
    queue.periodic("book_queued_consignments", crontab(minute="*"), book_queued)
    delay = float(queue.config["OUTBOX_DELAY"])
    lease = float(queue.config.get("OUTBOX_SENDING_LEASE", 30))
    queue.follow_up("deliver_soon", partial(deliver_soon, delay=delay))
    queue.follow_up("recover_outbox", partial(recover_outbox, lease=lease))


def deliver_outbox() -> dict[str, Any] | None:
    """One pass over the outbox: every due write-back, in batches."""
    jobs().starting("deliver_outbox")  # what is recorded from now on waits for the next pass
    return run_outbox()


def bulk_dispatch(run_id: int) -> None:
    """Ship a bulk run, starting its printer's queue as labels are queued, then deliver."""
    run_bulk_dispatch(run_id, print_labels=jobs().print_queue, deliver=jobs().deliver_outbox)


def book_queued() -> None:
    """Every minute: book consignments a carrier outage left queued, then print and deliver."""
    printers = run_queued_bookings()
    for printer_id in printers:
        jobs().print_queue(printer_id)
    if printers:
        jobs().deliver_outbox()


# A pass still waiting this long past its delay is taken for lost (its worker died, or it
# waits behind long tasks): the next dispatch schedules another, which costs one pass.
WAITING_PASS_STALE_S = 30.0


def deliver_soon(*, delay: float) -> None:
    """Queue a Cin7 delivery pass a moment from now, unless one is already waiting.

    Each pass sends every due item in batches, so a burst of dispatches shares one:
    starting one per Enter at eight benches would spend Cin7's 60 calls a minute on
    batches of one, and the workers' time on passes that find the last pass's work done.
    """
    jobs().soon_once(jobs().deliver_outbox, delay, stale_after=delay + WAITING_PASS_STALE_S)


def recover_outbox(*, lease: float) -> None:
    """Resend the write-backs a crashed worker cut off, as soon as this worker starts.

    One pass now takes over claims that lapsed already; one just after a lease from
    now takes over those of a worker that died moments ago (their claims lapse by
    then). Either pass checks Cin7 before sending an item again; the periodic pass
    covers anything later.
    """
    jobs().deliver_outbox()
    if not jobs().immediate:
        jobs().deliver_outbox.schedule(delay=lease + 2.0)
