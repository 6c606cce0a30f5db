"""The bench over HTTP: scan, weigh, Enter, label; clear refusals; void."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.extensions import db
from station.models import (
    Consignment,
    ConsignmentState,
    CostCentre,
    JobState,
    OutboxItem,
    Printer,
    PrintJob,
    Product,
)
from tests.builders import add_order
from tests.web.bench import count, open_order, ship


def test_the_bench_page_has_the_scan_box_focused(bench: FlaskClient) -> None:
    page = bench.get("/bench").get_data(as_text=True)

    assert re.search(r'<input id="scan"[^>]*autofocus', page)
    assert "Labels print on <strong>Bench 1</strong>" in page


def test_a_scan_opens_the_order_with_the_weight_ready(bench: FlaskClient) -> None:
    page, key = open_order(bench, "so-5001")  # scanners and people type either case

    assert "SO-5001" in page and "TEE-BLK-M" in page and "45 Queen Street" in page
    assert re.search(r'<input name="weight"[^>]*autofocus', page) and key.startswith("bench-")


def test_an_unknown_scan_is_a_clear_error_and_the_scan_box_comes_back(
    bench: FlaskClient,
) -> None:
    response = bench.post("/bench/scan", data={"scan": "<b>SO-9</b>"})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "No order matches &#39;&lt;b&gt;SO-9&lt;/b&gt;&#39;" in page
    assert 'id="scan-form"' in page and 'hx-swap-oob="true"' in page


def test_enter_ships_prints_and_queues_the_cin7_update(app: Flask, bench: FlaskClient) -> None:
    _, key = open_order(bench)

    status, page = ship(bench, key)

    assert status == 200 and "SO-5001 shipped" in page
    with app.app_context():
        consignment = db.session.scalars(select(Consignment)).one()
        job = db.session.scalars(select(PrintJob)).one()
        assert consignment.state == ConsignmentState.CREATED
        assert consignment.tickets[0] in page and job.state == JobState.DONE
        assert consignment.created_by is not None and consignment.created_by.username == "packer"
    assert count(app, OutboxItem) == 1


def test_a_double_enter_ships_once(app: Flask, bench: FlaskClient) -> None:
    _, key = open_order(bench)

    ship(bench, key)
    status, _ = ship(bench, key)

    assert status == 200
    assert (count(app, Consignment), count(app, PrintJob)) == (1, 1)


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        ("", "Type the weight in kg"),
        ("heavy", "Type the weight in kg"),
        ("0", "above 0"),
        ("95", "split it"),
    ],
)
def test_a_bad_weight_is_explained_and_nothing_ships(
    app: Flask, bench: FlaskClient, weight: str, message: str
) -> None:
    _, key = open_order(bench)

    status, page = ship(bench, key, weight)

    assert status == 422 and message in page
    assert count(app, Consignment) == 0


@pytest.mark.parametrize("active", [False, None], ids=["retired", "deleted"])
def test_a_cost_centre_gone_since_the_scan_is_refused_not_shipped_at_cost(
    app: Flask, bench: FlaskClient, active: bool | None
) -> None:
    with app.app_context():
        centre = CostCentre(name="Trade", markup_percent=10, active=bool(active))
        db.session.add(centre)
        db.session.commit()
        centre_id = centre.id
        if active is None:  # deleted: nothing names it yet
            db.session.delete(centre)
            db.session.commit()
    _, key = open_order(bench)

    response = bench.post(
        "/bench/ship",
        data={"order_id": "1", "key": key, "weight": "1.25", "service": "ownlabel:ON",
              "cost_centre_id": str(centre_id)},
    )  # fmt: skip

    assert response.status_code == 422
    assert "The cost centre chosen is no longer set up" in response.get_data(as_text=True)
    assert count(app, Consignment) == 0


def test_a_batch_controlled_order_is_refused_at_the_scan(app: Flask, bench: FlaskClient) -> None:
    with app.app_context():
        db.session.add(Product(cin7_id=77, name="Tee", stock_control="Batch"))
        db.session.commit()

    page = bench.post("/bench/scan", data={"scan": "SO-5001"}).get_data(as_text=True)

    assert "SO-5001 cannot ship" in page and "Batch-controlled" in page
    assert 'name="weight"' not in page


def test_void_from_the_bench(app: Flask, bench: FlaskClient) -> None:
    _, key = open_order(bench)
    ship(bench, key)
    with app.app_context():
        consignment_id = db.session.scalar(select(Consignment.id))

    page = bench.post(f"/bench/consignments/{consignment_id}/void").get_data(as_text=True)

    assert "voided" in page and "1 Cin7 update(s) cancelled" in page
    with app.app_context():
        assert db.session.get(Consignment, consignment_id).state == ConsignmentState.VOIDED  # type: ignore[union-attr]


def test_the_bench_needs_a_sign_in(client: FlaskClient) -> None:
    assert client.get("/bench").status_code == 302
    assert client.post("/bench/scan", data={"scan": "x"}).status_code in (302, 401)


def test_a_replayed_enter_after_a_void_says_who_voided_it_and_ships_nothing(
    app: Flask, bench: FlaskClient
) -> None:
    _, key = open_order(bench)
    ship(bench, key)
    with app.app_context():
        consignment_id = db.session.scalar(select(Consignment.id))
    bench.post(f"/bench/consignments/{consignment_id}/void")
    jobs_before = count(app, PrintJob)

    status, page = ship(bench, key)

    assert status == 422 and "shipped" not in page
    assert re.search(r"was voided by packer at \d\d:\d\d NZ[SD]T; scan SO-5001 again", page), page
    assert count(app, Consignment) == 1 and count(app, PrintJob) == jobs_before
    with app.app_context():
        assert db.session.get(Consignment, consignment_id).state == ConsignmentState.VOIDED  # type: ignore[union-attr]


def test_another_orders_form_key_is_refused_with_the_order_it_belongs_to(
    app: Flask, bench: FlaskClient
) -> None:
    with app.app_context():
        add_order(db.session, 5002)
        db.session.commit()
    _, key_a = open_order(bench, "SO-5001")
    open_order(bench, "SO-5002")

    response = bench.post(
        "/bench/ship", data={"order_id": "2", "key": key_a, "weight": "1", "service": "ownlabel:ON"}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "This form is for SO-5001" in page, page
    assert count(app, Consignment) == 0


def test_a_shipped_orders_key_on_another_orders_form_ships_nothing_twice(
    app: Flask, bench: FlaskClient
) -> None:
    with app.app_context():
        add_order(db.session, 5002)
        db.session.commit()
    _, key_a = open_order(bench, "SO-5001")
    ship(bench, key_a)
    jobs_before, writebacks_before = count(app, PrintJob), count(app, OutboxItem)
    open_order(bench, "SO-5002")

    response = bench.post(
        "/bench/ship", data={"order_id": "2", "key": key_a, "weight": "1", "service": "ownlabel:ON"}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "This form is for SO-5001" in page, page
    assert "shipped" not in page
    assert (count(app, PrintJob), count(app, OutboxItem)) == (jobs_before, writebacks_before)


def test_a_printer_on_a_refused_port_fails_the_label_with_the_reason_not_the_request(
    app: Flask, bench: FlaskClient
) -> None:
    # A printer saved before the port limits applied: the order ships, the label fails
    # with the sentence, and the bench says so instead of answering 500.
    with app.app_context():
        printer = db.session.scalars(select(Printer)).one()
        printer.spec = {"format": "zpl", "transport": "tcp9100", "host": "127.0.0.1", "port": 22}
        db.session.commit()
    _, key = open_order(bench)

    status, page = ship(bench, key)

    assert status == 200 and "SO-5001 shipped" in page
    with app.app_context():
        job = db.session.scalars(select(PrintJob)).one()
        assert job.state == JobState.FAILED
        assert "Port 22 is not a printing port" in (job.last_error or "")
