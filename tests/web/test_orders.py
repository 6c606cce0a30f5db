"""The order list and order page, served whole or as htmx fragments."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.cin7.branch_cache import remember_branches
from station.cin7.types import Branch
from station.extensions import db
from station.models import OrderLine, SalesOrder
from station.settings import SettingsStore
from tests.conftest import AuthActions

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def add_orders(app: Flask, count: int) -> None:
    with app.app_context():
        for i in range(count):
            db.session.add(
                SalesOrder(
                    cin7_id=1000 + i,
                    reference=f"SO-{1000 + i}",
                    stage="New",
                    is_approved=True,
                    first_name="Aroha",
                    last_name=f"Ngata{i}",
                    email=f"aroha{i}@example.co.nz",
                    delivery_city="Wellington",
                    delivery_postal_code=f"{6000 + i}",
                    delivery_country="New Zealand",
                    cin7_modified=NOW - timedelta(minutes=i),
                    line_count=1,
                    lines=[OrderLine(code=f"SKU-{i}", name="Kete", qty=Decimal(2))],
                )
            )
        db.session.commit()


@pytest.fixture
def signed_in(client: FlaskClient, auth: AuthActions) -> FlaskClient:
    auth.login()
    return client


def test_lists_orders_newest_edit_first_with_paging(app: Flask, signed_in: FlaskClient) -> None:
    add_orders(app, 60)

    first = signed_in.get("/orders").get_data(as_text=True)
    second = signed_in.get("/orders?page=2").get_data(as_text=True)

    assert "60 orders" in first and "Page 1 of 2" in first
    assert first.index("SO-1000") < first.index("SO-1001")
    assert "SO-1049" in first and "SO-1050" not in first
    assert "SO-1050" in second and "SO-1059" in second


@pytest.mark.parametrize("query", ["SO-1007", "ngata7", "aroha7@", "6007"])
def test_search_finds_by_reference_name_email_or_postcode(
    app: Flask, signed_in: FlaskClient, query: str
) -> None:
    add_orders(app, 20)

    page = signed_in.get(f"/orders?q={query}").get_data(as_text=True)

    assert "SO-1007" in page and "SO-1008" not in page


def test_htmx_gets_only_the_results_fragment(app: Flask, signed_in: FlaskClient) -> None:
    add_orders(app, 3)

    response = signed_in.get("/orders?q=SO-1001", headers={"HX-Request": "true"})

    body = response.get_data(as_text=True)
    assert "<html" not in body and "SO-1001" in body
    assert "HX-Request" in response.headers["Vary"]


def test_search_text_is_escaped(app: Flask, signed_in: FlaskClient) -> None:
    page = signed_in.get("/orders?q=<script>alert(1)</script>").get_data(as_text=True)

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_like_wildcards_in_search_are_literal(app: Flask, signed_in: FlaskClient) -> None:
    add_orders(app, 3)

    page = signed_in.get("/orders?q=%25").get_data(as_text=True)

    assert "0 orders" in page


def test_order_page_shows_lines_and_address(app: Flask, signed_in: FlaskClient) -> None:
    add_orders(app, 1)
    with app.app_context():
        order_id = db.session.query(SalesOrder.id).scalar()

    page = signed_in.get(f"/orders/{order_id}").get_data(as_text=True)

    assert "SO-1000" in page and "SKU-0" in page and "Wellington" in page
    assert re.search(r"<title>(.*?)</title>", page, re.S).group(1) == "SO-1000 · Station"  # type: ignore[union-attr]


def test_order_page_names_the_branch(app: Flask, signed_in: FlaskClient) -> None:
    add_orders(app, 1)
    with app.app_context():
        order = db.session.scalars(select(SalesOrder)).one()
        order.branch_id = 2
        remember_branches(SettingsStore(db.session), [branch(2, "Christchurch Store")], now=NOW)
        db.session.commit()
        order_id = order.id

    page = signed_in.get(f"/orders/{order_id}").get_data(as_text=True)

    assert "<dt>Branch</dt><dd>Christchurch Store (2)</dd>" in page


def branch(branch_id: int, name: str) -> Branch:
    return Branch(branch_id, name, True, "Branch", None, None, None, None)


def test_unknown_order_is_a_clear_404(signed_in: FlaskClient) -> None:
    response = signed_in.get("/orders/999999")

    assert response.status_code == 404
    assert b"No such order in Station." in response.data


def test_header_shows_cin7_calls_and_last_sync(signed_in: FlaskClient) -> None:
    page = signed_in.get("/orders").get_data(as_text=True)

    assert "Cin7 calls today: <strong>0</strong> / 5,000" in page
    assert "Last sync:" in page and "never" in page


def test_packing_slip_lists_the_lines_and_scans_back_to_the_order(
    app: Flask, signed_in: FlaskClient
) -> None:
    import io

    import pypdfium2
    import zxingcpp
    from pypdf import PdfReader

    add_orders(app, 1)
    with app.app_context():
        order_id = db.session.query(SalesOrder.id).scalar()

    response = signed_in.get(f"/orders/{order_id}/packing-slip.pdf")

    assert response.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "SO-1000" in text and "SKU-0" in text and "Kete" in text and "Wellington" in text
    image = pypdfium2.PdfDocument(response.data)[0].render(scale=203 / 72).to_pil()
    assert "SO-1000" in [barcode.text for barcode in zxingcpp.read_barcodes(image)]
