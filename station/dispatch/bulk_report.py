"""A bulk run as its page shows it, and printing every label of a finished run again.

Each order of a run ships under the key ``bulk-<run>-<order>``, so the run's consignments
are found by those keys: the page lists each shipped order with its tickets (as booked
now, a voided one says so), and "Print all labels again" reprints every label of them
through the one reprint rule (``station.dispatch.reprint.reprint_as``), each consignment
audited as the list's reprint is, with one entry for the run as a whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.dispatch.bulk import BulkRefused, bulk_key
from station.dispatch.reprint import reprint_as
from station.dispatch.rights import NotYours
from station.models import BulkDispatch, Consignment, Printer, PrintJob, User
from station.printing.queue import ReprintRefused
from station.printing.setup import active_printers
from station.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class ShippedOrder:
    """An order the run shipped, with the consignment it shipped in (None if gone)."""

    order_id: int
    reference: str
    tickets: list[str]
    consignment: Consignment | None


@dataclass(frozen=True, slots=True)
class BulkReport:
    """What a run's page shows: progress, the orders shipped, those refused, the printers."""

    run: BulkDispatch
    shipped: list[ShippedOrder]
    printers: list[Printer]

    @property
    def refused(self) -> list[dict[str, Any]]:
        """Orders that did not ship, each with the reason."""
        return self.run.failures


@dataclass(frozen=True, slots=True)
class RunReprinted:
    """What "Print all labels again" did: the jobs queued and the consignments skipped."""

    printer: Printer
    queued: list[PrintJob]
    consignments: int
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (reference, why)


def run_report(session: Session, run_id: int) -> BulkReport | None:
    """The run ``run_id`` and, once finished, its shipped orders and the active printers
    (to print them again on); None if there is no such run.
    """
    run = session.get(BulkDispatch, run_id)
    if run is None:
        return None
    if run.finished_at is None:  # polled every second while it runs: progress only
        return BulkReport(run=run, shipped=[], printers=[])
    by_order = {c.order_id: c for c in _consignments(session, run)}
    shipped = [
        ShippedOrder(
            order_id=r["order_id"],
            reference=r["reference"],
            tickets=list(
                by_order[r["order_id"]].tickets if r["order_id"] in by_order else r["tickets"]
            ),
            consignment=by_order.get(r["order_id"]),
        )
        for r in run.results
        if r.get("ok")
    ]
    printers = active_printers(session)
    return BulkReport(run=run, shipped=shipped, printers=printers)


def reprint_run(
    actor: User,
    run: BulkDispatch,
    *,
    printer: Printer | None,
    now: datetime,
    print_queue: Callable[[int], object] = lambda printer_id: None,
) -> RunReprinted:
    """``actor`` prints every label of the finished ``run``'s consignments again on
    ``printer``: one reprint job per label, each consignment audited, one entry for the
    run, then ``print_queue(printer_id)`` once committed.

    A consignment that may not be reprinted (voided since) is skipped with the reason;
    ``BulkRefused`` (nothing queued) when no printer was chosen, the run is still going,
    or no label of it can be printed.
    """
    if printer is None or not printer.active:
        raise BulkRefused("Choose the printer the labels come out on.")
    if run.finished_at is None:
        raise BulkRefused("The run is still going: print its labels again once it has finished.")
    printer_id = printer.id
    with UnitOfWork(actor) as uow:
        consignments = _consignments(uow.session, run)
        queued: list[PrintJob] = []
        skipped: list[tuple[str, str]] = []
        for consignment in consignments:
            try:
                queued += reprint_as(uow.session, consignment, actor, printer=printer, now=now)
            except (ReprintRefused, NotYours) as exc:
                skipped.append((consignment.reference, str(exc)))
        if not queued:
            why = f" ({skipped[0][1]})" if skipped else ""
            raise BulkRefused(f"No label of this run can be printed again{why}.")
        uow.record(
            "bulk.reprinted",
            target=run,
            detail={
                "printer": printer.name,
                "labels": len(queued),
                "consignments": len(consignments) - len(skipped),
                "skipped": [reference for reference, _ in skipped],
            },
            at=now,
        )
        uow.after_commit(lambda: print_queue(printer_id))
        uow.commit()
    return RunReprinted(
        printer=printer,
        queued=queued,
        consignments=len(consignments) - len(skipped),
        skipped=skipped,
    )


def _consignments(session: Session, run: BulkDispatch) -> list[Consignment]:
    """The consignments the run booked, in the run's order."""
    keys = {bulk_key(run.id, r["order_id"]): r["order_id"] for r in run.results if r.get("ok")}
    if not keys:
        return []
    found = {
        c.idempotency_key: c
        for c in session.scalars(select(Consignment).where(Consignment.idempotency_key.in_(keys)))
    }
    return [found[key] for key in keys if key in found]
