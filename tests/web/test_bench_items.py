"""Verify items at the bench: each scan counts against the order, and Enter waits for all."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from station.extensions import db
from station.models import Consignment
from tests.web.bench import open_order, scan_item, ship


def scanned(page: str) -> dict[str, str]:
    """The "Scanned" column by SKU, e.g. ``{"TEE-BLK-M": "1 / 2"}``."""
    rows = re.findall(r"<td>([^<]+)</td><td>[^<]*</td>\s*<td class=\"num\">([^<]+)</td>", page)
    return dict(rows)


def consignments(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Consignment)) or 0


def test_verification_is_off_until_the_packer_turns_it_on(bench: FlaskClient) -> None:
    page = bench.get("/bench").get_data(as_text=True)
    assert re.search(
        r'<input type="checkbox" name="verify" id="verify-items" value="on" hx-post', page
    )

    note = bench.post("/bench/verify", data={"verify": "on"}).get_data(as_text=True)

    assert "verified from the next order you open" in note
    assert re.search(
        r'id="verify-items" value="on" checked', bench.get("/bench").get_data(as_text=True)
    )


def test_with_verification_the_order_opens_for_item_scans(verifying: FlaskClient) -> None:
    page, _ = open_order(verifying)

    assert scanned(page) == {"TEE-BLK-M": "0 / 2", "MUG-1": "0 / 1"}
    assert 'hx-post="/bench/items"' in page and "Scan each item of SO-5001" in page
    assert re.search(r'<input id="scan"[^>]*autofocus', page)
    assert not re.search(r'<input name="weight"[^>]*autofocus', page)


def test_the_right_sku_and_barcode_count_against_their_lines(verifying: FlaskClient) -> None:
    open_order(verifying)

    first = scan_item(verifying, "tee-blk-m")
    second = scan_item(verifying, "9400000000017")

    assert first.status_code == 200 and first.headers["HX-Trigger"] == "bench:item"
    assert "TEE-BLK-M 1 / 2" in first.get_data(as_text=True)
    assert scanned(second.get_data(as_text=True)) == {"TEE-BLK-M": "1 / 2", "MUG-1": "1 / 1"}


def test_a_code_not_on_the_order_is_a_loud_error_and_does_not_count(
    verifying: FlaskClient,
) -> None:
    open_order(verifying)

    wrong = scan_item(verifying, "<b>HAT</b>")
    after = scan_item(verifying, "TEE-BLK-M").get_data(as_text=True)

    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and wrong.headers["HX-Trigger"] == "bench:error"
    assert "&#39;&lt;b&gt;HAT&lt;/b&gt;&#39; is not on SO-5001" in page and "<b>HAT" not in page
    assert 'class="bench-items bench-error"' in page
    assert scanned(after)["TEE-BLK-M"] == "1 / 2"


def test_one_item_too_many_is_an_error(verifying: FlaskClient) -> None:
    open_order(verifying)
    scan_item(verifying, "MUG-1")

    response = scan_item(verifying, "MUG-1")

    assert response.status_code == 422
    assert "Too many MUG-1: all 1 are already scanned" in response.get_data(as_text=True)


def test_another_orders_reference_is_refused_rather_than_switching(
    verifying: FlaskClient,
) -> None:
    open_order(verifying)

    response = scan_item(verifying, "SO-5002")

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "SO-5002 is another order. SO-5001 is still open" in page
    assert "still to scan TEE-BLK-M (2 of 2), MUG-1 (1 of 1)" in page
    assert "Scan each item of SO-5001" in page


def test_enter_before_every_item_is_scanned_is_refused_and_lists_what_is_missing(
    app: Flask, verifying: FlaskClient
) -> None:
    _, key = open_order(verifying)
    scan_item(verifying, "TEE-BLK-M")
    scan_item(verifying, "MUG-1")

    response = verifying.post(
        "/bench/ship",
        data={"order_id": "1", "key": key, "weight": "1.25", "service": "ownlabel:ON"},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422 and response.headers["HX-Retarget"] == "#bench-items"
    assert "SO-5001 cannot ship yet: still to scan TEE-BLK-M (1 of 2)." in page
    assert consignments(app) == 0


def test_enter_ships_once_every_item_is_scanned(app: Flask, verifying: FlaskClient) -> None:
    _, key = open_order(verifying)
    scan_item(verifying, "TEE-BLK-M")
    scan_item(verifying, "MUG-1")

    last = scan_item(verifying, "TEE-BLK-M")
    status, page = ship(verifying, key)

    assert last.headers["HX-Trigger-After-Settle"] == "bench:items-complete"
    assert "every item scanned" in last.get_data(as_text=True)
    assert status == 200 and "SO-5001 shipped" in page
    assert consignments(app) == 1


def test_opening_the_order_again_starts_the_count_again(verifying: FlaskClient) -> None:
    open_order(verifying)
    scan_item(verifying, "MUG-1")

    page, _ = open_order(verifying)

    assert scanned(page) == {"TEE-BLK-M": "0 / 2", "MUG-1": "0 / 1"}


def test_turning_verification_off_opens_the_next_order_for_the_weight(
    app: Flask, verifying: FlaskClient
) -> None:
    verifying.post("/bench/verify", data={})

    page, key = open_order(verifying)

    assert "Scan each item" not in page and re.search(r'<input name="weight"[^>]*autofocus', page)
    assert ship(verifying, key)[0] == 200


def test_an_item_scan_for_an_order_not_open_here_says_to_scan_it_again(
    verifying: FlaskClient,
) -> None:
    response = scan_item(verifying, "TEE-BLK-M")

    assert response.status_code == 422 and response.headers["HX-Retarget"] == "#bench-order"
    assert "no longer open here: scan it again" in response.get_data(as_text=True)
