"""Prices at the bench: every carrier's rate for the open order, cheapest marked."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.extensions import db
from station.models import PackagePreset, SalesOrder
from station.settings import settings_store
from station.shipping.carriers import save_karrio_carriers
from tests.carriers.samples import GENERIC
from tests.web.bench import open_order, rows, ship


def rates(client: FlaskClient, weight: str = "1.25", **args: str) -> str:
    query = {"order_id": "1", "weight": weight, "service": "ownlabel:ON", **args}
    response = client.get("/bench/rates", query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_order_panel_asks_for_prices_when_the_weight_or_package_changes(
    bench: FlaskClient,
) -> None:
    page, _ = open_order(bench)

    rates_div = re.search(r'<div id="bench-rates"[^>]*>', page)
    assert rates_div and 'hx-get="/bench/rates"' in rates_div.group(0)
    assert 'hx-target="this"' in rates_div.group(0)  # not the ship form's #bench-order
    # every parcel row's weight, package and size; and a row added or removed
    assert "input delay:500ms from:#bench-parcels" in rates_div.group(0)
    assert "bench:parcels from:#bench-parcels" in rates_div.group(0)
    assert "Type the weight to see prices." in page


def test_prices_are_shown_with_the_cheapest_marked_and_the_choice_highlighted(
    bench: FlaskClient,
) -> None:
    page = rates(bench, service="ownlabel:HV")

    assert rows(page) == [
        ("Own label · Overnight", "NZD 8.20", ""),
        ("Own label · Economy", "NZD 6.60", "cheapest"),
        ("Own label · Heavy", "NZD 38.00", "chosen"),
    ]
    assert page.count('aria-current="true"') == 1


def test_the_package_preset_changes_the_price(app: Flask, bench: FlaskClient) -> None:
    with app.app_context():
        db.session.add(
            PackagePreset(name="Carton", length_mm=400, width_mm=300, height_mm=300, tare_grams=900)
        )
        db.session.commit()
        preset_id = db.session.scalar(select(PackagePreset.id))

    too_light = rates(bench, "0.5", preset_id=str(preset_id))
    heavier = rates(bench, "3.5", preset_id=str(preset_id))

    assert "less than the empty Carton" in too_light and not rows(too_light)
    assert rows(heavier)[0] == ("Own label · Overnight", "NZD 9.90", "chosen")


def test_a_carrier_that_cannot_rate_says_why_and_shipping_is_not_blocked(
    app: Flask, bench: FlaskClient
) -> None:
    with app.app_context():
        save_karrio_carriers(settings_store(db.session), [{**GENERIC, "code": "testpost"}])
        db.session.scalars(select(SalesOrder)).one().delivery_postal_code = "0010"
        db.session.commit()
    _, key = open_order(bench)

    page = rates(bench, service="testpost:EC")

    assert "Rates unavailable: Own label: no zone covers NZ postcode 0010" in page
    assert rows(page) == [
        ("Test Post · Overnight", "NZD 9.80", ""),
        ("Test Post · EC", "NZD 5.20", "chosen cheapest"),
    ]
    status, shipped = ship(bench, key, service="testpost:EC")
    assert status == 200 and "SO-5001 shipped · EC" in shipped


def test_cheapest_is_marked_across_carriers(app: Flask, bench: FlaskClient) -> None:
    with app.app_context():
        save_karrio_carriers(settings_store(db.session), [{**GENERIC, "code": "testpost"}])
        db.session.commit()

    page = rates(bench)

    cheapest = [service for service, _, tags in rows(page) if "cheapest" in tags]
    assert cheapest == ["Test Post · EC"] and "Rates unavailable" not in page


def test_a_missing_or_bad_weight_asks_for_one_without_rating(bench: FlaskClient) -> None:
    assert "Type the weight to see prices." in rates(bench, " ")
    assert "Type the weight in kg, for example 1.25 (not &#39;heavy&#39;)" in rates(bench, "heavy")


def test_rates_need_a_sign_in_and_an_order(bench: FlaskClient) -> None:
    assert bench.get("/bench/rates", query_string={"order_id": "99"}).status_code == 404
    bench.post("/logout")
    assert bench.get("/bench/rates", query_string={"order_id": "1"}).status_code in (302, 401)


def test_shipping_is_unchanged_by_pricing(app: Flask, bench: FlaskClient) -> None:
    _, key = open_order(bench)
    rates(bench)

    status, page = ship(bench, key)

    assert status == 200 and "SO-5001 shipped · Overnight" in page
