"""The consignment list: newest first, filtered, paged, with label and write-back states."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from station.extensions import db
from station.models import (
    Consignment,
    ConsignmentParcel,
    ConsignmentState,
    JobState,
    OutboxItem,
    OutboxKind,
    OutboxState,
    Printer,
)
from station.reports.period import Period
from station.shipping.booking import book_consignment
from station.shipping.carriers import own_label
from station.shipping.consignments import ConsignmentFilter, list_consignments
from station.shipping.labels import queue_consignment_labels
from tests.builders import add_order
from tests.carriers.samples import shipment
from tests.reports.samples import AUCKLAND, sent

EVERYTHING = ConsignmentFilter()


@pytest.fixture
def ctx(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session


def refs(ctx: Session, filters: ConsignmentFilter) -> list[str]:
    return [row.consignment.reference for row in list_consignments(ctx, filters).rows]


@pytest.fixture
def three(ctx: Session) -> None:
    sent(ctx, "2026-11-23 01:00", reference="SO-1")
    sent(ctx, "2026-11-24 01:00", reference="SO-2", carrier="courier")
    sent(ctx, "2026-11-25 01:00", reference="SO-3", state=ConsignmentState.VOIDED)
    ctx.commit()


def test_the_newest_consignment_comes_first_and_pages_hold_per_page(
    ctx: Session, three: None
) -> None:
    first = list_consignments(ctx, EVERYTHING, page=1, per_page=2)
    second = list_consignments(ctx, EVERYTHING, page=2, per_page=2)

    assert [r.consignment.reference for r in first.rows] == ["SO-3", "SO-2"]
    assert [r.consignment.reference for r in second.rows] == ["SO-1"]
    assert (first.total, first.pages, first.has_next, second.has_prev) == (3, 2, True, True)


def test_status_carrier_and_local_day_narrow_the_list(ctx: Session, three: None) -> None:
    day = Period(
        date(2026, 11, 23), date(2026, 11, 23), AUCKLAND
    )  # 22 Nov 11:00 to 23 Nov 11:00 UTC

    assert refs(ctx, ConsignmentFilter(state=ConsignmentState.VOIDED)) == ["SO-3"]
    assert refs(ctx, ConsignmentFilter(carrier="courier")) == ["SO-2"]
    assert refs(ctx, ConsignmentFilter(created_from=day.start, created_before=day.end)) == ["SO-1"]


def test_search_finds_part_of_a_ticket_or_an_order_reference(ctx: Session) -> None:
    for n, reference in enumerate(("SO-1042", "SO-2042", "SO_7"), 1):
        sent(ctx, f"2026-11-23 0{n}:00", reference=reference)
    ticketed = sent(ctx, "2026-11-23 05:00", reference="SO-9")
    ticketed.parcels.append(ConsignmentParcel(position=1, weight_grams=500, ticket="ON00451"))
    ctx.commit()

    assert refs(ctx, ConsignmentFilter(search="1042")) == ["SO-1042"]
    assert refs(ctx, ConsignmentFilter(search="so-")) == ["SO-9", "SO-2042", "SO-1042"]
    assert refs(ctx, ConsignmentFilter(search="0045")) == ["SO-9"]
    assert refs(ctx, ConsignmentFilter(search="_")) == ["SO_7"]  # not a LIKE wildcard


def booked(ctx: Session, reference: str) -> Consignment:
    order = add_order(ctx, int(reference.removeprefix("SO-")), reference=reference)
    return book_consignment(
        ctx, own_label(ctx), shipment(reference=reference), key=reference, order=order
    )


def owe(ctx: Session, consignment: Consignment, *states: OutboxState) -> None:
    for n, state in enumerate(states):
        ctx.add(
            OutboxItem(
                kind=list(OutboxKind)[n],
                state=state,
                dedupe_key=f"{consignment.reference}-{n}",
                order_id=consignment.order_id,
                consignment=consignment,
                payload={},
            )
        )


def test_each_row_says_where_its_labels_and_cin7_updates_are(ctx: Session) -> None:
    printer = Printer(name="Bench 1", spec={"format": "zpl", "transport": "memory"})
    printed, waiting, unprinted = booked(ctx, "SO-1"), booked(ctx, "SO-2"), booked(ctx, "SO-3")
    for job in queue_consignment_labels(ctx, printed, printer):
        job.state = JobState.DONE
    queue_consignment_labels(ctx, waiting, printer)
    owe(ctx, printed, OutboxState.DONE, OutboxState.PENDING)
    owe(ctx, waiting, OutboxState.DONE, OutboxState.FAILED)
    owe(ctx, unprinted, OutboxState.CANCELLED)
    sent(ctx, "2026-11-23 01:00", reference="SO-4")  # typed in from the carrier's portal
    ctx.commit()

    rows = list_consignments(ctx, EVERYTHING).rows

    assert {r.consignment.reference: (r.printed, r.writeback) for r in rows} == {
        "SO-1": ("printed", "pending"),
        "SO-2": ("queued", "failed"),
        "SO-3": ("not printed", "cancelled"),
        "SO-4": ("no label", "none"),
    }
