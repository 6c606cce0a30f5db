"""The reports pages over HTTP: managers only, charts and tables, CSV files, empty periods."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from station.extensions import db
from station.models import Role
from tests.builders import add_order
from tests.conftest import AuthActions
from tests.reports.samples import sent, user

NOVEMBER = "from=2026-11-23&to=2026-11-26"
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def manager(app: Flask, client: FlaskClient, auth: AuthActions) -> FlaskClient:
    """A signed-in manager, with three dispatches in late November and one blocked order."""
    with app.app_context():
        ana = user(db.session, "ana", HOSTILE)
        formula = user(db.session, "=cmd|' /C calc'!A0")
        sent(db.session, "2026-11-22 12:30", created_by=ana, charged=Decimal("13.50"))
        sent(db.session, "2026-11-23 22:15", created_by=ana)
        sent(db.session, "2026-11-23 22:45", created_by=formula, carrier="courier")
        add_order(db.session, 9, is_void=True)
        db.session.commit()
    auth.login()
    return client


def test_reports_are_for_managers_only(client: FlaskClient, auth: AuthActions) -> None:
    assert client.get("/reports").status_code == 302  # sign in first
    auth.login("packer", role=Role.PACKER)

    assert client.get("/reports").status_code == 403
    assert client.get("/reports/daily.csv").status_code == 403
    assert 'href="/reports"' not in client.get("/orders").get_data(as_text=True)


def test_a_manager_sees_totals_charts_and_tables_for_the_period(manager: FlaskClient) -> None:
    response = manager.get(f"/reports?{NOVEMBER}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="/reports" aria-current="page">Reports</a>' in page
    assert re.search(r'<span class="value">3</span> dispatches', page)
    assert "NZD 30.00</span> carrier cost" in page and "NZD 37.50</span> charged" in page
    assert re.search(r'<span class="value">3</span> parcels\b', page)
    assert "NZD 7.50</span> markup earned" in page
    assert page.count('<svg class="chart"') == 7  # six dispatch and freight charts, blocked
    assert "2026-11-24: 2" in page  # the day chart's tooltip, in Auckland days
    assert "Void in Cin7" in page and 'href="/orders/1">SO-9</a>' in page


def test_user_text_on_the_page_and_in_charts_is_escaped(manager: FlaskClient) -> None:
    page = manager.get(f"/reports?{NOVEMBER}").get_data(as_text=True)

    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;: 2" in page  # the packer chart's tooltip


def test_an_empty_period_says_so_instead_of_failing(manager: FlaskClient) -> None:
    response = manager.get("/reports?from=2026-12-01&to=2026-12-14")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No dispatches in this period." in page
    assert "Blocked orders by reason" in page  # blocked orders are as of now


def test_dates_that_cannot_be_used_are_explained(manager: FlaskClient) -> None:
    response = manager.get("/reports?from=2026-11-26&to=2026-11-01")

    assert response.status_code == 422
    assert "The start date is after the end date." in response.get_data(as_text=True)


def test_the_carrier_and_packer_filters_narrow_the_page(manager: FlaskClient) -> None:
    page = manager.get(f"/reports?{NOVEMBER}&carrier=courier").get_data(as_text=True)

    assert re.search(r'<span class="value">1</span> dispatch\b', page)
    assert '<option value="courier" selected>courier</option>' in page


def test_each_table_downloads_as_a_csv_file_with_formulas_defused(manager: FlaskClient) -> None:
    response = manager.get(f"/reports/packers.csv?{NOVEMBER}")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="station-packers-2026-11-23-to-2026-11-26.csv"'
    )
    assert response.get_data(as_text=True) == (
        f"Packer,Dispatches\r\n{HOSTILE},2\r\n'=cmd|' /C calc'!A0,1\r\n"
    )


def test_the_freight_csv_has_parcels_cost_charge_markup_and_a_total(manager: FlaskClient) -> None:
    text = manager.get(f"/reports/freight-carriers.csv?{NOVEMBER}").get_data(as_text=True)

    assert text.splitlines() == [
        "Carrier,Currency,Consignments,Parcels,Carrier cost,Charged,Markup earned",
        "Own label,NZD,2,2,20.00,25.50,5.50",
        "courier,NZD,1,1,10.00,12.00,2.00",
        "Total,NZD,3,3,30.00,37.50,7.50",
    ]


def test_an_unknown_report_is_not_found(manager: FlaskClient) -> None:
    assert manager.get("/reports/secrets.csv").status_code == 404


def test_blocked_orders_come_fifty_to_a_page_and_the_csv_has_them_all(
    app: Flask, manager: FlaskClient
) -> None:
    with app.app_context():
        for n in range(10, 130):  # 120 more void orders: 121 blocked rows
            add_order(db.session, n, is_void=True)
        db.session.commit()

    first = manager.get(f"/reports?{NOVEMBER}").get_data(as_text=True)
    last = manager.get(f"/reports?{NOVEMBER}&blocked_page=3").get_data(as_text=True)
    csv = manager.get(f"/reports/blocked-orders.csv?{NOVEMBER}").get_data(as_text=True)

    assert "The numbers (121 rows)" in first
    assert "Page 1 of 3 · rows 1–50 of 121" in first
    assert first.count('href="/orders/') == 50
    next_page = re.search(r'href="(/reports\?[^"]*)" rel="next"', first)
    assert next_page and "blocked_page=2#report-blocked-orders" in next_page[1]
    assert "from=2026-11-23" in next_page[1]  # the filters stay
    assert "Page 3 of 3 · rows 101–121 of 121" in last and last.count('href="/orders/') == 21
    assert 'rel="next"' not in last
    assert len(csv.strip().splitlines()) == 1 + 121
