"""``ship_order``: one Enter at the bench, in one transaction.

Checks the order can ship, books the consignment under the bench's idempotency key,
queues its labels on the bench printer and records the Cin7 write-backs in the outbox,
then commits, all or nothing. The same key again returns what the first call did; an
order that already has a live consignment under another key is refused, so a double
scan at two benches can never ship it twice. A key answers only for its own order and
only while its consignment stands: a bench key made for another order, or a key whose
consignment was voided, is refused with the truth instead of a false "shipped".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from station import audit
from station.carriers.base import Carrier, Parcel, Shipment
from station.carriers.manual import ManualTicket
from station.dispatch.bench import order_of_key
from station.dispatch.catalog import bench_catalog
from station.dispatch.checks import products_of, receiver_of, ship_verdict, unconfirmed_stage
from station.dispatch.holds import held_elsewhere, release_hold
from station.dispatch.options import DispatchOptions, Sender
from station.dispatch.writebacks import record_writebacks
from station.errors import StationError, problems_sentence
from station.models import (
    Consignment,
    ConsignmentState,
    CostCentre,
    OutboxItem,
    Printer,
    PrintJob,
    SalesOrder,
    User,
)
from station.shipping.booking import book_consignment
from station.shipping.carriers import carrier_for, retired_problem
from station.shipping.labels import queue_consignment_labels
from station.shipping.records import SqlConsignmentStore
from station.sitetime import said
from station.uow import UnitOfWork

SHIPPED_ELSEWHERE = "it is already being shipped at another bench"
LIVE = (ConsignmentState.CREATED, ConsignmentState.PENDING)


class DispatchRefused(StationError):
    """The order cannot ship; the message gives every reason."""

    def __init__(self, reference: str, problems: Sequence[str]) -> None:
        super().__init__(f"{reference} cannot ship: {problems_sentence(problems)}")
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class ShipRequest:
    """What the packer chose: parcels, carrier and service, who pays, which key."""

    key: str
    parcels: tuple[Parcel, ...]
    service_code: str
    carrier_code: str = "ownlabel"
    cost_centre_id: int | None = None
    scanned_at: datetime | None = None  # when the bench opened the order
    manual_ticket: str | None = None  # booked on the carrier's portal during an outage
    confirmed_stages: tuple[str, ...] = ()  # confirm-first Cin7 stages the person said to ship


@dataclass(frozen=True, slots=True)
class ShippedSummary:
    """The booked consignment as it was committed, for the bench's answer (reads nothing)."""

    consignment_id: int
    reference: str
    service_name: str
    tickets: tuple[str, ...]
    parcel_weights: tuple[int, ...]  # grams, in parcel order (one per label)
    tracking_url: str | None
    charged: Decimal | None
    cost: Decimal | None
    writeback_kinds: tuple[str, ...]
    print_job_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Shipped:
    """What one Enter produced."""

    consignment: Consignment
    jobs: list[PrintJob]
    writebacks: list[OutboxItem]
    summary: ShippedSummary


def ship_order(
    session: Session,
    order_id: int,
    request: ShipRequest,
    *,
    printer: Printer,
    user: User | None,
    options: DispatchOptions,
    sender: Sender,
    now: datetime,
    print_labels: Callable[[Printer, Sequence[PrintJob]], object] | None = None,
    follow_ups: Sequence[Callable[[], object]] = (),
) -> Shipped:
    """Ship the order (or return what ``request.key`` already shipped) and commit, then
    hand its label jobs to ``print_labels`` (print them now) and run ``follow_ups`` (start
    a Cin7 delivery pass)."""
    with UnitOfWork(user, session) as uow:
        shipped = _ship(
            uow, order_id, request, printer=printer, options=options, sender=sender, now=now
        )
        if print_labels is not None:
            uow.after_commit(partial(print_labels, printer, shipped.jobs))
        for follow_up in follow_ups:
            uow.after_commit(follow_up)
        # Kept as committed: printing the label now reads the printer, the job and its
        # consignment again otherwise (the print's own claim expires them in turn).
        uow.commit(expire=False)
    return shipped


