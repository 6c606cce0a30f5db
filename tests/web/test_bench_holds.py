"""An order open at one bench is held: the other benches see by whom and cannot ship it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from station.db import utcnow
from station.extensions import db
from station.models import OrderHold
from tests.web.bench import open_order, ship

pytestmark = pytest.mark.both_databases


def test_the_second_bench_sees_who_holds_the_order_and_cannot_ship_it(
    benches: tuple[FlaskClient, FlaskClient],
) -> None:
    first, second = benches
    _, key = open_order(first)

    page = second.post("/bench/scan", data={"scan": "SO-5001"}).get_data(as_text=True)
    status, refused = ship(second, "bench-2-key")

    assert "it is open at Bench 1 by aroha since" in page and 'name="weight"' not in page
    assert status == 422 and "open at Bench 1 by aroha" in refused
    assert ship(first, key)[0] == 200


def test_shipping_or_putting_down_releases_the_hold(
    app: Flask, benches: tuple[FlaskClient, FlaskClient]
) -> None:
    first, second = benches
    open_order(first)
    first.post("/bench/orders/1/release")

    page, _ = open_order(second)

    assert "open at" not in page
    with app.app_context():
        hold = db.session.get(OrderHold, 1)
        assert hold is not None and hold.user.username == "ben"


def test_a_lapsed_hold_can_be_taken_over(
    app: Flask, benches: tuple[FlaskClient, FlaskClient]
) -> None:
    first, second = benches
    open_order(first)
    with app.app_context():
        hold = db.session.get(OrderHold, 1)
        assert hold is not None
        hold.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()

    page, key = open_order(second)

    assert "open at" not in page and ship(second, key)[0] == 200
