"""Several parcels in one consignment at the bench: rows, prices for all, one Enter, N labels."""

from __future__ import annotations

import re
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.dispatch.parcels import MAX_PARCELS
from station.extensions import db
from station.models import (
    Consignment,
    ConsignmentState,
    JobState,
    OutboxItem,
    OutboxKind,
    PackagePreset,
    PrintJob,
    Role,
)
from station.settings import settings_store
from station.shipping.carriers import save_karrio_carriers
from tests.carriers.samples import GENERIC
from tests.conftest import AuthActions
from tests.web.bench import open_order, rows

WEIGHTS = ["1.2", "4", "0.8"]


def ship_parcels(
    client: FlaskClient, key: str, weights: list[str], **fields: list[str]
) -> tuple[int, str]:
    data = {
        "order_id": "1",
        "key": key,
        "service": "ownlabel:ON",
        "weight": weights,
        "preset_id": fields.pop("preset_id", [""] * len(weights)),
        "dimensions": fields.pop("dimensions", [""] * len(weights)),
    }
    response = client.post("/bench/ship", data=data)
    return response.status_code, response.get_data(as_text=True)


def price_of(
    client: FlaskClient, weights: list[str], service: str = "Own label · Overnight"
) -> str:
    page = client.get(
        "/bench/rates", query_string={"order_id": "1", "weight": weights, "service": "ownlabel:ON"}
    ).get_data(as_text=True)
    return next(price for name, price, _ in rows(page) if name == service)


def test_the_order_has_one_parcel_row_and_a_template_for_more(bench: FlaskClient) -> None:
    page, _ = open_order(bench)

    assert page.count('class="parcel-row"') == 2  # row 1, and the template bench.js copies
    assert re.search(r'<input name="weight" id="weight"[^>]*autofocus', page)
    assert 'id="preset-choice"' in page and f'data-max="{MAX_PARCELS}"' in page
    assert "<kbd>+</kbd> adds a parcel" in page


def test_the_keys_for_parcels_are_in_the_on_screen_help(bench: FlaskClient) -> None:
    page = bench.get("/bench").get_data(as_text=True)

    assert "several parcels: <kbd>+</kbd>" in page and "ships from the last" in page


def test_prices_are_for_the_whole_consignment(bench: FlaskClient) -> None:
    singles = [Decimal(price_of(bench, [w]).split()[1]) for w in WEIGHTS]

    page = bench.get(
        "/bench/rates", query_string={"order_id": "1", "weight": WEIGHTS, "service": "ownlabel:ON"}
    ).get_data(as_text=True)

    overnight = next(price for name, price, _ in rows(page) if name == "Own label · Overnight")
    assert overnight == f"NZD {sum(singles)}"
    assert "Prices for all 3 parcels, 6 kg in all." in page


def test_a_parcel_without_a_weight_is_named_and_no_price_is_shown(bench: FlaskClient) -> None:
    page = bench.get(
        "/bench/rates", query_string={"order_id": "1", "weight": ["1.2", " "]}
    ).get_data(as_text=True)

    assert "Parcel 2 has no weight: type it, or press Backspace" in page
    assert 'data-parcel-row="2"' in page and not rows(page)


def test_a_weight_no_parcel_can_have_offers_to_split_it(bench: FlaskClient) -> None:
    page = bench.get("/bench/rates", query_string={"order_id": "1", "weight": "95"}).get_data(
        as_text=True
    )

    assert "split it into parcels. Press + to add a parcel row." in page
    assert 'data-add-parcels="2"' in page and "Split into 2 parcels" in page


def test_one_enter_ships_three_parcels_as_one_consignment_with_labels_in_order(
    app: Flask, bench: FlaskClient
) -> None:
    _, key = open_order(bench)
    total = Decimal(price_of(bench, WEIGHTS).split()[1])

    status, page = ship_parcels(bench, key, WEIGHTS)

    assert status == 200, page
    assert "3 parcels, 6 kg in all" in page and "(all 3 parcels)" in page
    with app.app_context():
        consignment = db.session.scalars(select(Consignment)).one()
        assert [p.weight_grams for p in consignment.parcels] == [1200, 4000, 800]
        assert len(set(consignment.tickets)) == 3 and ", ".join(consignment.tickets) in page
        jobs = db.session.scalars(select(PrintJob).order_by(PrintJob.id)).all()
        assert [job.description for job in jobs] == [
            f"SO-5001 Parcel {i} of 3 ({ticket})" for i, ticket in enumerate(consignment.tickets, 1)
        ]
        assert all(job.state == JobState.DONE for job in jobs)
        assert [b"Parcel %d of 3" % i in job.payload for i, job in enumerate(jobs, 1)] == [True] * 3
        items = {i.kind: i for i in db.session.scalars(select(OutboxItem))}
        dispatched = items[OutboxKind.DISPATCHED].payload
        assert dispatched["trackingCode"] == consignment.tracking_url
        assert consignment.tracking_url.endswith(consignment.tickets[0])
        assert dispatched["internalComments"] == (
            f"Leave at the door\nTickets (3 parcels): {', '.join(consignment.tickets)}"
        )
        assert consignment.cost == total  # every parcel's price, as the bench showed it


