"""The print queue's queued work: one printer's pass, the minute sweep, and "print now"."""

from __future__ import annotations

from collections.abc import Sequence

from huey import crontab

from station.jobs import Jobs, jobs
from station.models import Printer, PrintJob
from station.printing.jobs import print_here, run_print_queue, sweep_print_queues


def register(queue: Jobs) -> None:
    """Put the print queue on ``queue``: ``jobs().print_queue(id)``, ``jobs().print_now(printer)``."""
    queue.task("print_queue", print_queue)
    queue.periodic("print_queue_sweep", crontab(minute="*"), sweep)
    queue.follow_up("print_now", print_now)


def print_queue(printer_id: int) -> None:
    """Send one printer's due labels; a printer that asked for time is tried again then."""
    result = run_print_queue(printer_id)
    if result is not None and result.retry_in is not None and not jobs().immediate:
        jobs().print_queue.schedule((printer_id,), delay=max(1.0, result.retry_in))


def sweep() -> None:
    """Every minute: start a pass for each printer with labels due (and fail interrupted ones)."""
    for printer_id in sweep_print_queues():
        jobs().print_queue(printer_id)


def print_now(printer: Printer, queued: Sequence[PrintJob] = ()) -> None:
    """Send a printer's due labels from this request now, then leave the rest to the queue.

    The bench calls it so a label never waits behind other jobs (Cin7 write-backs
    paced by Cin7's limits) in the workers' threads; the jobs were recorded first, and
    the queue claims each before sending, so a worker draining the same printer at
    the same time sends nothing twice. ``queued``: the jobs the request queued (they go
    first, claimed in turn, when nothing of the printer's is ahead of them).
    """
    if jobs().immediate:
        jobs().print_queue(printer.id)  # runs here and now already
        return
    result = print_here(printer, queued)
    if result is None or result.waiting or result.retry_in is not None:
        jobs().print_queue(printer.id)
