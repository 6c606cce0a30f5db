"""Opening a scanned order at the bench: ready to weigh, refused with reasons, or shipped.

An order that already has a live consignment (booked, or being booked) is not opened for
weighing again: the bench shows that consignment, its labels and what this person may
do with it (reprint, void: ``station.dispatch.rights``). Otherwise the order is held for
this packer, every reason it cannot ship is listed, and the item count starts when the
bench verifies items.

``open_for_packing`` is the bench scan as one command: find the order the scan names,
hold it, check it and commit, keeping what it read so the bench draws its page from
those rows without reading them again (the scan is the packing floor's hot path).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from station.dispatch.bench import bench_printer, find_order, item_check
from station.dispatch.checks import products_of, ship_verdict
from station.dispatch.choices import ShipChoices, ship_choices
from station.dispatch.holds import take_hold
from station.dispatch.label_scripts import transliteration_notice
from station.dispatch.options import DispatchOptions, load_options
from station.dispatch.rights import NotYours, check_may_change
from station.dispatch.verify import ItemCheck
from station.models import Consignment, ConsignmentState, Printer, PrintJob, SalesOrder, User
from station.settings import settings_store
from station.uow import UnitOfWork

log = logging.getLogger(__name__)

LIVE_STATES = (ConsignmentState.CREATED, ConsignmentState.PENDING)


@dataclass(frozen=True, slots=True)
class Opened:
    """The order is open at this bench: weigh it, unless ``problems`` says why not."""

    order: SalesOrder
    problems: list[str]
    earlier: list[Consignment]  # consignments no longer live (voided, failed)
    checking_items: bool
    confirm: str | None = None  # the Cin7 stage the packer must confirm before shipping
    printer: Printer | None = None  # the bench's printer (its label script matters)
    choices: ShipChoices | None = None  # what the ship form offers
    check: ItemCheck | None = None  # the items to scan, when they are checked
    script_notice: str | None = None  # the address prints transliterated on this printer


@dataclass(frozen=True, slots=True)
class LiveConsignment:
    """A consignment the order already has, with its first labels."""

    consignment: Consignment
    labels: list[PrintJob]
    refusal: str | None  # why this person may not reprint or void it; None: they may

    @property
    def booked(self) -> bool:
        """True once the carrier has booked it (a pending one has no label yet)."""
        return self.consignment.state == ConsignmentState.CREATED


@dataclass(frozen=True, slots=True)
class AlreadyShipped:
    """The order has live consignments: show them instead of a weight form."""

    order: SalesOrder
    live: list[LiveConsignment]


@dataclass(frozen=True, slots=True)
class NoSuchOrder:
    """The scan names no order Station has."""

    scanned: str

    def describe(self) -> str:
        """What the bench says, and what to scan instead."""
        if not self.scanned.strip():
            return "Scan the packing slip's barcode or type the order reference."
        return (
            f"No order matches {self.scanned!r}. "
            "Scan the packing slip's barcode or type the order reference."
        )


def open_for_packing(
    actor: User,
    scanned: str,
    *,
    printer_id: int | None,
    verify_items: bool,
    now: datetime,
) -> Opened | AlreadyShipped | NoSuchOrder:
    """Open the order ``scanned`` names for ``actor`` at the bench of printer ``printer_id``.

    Holds it and commits, keeping the rows read (the order, its lines, the form's
    choices) loaded, so the page drawn from the result needs no second transaction. An
    order already shipped is only read, as is a scan naming no order: nothing commits.
    """
    uow = UnitOfWork(actor)
    order = find_order(uow.session, scanned)
    if order is None:
        log.info("bench scan matched no order: %r", scanned)
        return NoSuchOrder(scanned)
    printer = bench_printer(uow.session, printer_id)
    options = load_options(settings_store(uow.session))
    seen = _shipped_or_earlier(uow.session, order, actor, now=now)
    if isinstance(seen, AlreadyShipped):
        return seen  # drawn from this transaction's reads; nothing to hold
    with uow:
        bench = printer.bench or printer.name if printer else ""
        opened = _hold(uow.session, order, actor, seen, bench, verify_items, options, now)
        opened = _with_form(uow.session, opened, printer)
        uow.commit(expire=False)  # the hold; the page is drawn from what was read
    return opened


def look_at(
    session: Session,
    order: SalesOrder,
    user: User,
    *,
    bench: str,
    verify_items: bool,
    options: DispatchOptions,
    now: datetime,
) -> Opened | AlreadyShipped:
    """What scanning ``order`` at ``bench`` shows ``user``, holding it for them when it is
    not shipped yet (does not commit: ``open_for_packing`` does)."""
    seen = _shipped_or_earlier(session, order, user, now=now)
    if isinstance(seen, AlreadyShipped):
        return seen
    return _hold(session, order, user, seen, bench, verify_items, options, now)


def _shipped_or_earlier(
    session: Session, order: SalesOrder, user: User, *, now: datetime
) -> AlreadyShipped | list[Consignment]:
    """The order's live consignments, when it has any; else its earlier (dead) ones."""
    consignments = list(
        session.scalars(
            select(Consignment)
            .where(Consignment.order_id == order.id, Consignment.is_return.is_(False))
            .order_by(Consignment.id)
        )
    )
    live = [c for c in consignments if c.state in LIVE_STATES]
    if live:
        return AlreadyShipped(order, [_live(session, c, user, now=now) for c in live])
    return consignments


def _hold(
    session: Session,
    order: SalesOrder,
    user: User,
    earlier: list[Consignment],
    bench: str,
    verify_items: bool,
    options: DispatchOptions,
    now: datetime,
) -> Opened:
    """Hold the order for ``user`` and list every reason it cannot ship."""
    products = products_of(session, [order])
    verdict = ship_verdict(order, products, options.rules)
    counting = verify_items and not verdict.problems
    held = take_hold(session, order, user, bench=bench, now=now, counting_items=counting)
    problems = [*verdict.problems, *([held.describe()] if held else [])]
    checking = counting and held is None
    return Opened(order, problems, earlier, checking, confirm=verdict.confirm_stage)


def _with_form(session: Session, opened: Opened, printer: Printer | None) -> Opened:
    """``opened`` with everything its weight form shows, read before the hold commits so
    the page needs no second transaction."""
    order = opened.order
    return replace(
        opened,
        printer=printer,
        choices=ship_choices(session),
        check=item_check(session, order, {}) if opened.checking_items else None,
        script_notice=transliteration_notice(order, printer),
    )


def _live(
    session: Session, consignment: Consignment, user: User, *, now: datetime
) -> LiveConsignment:
    try:
        check_may_change(session, consignment, user, doing="reprint or void", now=now)
        refusal = None
    except NotYours as exc:
        refusal = str(exc)
    labels = session.scalars(
        select(PrintJob)
        .options(joinedload(PrintJob.printer))
        .where(PrintJob.consignment_id == consignment.id, PrintJob.reprint_of_id.is_(None))
        .order_by(PrintJob.id)
    ).all()
    return LiveConsignment(consignment, list(labels), refusal)