def test_each_row_keeps_its_own_package_or_size(app: Flask, bench: FlaskClient) -> None:
    with app.app_context():
        db.session.add(
            PackagePreset(name="Carton", length_mm=400, width_mm=300, height_mm=300, tare_grams=900)
        )
        db.session.commit()
        preset_id = str(db.session.scalar(select(PackagePreset.id)))
    _, key = open_order(bench)

    status, page = ship_parcels(
        bench,
        key,
        ["2", "1.5", "1.3"],
        preset_id=[preset_id, "", preset_id],
        dimensions=["", "60x40x20", "25x20x5"],
    )

    assert status == 200, page
    with app.app_context():
        parcels = db.session.scalars(select(Consignment)).one().parcels
        assert [(p.package, p.length_mm, p.width_mm, p.height_mm) for p in parcels] == [
            ("Carton", 400, 300, 300),
            (None, 600, 400, 200),
            ("Carton", 250, 200, 50),  # the size typed wins; the preset still names the box
        ]


def test_a_bad_row_refuses_the_consignment_and_names_the_parcel(
    app: Flask, bench: FlaskClient
) -> None:
    _, key = open_order(bench)

    status, page = ship_parcels(bench, key, ["1.2", "abc", "0.8"])

    assert status == 422 and "Parcel 2: Type the weight in kg" in page
    with app.app_context():
        assert db.session.scalars(select(Consignment)).first() is None


def test_more_parcels_than_one_consignment_takes_is_refused_clearly(
    app: Flask, bench: FlaskClient
) -> None:
    _, key = open_order(bench)

    status, page = ship_parcels(bench, key, ["1"] * (MAX_PARCELS + 1))

    assert status == 422
    assert f"One consignment takes at most {MAX_PARCELS} parcels ({MAX_PARCELS + 1} typed)" in page
    with app.app_context():
        assert db.session.scalars(select(Consignment)).first() is None


def test_voiding_voids_every_parcel_and_its_labels_cannot_be_reprinted(
    app: Flask, bench: FlaskClient, auth: AuthActions
) -> None:
    _, key = open_order(bench)
    ship_parcels(bench, key, WEIGHTS)
    with app.app_context():
        consignment_id = db.session.scalar(select(Consignment.id))

    page = bench.post(f"/bench/consignments/{consignment_id}/void").get_data(as_text=True)

    assert "voided (all 3 parcels)" in page
    bench.post("/logout")
    auth.login("manager", role=Role.MANAGER)
    refused = bench.post(
        f"/consignments/{consignment_id}/reprint", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "was voided by packer at" in refused and "can never be printed again" in refused
    with app.app_context():
        consignment = db.session.get(Consignment, consignment_id)
        assert consignment is not None and consignment.state == ConsignmentState.VOIDED
        assert len(consignment.parcels) == 3
        assert db.session.scalars(select(PrintJob).where(PrintJob.kind == "reprint")).all() == []


def test_a_karrio_carrier_books_the_parcels_as_one_multi_piece_shipment(
    app: Flask, bench: FlaskClient
) -> None:
    with app.app_context():
        save_karrio_carriers(settings_store(db.session), [{**GENERIC, "code": "testpost"}])
        db.session.commit()
    _, key = open_order(bench)

    response = bench.post(
        "/bench/ship",
        data={
            "order_id": "1",
            "key": key,
            "service": "testpost:EC",
            "weight": ["1.2", "0.5", "0.9"],
        },
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    with app.app_context():
        consignment = db.session.scalars(select(Consignment)).one()
        assert consignment.carrier == "testpost" and len(set(consignment.tickets)) == 3
        jobs = db.session.scalars(select(PrintJob).order_by(PrintJob.id)).all()
        assert [job.description.split(" (")[0] for job in jobs] == [
            f"SO-5001 Parcel {i} of 3" for i in (1, 2, 3)
        ]
