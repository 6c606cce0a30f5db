"""Bulk dispatch: ship many orders with one preset and service, one at a time, resumably.

Each order goes out in the run's number of parcels (at most ``MAX_PARCELS``), every
parcel in the run's package at the run's weight: one consignment, a label per parcel.

``start_bulk`` records the run; ``run_bulk`` (a job) ships each order not yet handled
through ``ship_order`` under ``bulk-<run>-<order>`` and commits its result before the
next, so a page polling the run sees progress, a refusal is listed without stopping
the rest, and a run picked up again after a crash ships nothing twice.

The manager who started the run is each consignment's packer (``created_by``), so
reports and the audit name a person. Orders at a confirm-first Cin7 stage (Awaiting
Payment) ship only when the manager ticked that stage; otherwise they are listed as
skipped with the reason, as the bench would ask.
"""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from station.carriers.base import Parcel
from station.carriers.errors import CarrierError
from station.carriers.markup import parcel_from_preset
from station.dispatch.options import DispatchOptions, Sender, load_options
from station.dispatch.parcels import MAX_PARCELS
from station.dispatch.ship import DispatchRefused, ShipRequest, ship_order
from station.errors import StationError
from station.models import BulkDispatch, CostCentre, PackagePreset, Printer, SalesOrder, User
from station.orders import OrderFilters, matching_order_ids
from station.settings import settings_store
from station.shipping.carriers import carrier_for, retired_problem
from station.shipping.costs import preset_of
from station.uow import UnitOfWork

log = logging.getLogger(__name__)

MAX_ORDERS = 1000
_BULK_KEY = re.compile(r"bulk-(\d+)-\d+")


def _service_label(session: Session, carrier_code: str, service_code: str) -> str:
    """The service as people read it ("Own label · Overnight"); the codes when not configured."""
    try:
        carrier = carrier_for(session, carrier_code)
    except CarrierError:
        return f"{carrier_code} · {service_code}"
    names = {s.code: s.name for s in carrier.services()}
    return f"{carrier.name} · {names.get(service_code, service_code)}"


def bulk_key(run_id: int, order_id: int) -> str:
    """The idempotency key of run ``run_id``'s consignment for one order (retries find it)."""
    return f"bulk-{run_id}-{order_id}"


def bulk_run_of(key: str) -> int | None:
    """The bulk run a consignment's key was made by; None for a bench's or other key."""
    found = _BULK_KEY.fullmatch(key)
    return int(found[1]) if found else None


class BulkRefused(StationError):
    """The run cannot start; the message says why."""


def start_bulk(
    actor: User | None,
    order_ids: Sequence[int],
    *,
    printer: Printer,
    service: str,
    weight_grams: int,
    preset: PackagePreset | None,
    cost_centre_id: int | None,
    parcel_count: int = 1,
    confirmed_stages: Sequence[str] = (),
    dispatch: Callable[[int], object] = lambda run_id: None,
    selection: Mapping[str, Any] | None = None,
) -> BulkDispatch:
    """Record and audit a run by ``actor`` for ``order_ids`` (each once, in the order given),
    each in ``parcel_count`` parcels, then start it with ``dispatch(run_id)`` (the job).

    ``confirmed_stages``: the confirm-first stages the manager ticked to ship too.
    ``selection``: how the orders were chosen when not ticked one by one (for the audit).
    Raises ``BulkRefused`` (nothing recorded) when the run cannot start.
    """
    if not 1 <= parcel_count <= MAX_PARCELS:
        raise BulkRefused(f"Each order goes out in 1 to {MAX_PARCELS} parcels, not {parcel_count}.")
    unique = list(dict.fromkeys(int(i) for i in order_ids))
    if not unique:
        raise BulkRefused("Tick at least one order to dispatch, or select all that match.")
    if len(unique) > MAX_ORDERS:
        raise BulkRefused(f"At most {MAX_ORDERS} orders at once ({len(unique)} ticked).")
    carrier_code, _, service_code = service.partition(":")
    if not service_code:
        raise BulkRefused("Choose a service.")
    run = BulkDispatch(
        created_by_id=actor.id if actor else None,
        printer_id=printer.id,
        carrier_code=carrier_code,
        service_code=service_code,
        preset_id=preset.id if preset else None,
        cost_centre_id=cost_centre_id,
        weight_grams=weight_grams,
        parcel_count=parcel_count,
        order_ids=unique,
        results=[],
        confirmed_stages=list(dict.fromkeys(confirmed_stages)),
    )
    with UnitOfWork(actor) as uow:
        retired = retired_problem(uow.session, carrier_code)
        if retired:
            raise BulkRefused(f"{retired[:1].upper()}{retired[1:]}.")
        centre = uow.session.get(CostCentre, cost_centre_id) if cost_centre_id else None
        if cost_centre_id is not None and (centre is None or not centre.active):
            raise BulkRefused(
                "That cost centre is no longer set up (deleted or retired since the page was "
                "drawn?): reload the page and choose one from the list."
            )
        uow.session.add(run)
        uow.flush()
        uow.record(
            "bulk.started",
            target=run,
            detail={
                "orders": run.total,
                "service": _service_label(uow.session, carrier_code, service_code),
                "parcels_each": run.parcel_count,
                "confirmed_stages": run.confirmed_stages,
                **({"selected": dict(selection)} if selection else {}),
            },
        )
        run_id = run.id
        uow.after_commit(lambda: dispatch(run_id))
        uow.commit()
    return run