def _ship(
    uow: UnitOfWork,
    order_id: int,
    request: ShipRequest,
    *,
    printer: Printer,
    options: DispatchOptions,
    sender: Sender,
    now: datetime,
) -> Shipped:
    """Ship the order within ``uow`` (for its actor); the caller commits."""
    session, user = uow.session, uow.actor
    # Locked with its lines read in the same statement (the checks read them); only the
    # order's row is locked, as before.
    order = (
        session.scalars(
            select(SalesOrder)
            .options(joinedload(SalesOrder.lines))
            .where(SalesOrder.id == order_id)
            .with_for_update(of=SalesOrder)
        )
        .unique()
        .first()
    )
    if order is None:
        raise DispatchRefused(f"Order {order_id}", ["it is not in Station (sync it from Cin7)"])
    existing, live = _consignments(session, order, request.key)
    _check_key(session, order, request.key, existing)
    replay = existing is not None and existing.state == ConsignmentState.CREATED
    if not replay:
        _check(session, order, request, options, live)
        held = held_elsewhere(session, order.id, user, now=now)
        if held is not None:
            raise DispatchRefused(order.reference, [held.describe()])
    cost_centre = (
        bench_catalog(session).get(CostCentre, request.cost_centre_id)
        if request.cost_centre_id
        else None
    )
    if not replay and request.cost_centre_id and (cost_centre is None or not cost_centre.active):
        raise DispatchRefused(  # shipped without it, the freight would go out at cost
            order.reference,
            ["the cost centre chosen is no longer set up (deleted or retired since the order "
             "was opened): scan the order again and choose one from the list"],
        )  # fmt: skip
    shipment = Shipment(
        sender=sender.address(),
        receiver=receiver_of(order),
        parcels=request.parcels,
        service_code=request.service_code,
        reference=order.reference,
    )
    carrier: Carrier = carrier_for(session, request.carrier_code)
    if request.manual_ticket:
        carrier = ManualTicket(
            code=carrier.code,
            name=carrier.name,
            ticket=request.manual_ticket,
            store=SqlConsignmentStore(session),
        )
    try:
        consignment = book_consignment(
            session,
            carrier,
            shipment,
            key=request.key,
            order=order,
            cost_centre=cost_centre,
            user=user,
            existing=existing,
            scanned_at=request.scanned_at,
        )
    except IntegrityError as exc:  # another bench's attempt won the race for this order
        session.rollback()
        raise DispatchRefused(order.reference, [SHIPPED_ELSEWHERE]) from exc
    if consignment.scanned_at is None:
        consignment.scanned_at = request.scanned_at
    booked_now = existing is None  # no job nor write-back can name it yet
    jobs = queue_consignment_labels(session, consignment, printer, booked_now=booked_now)
    writebacks = record_writebacks(
        session,
        order,
        consignment,
        options,
        carrier_name=carrier.name,
        now=now,
        booked_now=booked_now,
    )
    session.flush()  # the labels and the write-backs, in one go
    release_hold(session, order.id)
    if not replay:
        uow.record(
            "consignment.created",
            target=consignment,
            detail={
                "order": order.reference,
                # As people read it ("Own label · Overnight"), not the code "ON".
                "service": f"{carrier.name} · {consignment.service_name or request.service_code}",
                "printer": printer.name,
            },
        )
    summary = ShippedSummary(
        consignment_id=consignment.id,
        reference=consignment.reference,
        service_name=consignment.service_name,
        tickets=tuple(consignment.tickets),
        parcel_weights=tuple(parcel.weight_grams for parcel in consignment.parcels),
        tracking_url=consignment.tracking_url,
        charged=consignment.charged,
        cost=consignment.cost,
        writeback_kinds=tuple(item.kind.value for item in writebacks),
        print_job_ids=tuple(job.id for job in jobs),
    )
    return Shipped(consignment, jobs, writebacks, summary)


def _check(
    session: Session,
    order: SalesOrder,
    request: ShipRequest,
    options: DispatchOptions,
    live: Consignment | None,
) -> None:
    verdict = ship_verdict(order, products_of(session, [order]), options.rules)
    problems = list(verdict.problems)
    if verdict.confirm_stage and verdict.confirm_stage not in request.confirmed_stages:
        problems.append(unconfirmed_stage(verdict.confirm_stage))
    if live is not None and live.state == ConsignmentState.CREATED:
        problems.append(
            f"it already has consignment {', '.join(live.tickets)}; void it to ship again"
        )
    elif live is not None:
        problems.append(SHIPPED_ELSEWHERE)
    if not request.parcels:
        problems.append("there are no parcels")
    retired = retired_problem(session, request.carrier_code)
    if retired:
        problems.append(retired)
    if problems:
        raise DispatchRefused(order.reference, problems)


def _check_key(session: Session, order: SalesOrder, key: str, existing: Consignment | None) -> None:
    """Refuse a key made for another order, or one whose consignment was voided."""
    made_for = existing.order_id if existing is not None else order_of_key(key)
    if made_for is not None and made_for != order.id:
        other = session.get(SalesOrder, made_for)
        name = other.reference if other else f"order {made_for}"
        raise DispatchRefused(
            order.reference, [f"this form is for {name}: scan {order.reference} again"]
        )
    if existing is not None and existing.state == ConsignmentState.VOIDED:
        voided = audit.last_event(session, existing, "consignment.voided")
        by = f" by {voided.actor_username or 'Station'}" if voided else ""
        at = f" at {said(existing.voided_at)}" if existing.voided_at else ""
        tickets = ", ".join(existing.tickets) or existing.reference
        raise DispatchRefused(
            order.reference,
            [
                f"consignment {tickets} from this form was voided{by}{at}; "
                f"scan {order.reference} again to ship it anew"
            ],
        )


def _consignments(
    session: Session, order: SalesOrder, key: str
) -> tuple[Consignment | None, Consignment | None]:
    """The consignment under ``key`` (any order's), and a live outgoing one of ``order``
    under another key, in one read (after the order's lock, as each was read before)."""
    rows = session.scalars(
        select(Consignment)
        .where(
            or_(
                Consignment.idempotency_key == key,
                and_(
                    Consignment.order_id == order.id,
                    Consignment.state.in_(LIVE),
                    Consignment.is_return.is_(False),
                ),
            )
        )
        .order_by(Consignment.id)
    ).all()
    existing = next((row for row in rows if row.idempotency_key == key), None)
    live = next((row for row in rows if row.idempotency_key != key), None)
    return existing, live
