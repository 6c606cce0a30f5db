"""Opening a scanned order at the bench: ready to weigh, refused with reasons, or shipped.

An order that already has a live consignment (booked, or being booked) is not opened for
weighing again: the bench shows that consignment, its labels and what this person may
do with it (reprint, void: ``station.dispatch.rights``). Otherwise the order is held for
this packer, every reason it cannot ship is listed, and the item count starts when the
bench verifies items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from station.dispatch.checks import products_of, ship_verdict
from station.dispatch.holds import start_item_count, take_hold
from station.dispatch.options import DispatchOptions
from station.dispatch.rights import NotYours, check_may_change
from station.models import Consignment, ConsignmentState, PrintJob, SalesOrder, User

LIVE_STATES = (ConsignmentState.CREATED, ConsignmentState.PENDING)


@dataclass(frozen=True, slots=True)
class Opened:
    """The order is open at this bench: weigh it, unless ``problems`` says why not."""

    order: SalesOrder
    problems: list[str]
    earlier: list[Consignment]  # consignments no longer live (voided, failed)
    checking_items: bool
    confirm: str | None = None  # the Cin7 stage the packer must confirm before shipping


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


def open_for_packing(
    session: Session,
    order: SalesOrder,
    user: User,
    *,
    bench: str,
    verify_items: bool,
    options: DispatchOptions,
    now: datetime,
) -> Opened | AlreadyShipped:
    """What scanning ``order`` at ``bench`` shows ``user`` (does not commit: the caller
    commits the hold after reading the result)."""
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
    held = take_hold(session, order, user, bench=bench, now=now)
    products = products_of(session, [order])
    verdict = ship_verdict(order, products, options.rules)
    problems = [*verdict.problems, *([held.describe()] if held else [])]
    checking = verify_items and not problems
    if held is None:
        start_item_count(session, order.id, user, verifying=checking)
    return Opened(order, problems, consignments, checking, confirm=verdict.confirm_stage)


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
