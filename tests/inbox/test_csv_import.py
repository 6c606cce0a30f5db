"""CSV import: rows grouped into orders, problems by row number, bad orders left out whole."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station.inbox.csv_import import (
    MAX_CSV_BYTES,
    Batching,
    CsvReport,
    RowProblem,
    import_csv,
)
from station.inbox.errors import CsvRejected
from station.models import InboxOrder
from tests.inbox.samples import HEADER, ROWS, csv_bytes, orders_csv

NOW = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)


def run(session: Session, data: bytes, **kwargs: object) -> CsvReport:
    report = import_csv(
        session, data, shop="csv", filename="orders.csv", now=NOW, actor=None, **kwargs
    )
    session.commit()
    return report


def stored(session: Session) -> list[str]:
    return list(session.scalars(select(InboxOrder.reference).order_by(InboxOrder.id)))


def test_rows_with_one_order_id_make_one_order(ctx: Session) -> None:
    report = run(ctx, csv_bytes(*ROWS))

    assert report == CsvReport(("#A1", "#A2"), (), 0, (), ())
    order = ctx.scalar(select(InboxOrder).where(InboxOrder.reference == "#A1"))
    assert order is not None and order.source == "csv"
    assert [(line["sku"], line["quantity"]) for line in order.lines] == [
        ("MUG-SAND", 2),
        ("SOCKS-GREY", 1),
    ]
    assert order.checkout == {"BranchId": "1", "Stage": "New"}
    assert order.source_payload["first_row"] == 2 and len(order.source_payload["rows"]) == 2


def test_a_bad_row_leaves_its_whole_order_out_and_names_the_row(ctx: Session) -> None:
    bad_line = "A1,,,,,,,,,SOCKS-GREY,Socks,none,29.00,,"

    report = run(ctx, csv_bytes(ROWS[0], bad_line, ROWS[2]))

    assert report.imported == ("#A2",) and report.left_out == 1
    assert report.problems == (
        RowProblem(3, "quantity must be a whole number from 1 to 1,000,000"),
    )
    assert stored(ctx) == ["#A2"]


def test_order_level_problems_land_on_the_first_row_and_disagreements_on_theirs(
    ctx: Session,
) -> None:
    no_city = "B1,#B1,not-an-email,Ana,Rua,3 Miro St,,1010,New Zealand,MUG-SAND,Mug,1,24,7x,"
    disagrees = "B1,,other@example.nz,,,,,,,SOCKS-GREY,Socks,1,29,,"

    report = run(ctx, csv_bytes(no_city, disagrees))

    assert report.problems == (
        RowProblem(3, "email is 'other@example.nz' but row 2 of order B1 says 'not-an-email'"),
    )
    report = run(ctx, csv_bytes(no_city))
    assert report.problems == (
        RowProblem(2, "email is not an email address"),
        RowProblem(2, "city is required"),
        RowProblem(2, "BranchId must be a Cin7 branch id (a whole number above 0)"),
    )
    assert stored(ctx) == []


def test_importing_the_same_file_twice_keeps_one_of_each(ctx: Session) -> None:
    run(ctx, csv_bytes(*ROWS))

    again = run(ctx, csv_bytes(*ROWS))

    assert again.imported == () and again.already_there == ("#A1", "#A2")
    assert stored(ctx) == ["#A1", "#A2"]


def test_a_changed_order_under_a_known_id_is_left_out(ctx: Session) -> None:
    run(ctx, csv_bytes(*ROWS))

    report = run(ctx, csv_bytes(ROWS[0].replace(",2,24.00", ",5,24.00"), ROWS[1]))

    assert report.left_out == 1 and report.problems[0].row == 2
    assert "already in the inbox (as #A1) with different content" in report.problems[0].message


def test_unknown_columns_are_reported_and_blank_lines_skipped(ctx: Session) -> None:
    data = csv_bytes(ROWS[2] + ",gift", "", ",,,", header=HEADER + ",wrapping")

    report = run(ctx, data)

    assert report.imported == ("#A2",) and report.ignored_columns == ("wrapping",)


def test_a_row_with_more_cells_than_columns_is_a_problem(ctx: Session) -> None:
    report = run(ctx, csv_bytes(ROWS[2] + ",surprise"))

    assert report.problems == (RowProblem(2, "has more cells than the header has columns"),)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"x" * (MAX_CSV_BYTES + 1), "larger than 10 MB; nothing was imported"),
        ("order_id,sku,quantity\nA1,MUG,1\n".encode("utf-16"), "not UTF-8 text"),
        (b"", "order_id, quantity, sku are missing"),
        (b"order_id,sku\nA1,MUG-SAND\n", "quantity is missing"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(
    ctx: Session, data: bytes, message: str
) -> None:
    with pytest.raises(CsvRejected, match=message):
        run(ctx, data)

    assert ctx.scalar(select(func.count()).select_from(InboxOrder)) == 0


def test_the_order_keeps_its_rows_as_the_file_had_them(ctx: Session) -> None:
    run(ctx, csv_bytes(ROWS[2] + ",gift", header=HEADER + ",Wrapping"))

    order = ctx.scalar(select(InboxOrder))
    assert order is not None
    assert order.source_payload["file"] == "orders.csv"
    assert order.source_payload["rows"][0]["Wrapping"] == "gift"
    assert order.source_payload["rows"][0]["order_id"] == "A2"


class ImportCut(Exception):
    """The process running an import went away between two batches."""


def test_an_import_cut_between_batches_keeps_whole_orders_and_a_retry_stores_the_rest(
    ctx: Session,
) -> None:
    data = orders_csv(5)
    batching = Batching(orders=2, seconds=60)
    calls: list[int] = []

    def cut_as_the_third_batch_begins(done: int) -> None:
        calls.append(done)
        if len(calls) == 5:  # begin, end of the first batch; begin, end of the second
            raise ImportCut

    with pytest.raises(ImportCut):
        run(ctx, data, batching=batching, progress=cut_as_the_third_batch_begins)
    ctx.rollback()
    kept = ctx.scalars(select(InboxOrder).order_by(InboxOrder.id)).all()
    assert [o.reference for o in kept] == ["#C0", "#C1", "#C2", "#C3"]
    assert all([e.kind for e in o.events] == ["imported"] for o in kept)

    again = run(ctx, data, batching=batching)

    assert again.imported == ("#C4",)
    assert again.already_there == ("#C0", "#C1", "#C2", "#C3")
    assert stored(ctx) == ["#C0", "#C1", "#C2", "#C3", "#C4"]


def test_progress_is_written_with_each_batch_as_it_begins_and_ends(ctx: Session) -> None:
    seen: list[int] = []

    run(ctx, orders_csv(5), batching=Batching(orders=2, seconds=60), progress=seen.append)

    assert seen == [0, 2, 2, 4, 4, 5]


def test_a_batch_ends_when_its_time_is_up_even_short_of_its_orders(ctx: Session) -> None:
    seen: list[int] = []

    run(ctx, orders_csv(3), batching=Batching(orders=200, seconds=0), progress=seen.append)

    assert seen == [0, 1, 1, 2, 2, 3]  # one order each: a batch always stores at least one