@dataclass(frozen=True, slots=True)
class MatchedRun:
    """A run started for every order matching a filter."""

    run: BulkDispatch
    more: bool  # more orders matched than a run takes: the run has the first MAX_ORDERS


def start_bulk_matching(
    actor: User | None,
    filters: OrderFilters,
    *,
    expected: int,
    **run: Any,
) -> MatchedRun:
    """Start a run (as ``start_bulk``, whose keywords ``run`` are) for the orders matching
    ``filters``, at most ``MAX_ORDERS`` of them, the first ones the order list shows.

    ``expected`` is the count the manager saw and agreed to: when the orders matching now
    are not that many (some shipped or changed since), nothing starts and ``BulkRefused``
    says so, so a run never ships more, or other, orders than the manager was shown.
    A list not narrowed by a search or a filter is refused: "every order" is not a choice.
    """
    if not (filters.narrowed or filters.query):
        raise BulkRefused(
            "Narrow the list with a search or a filter before selecting all that match."
        )
    with UnitOfWork(actor) as uow:
        rules = load_options(settings_store(uow.session)).rules
        ids = matching_order_ids(uow.session, filters, rules=rules, limit=MAX_ORDERS + 1)
        more, ids = len(ids) > MAX_ORDERS, ids[:MAX_ORDERS]
        if len(ids) != expected:
            raise BulkRefused(
                f"{len(ids):,} order{'' if len(ids) == 1 else 's'} match the filters now, "
                f"not {expected:,} as the list showed: look at the list again."
            )
        started = start_bulk(
            actor, ids, selection={"filters": describe_filters(filters), "more": more}, **run
        )
        uow.commit()
    return MatchedRun(run=started, more=more)


def describe_filters(filters: OrderFilters) -> dict[str, str]:
    """The filters set, as text (for the audit entry)."""
    return {
        name: str(value.value if isinstance(value, enum.Enum) else value)
        for name, value in asdict(filters).items()
        if value not in (None, "")
    }


def run_bulk(
    session: Session,
    run_id: int,
    *,
    options: DispatchOptions,
    sender: Sender,
    now: Callable[[], datetime],
    on_shipped: Callable[[BulkDispatch], None] = lambda run: None,
) -> BulkDispatch | None:
    """Ship every order of the run not handled yet; returns the finished run.

    ``on_shipped`` runs after each order shipped (the job starts the printer's queue).
    """
    run = session.get(BulkDispatch, run_id)
    if run is None or run.finished_at is not None:
        return run
    preset = session.get(PackagePreset, run.preset_id) if run.preset_id else None
    handled = {r["order_id"] for r in run.results}
    for order_id in run.order_ids:
        if order_id in handled:
            continue
        result = _ship_one(session, run, order_id, preset, options, sender, now())
        run = session.get(BulkDispatch, run_id)
        assert run is not None
        run.results = [*run.results, result]  # a new list, so the JSON column is written
        session.commit()
        if result["ok"]:
            on_shipped(run)
    run.finished_at = now()
    session.commit()
    log.info("bulk dispatch %s: %d shipped, %d refused", run.id, run.shipped, len(run.failures))
    return run


def _ship_one(
    session: Session,
    run: BulkDispatch,
    order_id: int,
    preset: PackagePreset | None,
    options: DispatchOptions,
    sender: Sender,
    now: datetime,
) -> dict[str, object]:
    order = session.get(SalesOrder, order_id)
    reference = order.reference if order else f"order {order_id}"
    try:
        parcel = (
            parcel_from_preset(preset_of(preset), run.weight_grams, reference=reference)
            if preset
            else Parcel(run.weight_grams)
        )
        shipped = ship_order(
            session,
            order_id,
            ShipRequest(
                key=bulk_key(run.id, order_id),
                parcels=(parcel,) * run.parcel_count,
                service_code=run.service_code,
                carrier_code=run.carrier_code,
                cost_centre_id=run.cost_centre_id,
                scanned_at=now,
                confirmed_stages=tuple(run.confirmed_stages or ()),
            ),
            printer=session.get(Printer, run.printer_id),  # type: ignore[arg-type]
            user=session.get(User, run.created_by_id) if run.created_by_id else None,
            options=options,
            sender=sender,
            now=now,
        )
    except (DispatchRefused, CarrierError) as exc:
        session.rollback()
        return {"order_id": order_id, "reference": reference, "ok": False, "reason": str(exc)}
    return {
        "order_id": order_id,
        "reference": reference,
        "ok": True,
        "tickets": shipped.consignment.tickets,
    }
