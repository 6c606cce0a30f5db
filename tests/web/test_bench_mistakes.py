"""Mistakes at the bench keep the order open; a shipped order scanned again shows its consignment."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from station.extensions import db
from station.models import Consignment, PackagePreset, PrintJob, Role
from tests.conftest import AuthActions
from tests.web.bench import open_order, scan_item


def ship(client: FlaskClient, key: str, weight: str, **fields: str) -> tuple[int, str, dict]:
    data = {"order_id": "1", "key": key, "weight": weight, "service": "ownlabel:ON", **fields}
    response = client.post("/bench/ship", data=data)
    return response.status_code, response.get_data(as_text=True), dict(response.headers)


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def refused_beside(headers: dict, field: str = "weight") -> bool:
    """The answer goes beside ``field`` and puts the cursor back in it."""
    return headers.get("HX-Retarget") == f"#{field}-error" and json.loads(
        headers["HX-Trigger-After-Settle"]
    ) == {"bench:fix": field}


@pytest.mark.parametrize(
    ("weight", "reason"),
    [
        ("0", "The weight must be above 0"),
        ("-1", "The weight must be above 0"),
        ("abc", "Type the weight in kg, for example 1.25 (not &#39;abc&#39;)"),
        ("500", "500 kg is more than one parcel can weigh (70 kg)"),
    ],
)
def test_a_bad_weight_is_explained_beside_the_box_and_the_order_stays_open(
    app: Flask, bench: FlaskClient, weight: str, reason: str
) -> None:
    _, key = open_order(bench)

    status, page, headers = ship(bench, key, weight)

    assert status == 422 and reason in page and refused_beside(headers)
    assert 'id="weight-error"' in page and 'id="scan-form"' not in page  # the order is not closed
    assert count(app, Consignment) == 0
    status, page, _ = ship(bench, key, "1.3")  # the same opening ships: no re-scan
    assert status == 200 and "SO-5001 shipped" in page


def test_a_weight_over_the_chosen_services_limit_is_refused_beside_the_box(
    app: Flask, bench: FlaskClient
) -> None:
    _, key = open_order(bench)

    status, page, headers = ship(bench, key, "30")

    assert status == 422 and refused_beside(headers)
    assert "The parcel weighs 30 kg, over Overnight&#39;s 25 kg limit" in page
    assert count(app, Consignment) == 0


def test_a_weight_lighter_than_the_empty_box_is_a_weighing_mistake(
    app: Flask, bench: FlaskClient
) -> None:
    with app.app_context():
        box = PackagePreset(name="Big box", length_mm=400, width_mm=300, height_mm=300)
        box.tare_grams = 600
        db.session.add(box)
        db.session.commit()
        preset_id = str(box.id)
    _, key = open_order(bench)

    status, page, headers = ship(bench, key, "0.2", preset_id=preset_id)

    assert status == 422 and refused_beside(headers) and "less than the empty Big box" in page


@pytest.mark.parametrize(
    ("weight", "keyed"),
    [("9400000000017", ""), ("94000000", ""), ("1.25", "scanner")],
)
def test_a_scan_in_the_weight_box_is_refused_not_shipped_as_kilograms(
    app: Flask, bench: FlaskClient, weight: str, keyed: str
) -> None:
    _, key = open_order(bench)

    status, page, headers = ship(bench, key, weight, weight_keyed=keyed)

    assert status == 422 and refused_beside(headers)
    assert "looks like a scanned barcode, not a weight" in page
    assert count(app, Consignment) == 0


def test_an_item_scanned_into_the_weight_box_after_every_item_is_counted_is_an_extra(
    app: Flask,
    verifying: FlaskClient,  # noqa: F811
) -> None:
    _, key = open_order(verifying)
    for code in ("TEE-BLK-M", "TEE-BLK-M", "9400000000017"):
        assert scan_item(verifying, code).status_code == 200

    status, page, headers = ship(verifying, key, "tee-blk-m")

    assert status == 422 and refused_beside(headers)
    assert "TEE-BLK-M was scanned into the weight box: all 3 items are counted" in page
    status, page, headers = ship(verifying, key, "9400000000017")
    assert "MUG-1 was scanned into the weight box" in page
    assert count(app, Consignment) == 0


def test_an_item_scanned_in_the_scan_box_after_every_item_is_counted_is_an_extra(
    verifying: FlaskClient,  # noqa: F811
) -> None:
    open_order(verifying)
    for code in ("TEE-BLK-M", "TEE-BLK-M", "9400000000017"):
        scan_item(verifying, code)

    response = scan_item(verifying, "TEE-BLK-M")

    assert response.status_code == 422
    assert "Extra TEE-BLK-M: all 3 items are counted" in response.get_data(as_text=True)


def test_a_slower_request_with_an_older_cookie_does_not_lose_counted_items(
    app: Flask,
    verifying: FlaskClient,  # noqa: F811
) -> None:
    _, key = open_order(verifying)
    before = verifying.get_cookie("session")
    assert before is not None
    for code in ("TEE-BLK-M", "TEE-BLK-M", "9400000000017"):
        scan_item(verifying, code)

    # A request sent before the scans (a favicon, a print job's status) answers last and
    # puts the older cookie back.
    verifying.set_cookie("session", before.value)
    status, page, _ = ship(verifying, key, "1.3")

    assert status == 200 and "SO-5001 shipped" in page


def test_a_shipped_order_scanned_again_shows_its_consignment_not_a_weight_form(
    app: Flask, bench: FlaskClient
) -> None:
    _, key = open_order(bench)
    ship(bench, key, "1.3")
    with app.app_context():
        ticket = db.session.scalars(select(Consignment)).one().tickets[0]

    page = bench.post("/bench/scan", data={"scan": "SO-5001"}).get_data(as_text=True)

    assert "SO-5001 is already shipped" in page and ticket in page
    assert 'name="weight"' not in page
    assert "Reprint</button>" in page and "Void</button>" in page
    assert re.search(r'class="label-link" href="/printers/jobs/\d+/preview"', page)
    assert 'id="scan-form"' in page and "autofocus" in page  # ready for the next order


def test_another_packer_sees_the_consignment_without_reprint_or_void(
    app: Flask, bench: FlaskClient, auth: AuthActions
) -> None:
    _, key = open_order(bench)
    ship(bench, key, "1.3")
    auth.logout()
    auth.login("other", role=Role.PACKER)

    page = bench.post("/bench/scan", data={"scan": "SO-5001"}).get_data(as_text=True)

    assert "SO-5001 is already shipped" in page
    assert "You cannot reprint or void" in page and "packer booked it, not you" in page
    assert "Reprint</button>" not in page and "Void</button>" not in page
    with app.app_context():
        consignment_id = db.session.scalars(select(Consignment)).one().id
    response = bench.post(f"/bench/consignments/{consignment_id}/reprint")
    assert response.status_code == 403 and count(app, PrintJob) == 1


def test_the_packer_reprints_their_label_from_the_bench(app: Flask, bench: FlaskClient) -> None:
    _, key = open_order(bench)
    ship(bench, key, "1.3")
    with app.app_context():
        consignment_id = db.session.scalars(select(Consignment)).one().id

    response = bench.post(f"/bench/consignments/{consignment_id}/reprint")

    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "sent to Bench 1 again" in page
    assert count(app, PrintJob) == 2


def test_a_voided_orders_scan_opens_it_for_weighing_again(app: Flask, bench: FlaskClient) -> None:
    _, key = open_order(bench)
    ship(bench, key, "1.3")
    with app.app_context():
        consignment_id = db.session.scalars(select(Consignment)).one().id
    bench.post(f"/bench/consignments/{consignment_id}/void")

    page, _ = open_order(bench)

    assert "already shipped" not in page and 'name="weight"' in page
