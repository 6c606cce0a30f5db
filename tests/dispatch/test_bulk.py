"""Bulk dispatch: many orders, one preset and service; refusals listed; resumable, once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station.dispatch.bulk import BulkRefused, run_bulk, start_bulk
from station.dispatch.options import DispatchOptions, Sender
from station.models import BulkDispatch, Consignment, PackagePreset, Printer, PrintJob
from tests.builders import add_order, add_printer


def now() -> datetime:
    return datetime.now(UTC)


def test_a_run_ships_each_order_once_and_lists_the_refusals(ctx: Session) -> None:
    printer = add_printer(ctx)
    good = [add_order(ctx, cin7_id=7000 + n).id for n in range(5)]
    void = add_order(ctx, cin7_id=7100, is_void=True).id
    run = start_bulk(
        None,
        [*good, void, good[0]],  # a duplicate tick counts once
        printer=printer,
        service="ownlabel:EC",
        weight_grams=900,
        preset=None,
        cost_centre_id=None,
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
        None,
        ids,
        printer=printer,
        service="ownlabel:ON",
        weight_grams=1200,
        preset=None,
        cost_centre_id=None,
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


def test_each_order_of_a_run_goes_out_in_its_parcels_of_the_preset(ctx: Session) -> None:
    printer = add_printer(ctx)
    preset = PackagePreset(name="Carton", length_mm=400, width_mm=300, height_mm=300)
    ctx.add(preset)
    ids = [add_order(ctx, cin7_id=9100 + n).id for n in range(2)]
    run = start_bulk(
        None,
        ids,
        printer=printer,
        service="ownlabel:EC",
        weight_grams=2500,
        preset=preset,
        cost_centre_id=None,
        parcel_count=3,
    )
    ctx.commit()

    finished = run_bulk(ctx, run.id, options=DispatchOptions(), sender=Sender(), now=now)

    assert finished is not None and finished.shipped == 2
    consignments = ctx.scalars(select(Consignment).order_by(Consignment.id)).all()
    assert [len(c.tickets) for c in consignments] == [3, 3]
    assert {(p.package, p.weight_grams) for c in consignments for p in c.parcels} == {
        ("Carton", 2500)
    }
    labels = ctx.scalars(select(PrintJob.description).order_by(PrintJob.id)).all()
    assert [label.split(" (")[0] for label in labels] == [
        f"SO-{9100 + n} Parcel {i} of 3" for n in range(2) for i in (1, 2, 3)
    ]
    assert finished.results[0]["tickets"] == consignments[0].tickets


@pytest.mark.parametrize("count", [0, 21])
def test_a_parcel_count_out_of_range_is_refused(ctx: Session, count: int) -> None:
    with pytest.raises(BulkRefused, match=f"1 to 20 parcels, not {count}"):
        start_bulk(
            None,
            [1],
            printer=add_printer(ctx),
            service="ownlabel:EC",
            weight_grams=900,
            preset=None,
            cost_centre_id=None,
            parcel_count=count,
        )
