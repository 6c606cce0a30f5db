"""The CSV import page's help and sample file tell the truth about what the importer needs.

The sample downloads from the page and imports whole; taking away any column the help
calls required leaves orders out, and taking away any column it calls optional does not.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from station.cin7.sandbox.state import SandboxState
from station.models import Role
from tests.web.conftest import signed_in

REQUIRED = [("order_id",), ("quantity",), ("sku", "name"), ("address1",), ("city",), ("country",)]
WHO = ("first_name", "last_name", "company")  # one of them names who it goes to
OPTIONAL = [
    "order_number",
    "email",
    "currency",
    "shipping_method",
    "delivery_instructions",
    "phone",
    "address2",
    "state",
    "postcode",
    "unit_price",
    "BranchId",
    "Stage",
]


@pytest.fixture
def manager(app: Flask) -> FlaskClient:
    return signed_in(app, "manager", Role.MANAGER)


def sample(manager: FlaskClient) -> bytes:
    page = manager.get("/inbox/import").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" download="station-inbox-sample.csv">', page)
    assert link, "the import page links a sample CSV"
    response = manager.get(link[1])
    assert response.status_code == 200
    return response.get_data()


def without(data: bytes, *columns: str) -> bytes:
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    kept = [c for c in rows[0] if c not in columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=kept, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def imported(manager: FlaskClient, data: bytes, shop: str) -> str:
    return manager.post(
        "/inbox/import",
        data={"shop": shop, "csv_file": (io.BytesIO(data), "orders.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    ).get_data(as_text=True)


def test_the_sample_csv_downloads_from_the_page_and_imports_both_its_orders(
    manager: FlaskClient,
) -> None:
    page = imported(manager, sample(manager), "sample")

    assert "2 order(s) imported" in page
    inbox = manager.get("/inbox").get_data(as_text=True)
    assert "#1001" in inbox and "#1002" in inbox


def test_every_sku_in_the_sample_is_a_product_the_demo_cin7_has(
    manager: FlaskClient, sandbox_state: SandboxState
) -> None:
    rows = csv.DictReader(io.StringIO(sample(manager).decode()))
    skus = {row["sku"] for row in rows}
    products = sandbox_state.products.values()
    codes = {option["code"] for product in products for option in product["productOptions"]}

    assert skus - codes == set()  # each sample order can be submitted to the demo's Cin7


def test_the_sample_downloads_as_station_inbox_sample_csv(manager: FlaskClient) -> None:
    page = manager.get("/inbox/import").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" download="station-inbox-sample.csv">', page)
    assert link

    response = manager.get(link[1])

    assert response.headers["Content-Disposition"] == (
        "attachment; filename=station-inbox-sample.csv"
    )
    assert response.mimetype == "text/csv"
    assert response.get_data().startswith(b"order_id,")


def test_the_help_names_every_column_the_sample_has(manager: FlaskClient) -> None:
    help_text = manager.get("/inbox/import").get_data(as_text=True)
    header = next(csv.reader(io.StringIO(sample(manager).decode())))

    for column in header:
        assert re.search(rf"<code>[^<]*\b{column}\b", help_text), column
    for columns in [*REQUIRED, WHO]:
        assert all(f"<code>{c}</code>" in help_text for c in columns), columns


def test_without_any_required_column_orders_are_left_out(manager: FlaskClient) -> None:
    data = sample(manager)
    for columns in [*REQUIRED, WHO]:
        page = imported(manager, without(data, *columns), "-".join(columns)[:40])

        assert "2 order(s) imported" not in page, columns


def test_without_any_one_optional_column_both_orders_still_import(manager: FlaskClient) -> None:
    data = sample(manager)
    for column in OPTIONAL:
        page = imported(manager, without(data, column), column)

        assert "2 order(s) imported" in page, column
