"""A manager imports shop orders from a CSV and submits them to Cin7, in real Chromium; a
country rule reads every spelling of a country, and a DispatchedDate checkout field sent to
Cin7 does not make an order shipped."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from station.cin7.sandbox import SandboxServer
from station.extensions import db
from station.models import InboxOrder, Role
from tests.e2e.conftest import add_folder_rule, screenshot, sign_in_new_user
from tests.inbox.samples import ROWS, csv_bytes

pytestmark = pytest.mark.e2e


@pytest.fixture
def sandbox_orders() -> int:
    return 5


def test_a_manager_imports_a_csv_and_submits_an_order_to_cin7(
    page: Any, live_app: tuple[Flask, str], sandbox: SandboxServer
) -> None:
    sign_in_new_user(page, live_app, "manager", Role.MANAGER)

    page.get_by_role("link", name="Inbox").click()
    page.get_by_role("link", name="Import a CSV").click()
    page.get_by_label("Shop").fill("kete-co")
    page.get_by_label("CSV file").set_input_files(
        {"name": "orders.csv", "mimeType": "text/csv", "buffer": csv_bytes(*ROWS)}
    )
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-report")).to_contain_text("2 order(s) imported")

    page.get_by_role("navigation", name="Inbox").get_by_role("link", name="Orders").click()
    expect(page.get_by_role("link", name="New 2")).to_be_visible()
    page.get_by_label("Select #A1").check()
    screenshot(page, "inbox")
    page.get_by_role("button", name="Submit to Cin7 now").click()
    expect(page.get_by_role("status")).to_contain_text("1 order(s) scheduled to Cin7")

    page.get_by_role("link", name="Submitted 1").click()
    page.get_by_role("link", name="#A1").click()
    expect(page.get_by_role("heading", name="#A1 Submitted")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("After order submitted")
    made = [o for o in sandbox.state.orders.values() if o["customerOrderNo"] == "#A1"]
    assert len(made) == 1 and made[0]["branchId"] == 1


COUNTRY_ROWS = (
    "K1,#K1,kiri@example.nz,Kiri,Hona,1 Rata Road,Nelson,7010,NZ,MUG-SAND,Mug,1,24.00,2026-05-01",
    "K2,#K2,sam@example.nz,Sam,Tane,2 Kauri Lane,Napier,4110,New Zealand,MUG-SAND,Mug,1,24.00,",
    "K3,#K3,ash@example.au,Ash,Lee,3 Gum Street,Sydney,2000,Australia,MUG-SAND,Mug,1,24.00,",
)
COUNTRY_HEADER = (
    "order_id,order_number,email,first_name,last_name,address1,city,postcode,country,"
    "sku,name,quantity,unit_price,DispatchedDate"
)


def test_a_country_rule_matches_every_spelling_and_a_dispatched_date_ships_nothing(
    page: Any, live_app: tuple[Flask, str], sandbox: SandboxServer
) -> None:
    app, _ = live_app
    sign_in_new_user(page, live_app, "manager", Role.MANAGER)
    # "nz" in the rule; "NZ" and "New Zealand" on the orders: one country.
    inbox_nav = add_folder_rule(
        page, folder="Kiwi", rule="New Zealand orders", field="country", value="nz"
    )

    inbox_nav.get_by_role("link", name="Import a CSV").click()
    page.get_by_label("Shop").fill("kete-co")
    page.get_by_label("CSV file").set_input_files(
        {
            "name": "orders.csv",
            "mimeType": "text/csv",
            "buffer": csv_bytes(*COUNTRY_ROWS, header=COUNTRY_HEADER),
        }
    )
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-report")).to_contain_text("3 order(s) imported")
    inbox_nav.get_by_role("link", name="Orders").click()
    page.get_by_role("link", name="Kiwi 2").click()
    expect(page.locator("table.inbox-orders")).to_contain_text("#K1")
    expect(page.locator("table.inbox-orders")).to_contain_text("#K2")
    expect(page.locator("table.inbox-orders")).not_to_contain_text("#K3")

    # #K1's DispatchedDate goes to Cin7, and the shipment check does not call it shipped.
    page.get_by_role("link", name="#K1").click()
    page.get_by_role("button", name="Submit to Cin7 now").click()
    expect(page.locator("p.flash-info")).to_contain_text("1 order(s) scheduled to Cin7")
    with app.app_context():
        cin7_id = db.session.scalars(
            db.select(InboxOrder.cin7_id).where(InboxOrder.reference == "#K1")
        ).one()
    assert sandbox.state.orders[cin7_id]["dispatchedDate"].startswith("2026-05-01")
    page.get_by_role("button", name="Check shipment").click()
    expect(page.locator("p.flash-info")).to_contain_text("Checking shipments with Cin7 now")
    expect(page.get_by_role("heading", name="#K1 Submitted")).to_be_visible()
    expect(page.get_by_role("button", name="Check shipment")).to_be_visible()

    sandbox.state.touch_order(cin7_id, stage="Dispatched")  # packed and sent in Cin7
    page.get_by_role("button", name="Check shipment").click()
    expect(page.get_by_role("heading", name="#K1 Shipped")).to_be_visible()
