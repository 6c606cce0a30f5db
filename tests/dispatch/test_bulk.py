"""Bulk dispatch: many orders, one preset and service; refusals listed; resumable, once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station.dispatch.bulk import run_bulk, start_bulk
from station.dispatch.options import DispatchOptions, Sender
from station.models import BulkDispatch, Consignment, Printer, PrintJob
from tests.dispatch.test_ship import add_order, add_printer


def now() -> datetime:
    return datetime.now(UTC)


def test_a_run_ships_each_order_once_and_lists_the_refusals(ctx: Session) -> None:
    printer = add_printer(ctx)
    good = [add_order(ctx, cin7_id=7000 + n).id for n in range(5)]
    void = add_order(ctx, cin7_id=7100, is_void=True).id
    run = start_bulk(
        ctx,
        [*good, void, good[0]],  # a duplicate tick counts once
        printer=printer,
        service="ownlabel:EC",
        weight_grams=900,
        preset=None,
        cost_centre_id=None,
        user=None,
    )
    ctx.commit()
    shipped_events: list[int] = []

    finished = run_bulk(
        ctx,
        run.id,
        options=DispatchOptions(),
        sender=Sender(),
        now=now,
        on_shipped=lambda r: shipped_events.append(r.id),
    )

    assert finished is not None and finished.finished_at is not None
    assert (finished.total, finished.shipped, len(shipped_events)) == (6, 5, 5)
    [failure] = finished.failures
    assert failure["reference"] == "SO-7100" and "void" in failure["reason"]
    assert ctx.scalar(select(func.count()).select_from(Consignment)) == 5


def test_a_run_picked_up_again_ships_nothing_twice(ctx: Session) -> None:
    printer = add_printer(ctx)
    ids = [add_order(ctx, cin7_id=8000 + n).id for n in range(4)]
    run = start_bulk(
        ctx,
        ids,
        printer=printer,
        service="ownlabel:ON",
        weight_grams=1200,
        preset=None,
        cost_centre_id=None,
        user=None,
    )
    ctx.commit()
    run_bulk(ctx, run.id, options=DispatchOptions(), sender=Sender(), now=now)
    stored = ctx.get(BulkDispatch, run.id)
    assert stored is not None
    stored.finished_at, stored.results = None, stored.results[:2]  # as if it died half-way
    ctx.commit()

    again = run_bulk(ctx, run.id, options=DispatchOptions(), sender=Sender(), now=now)

    assert again is not None and again.shipped == 4
    assert ctx.scalar(select(func.count()).select_from(Consignment)) == 4
    assert ctx.scalar(select(func.count()).select_from(PrintJob)) == 4
    assert ctx.scalars(select(Printer)).one().id == printer.id
