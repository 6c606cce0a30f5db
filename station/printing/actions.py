"""What people ask of the print queue from the screens: send waiting jobs now, reprint.

Each command is one unit of work with its audit entry, and starts the printer's queue
once committed. The queue's own rules (claims, back-off, what may be reprinted) stay in
``station.printing.queue``; these only wrap them for a person.
"""

from __future__ import annotations

from datetime import datetime

from station.dispatch.rights import check_may_reprint_job
from station.jobs import jobs
from station.models import Printer, PrintJob, User
from station.printing.queue import reprint, retry_now
from station.uow import UnitOfWork


def retry_printer_now(actor: User | None, printer: Printer, *, now: datetime) -> int:
    """Make the printer's waiting jobs due now (it was fixed) and send them; returns how many."""
    printer_id = printer.id
    with UnitOfWork(actor) as uow:
        count = retry_now(uow.session, printer, now=now)
        uow.record("printer.retried_now", target=printer, detail={"jobs": count})
        uow.after_commit(lambda: jobs().print_queue(printer_id))
        uow.commit()
    return count


def print_again(actor: User, job: PrintJob, *, now: datetime) -> PrintJob:
    """Print a finished job again as a new job, if ``actor`` may; audit it and send it.

    Raises ``NotYours`` when the consignment rule keeps ``actor`` from reprinting it, and
    ``ReprintRefused`` when the job cannot be reprinted; nothing is queued then.
    """
    printer_id = job.printer_id
    with UnitOfWork(actor) as uow:
        check_may_reprint_job(uow.session, job, actor, now=now)
        copy = reprint(uow.session, job)
        uow.record("print_job.reprinted", target=job, detail={"printer": job.printer.name})
        uow.after_commit(lambda: jobs().print_queue(printer_id))
        uow.commit()
    return copy
