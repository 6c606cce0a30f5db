"""People read names, not codes: carriers by name, printers by how Station reaches them."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from station.extensions import db
from station.models import Printer, Role
from station.shipping.booking import book_consignment
from station.shipping.carriers import own_label
from tests.builders import add_order
from tests.carriers.samples import shipment
from tests.web.conftest import signed_in


def booked(app: Flask) -> int:
    with app.app_context():
        order = add_order(db.session, 5001)
        book_consignment(
            db.session, own_label(db.session), shipment(reference="SO-5001"), key="k-1", order=order
        )
        db.session.commit()
        return order.id


def test_consignments_and_the_order_page_name_the_carrier_and_service(app: Flask) -> None:
    order_id = booked(app)
    manager = signed_in(app, "manager", Role.MANAGER)

    listed = manager.get("/consignments").get_data(as_text=True)
    order = manager.get(f"/orders/{order_id}").get_data(as_text=True)

    for page in (listed, order):
        assert "Own label · Overnight" in page
        assert "ownlabel" not in page.replace('value="ownlabel"', "")  # a filter's value is fine


def test_printers_are_listed_by_how_station_reaches_them(app: Flask) -> None:
    with app.app_context():
        db.session.add_all(
            [
                Printer(
                    name="Zebra", spec={"format": "zpl", "transport": "tcp9100", "host": "10.0.0.9"}
                ),
                Printer(
                    name="Office", spec={"format": "pdf", "transport": "cups", "queue": "office"}
                ),
            ]
        )
        db.session.commit()
    manager: FlaskClient = signed_in(app, "manager", Role.MANAGER)

    page = manager.get("/printers").get_data(as_text=True)

    assert "Network label printer (ZPL, port 9100) · 10.0.0.9:9100" in page
    assert "CUPS queue (PDF) · cups:office" in page
    assert "tcp9100" not in page


def test_the_audit_log_names_transports_and_carriers_in_its_details(app: Flask) -> None:
    manager = signed_in(app, "manager", Role.MANAGER)
    zebra = {
        "name": "Zebra",
        "transport": "tcp9100",
        "format": "zpl",
        "label_size": "4x6",
        "dpi": "203",
        "host": "10.0.0.9",
        "port": "9100",
    }
    assert manager.post("/printers/new", data=zebra).status_code == 302
    assert manager.post("/manifests/ownlabel/cutoff", data={"cutoff": "16:00"}).status_code == 302

    page = manager.get("/audit").get_data(as_text=True)

    assert "transport: Network label printer" in page
    assert "carrier: Own label · cutoff: 16:00" in page
    assert "tcp9100" not in page and "carrier: ownlabel" not in page
