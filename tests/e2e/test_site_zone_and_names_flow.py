"""What a person reads, in Chromium: every time in the site zone chosen in Settings → Site
(UTC with Z only in exports and the API), and names, not codes, for branches, carriers'
services and printers' connections.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask
from playwright.sync_api import expect

from station.accounts import create_user
from station.extensions import db
from station.inbox.tokens import issue_token
from station.models import Printer, Role
from station.shipping.booking import book_consignment
from station.shipping.carriers import own_label
from station.sitetime import server_zone
from tests.builders import add_order
from tests.carriers.samples import shipment
from tests.e2e.conftest import sign_in
from tests.e2e.test_manager_side import ZONE, expect_times_in_the_site_zone

pytestmark = pytest.mark.e2e

CONFIGURED = "Pacific/Auckland"  # STATION_TIMEZONE in the tests' configuration


def a_booked_order(app: Flask, *, branch_id: int | None = None) -> int:
    """A manager, and an order SO-5001 booked with the own-label carrier; the order's id."""
    with app.app_context():
        manager = create_user(db.session, "manager", "correct horse", role=Role.MANAGER)
        order = add_order(db.session, 5001, branch_id=branch_id)
        book_consignment(
            db.session,
            own_label(db.session),
            shipment(reference="SO-5001"),
            key="e2e-names",
            order=order,
            user=manager,
        )
        db.session.commit()
        return order.id


def open_settings(page: Any, name: str) -> None:
    page.locator("header summary", has_text="Settings").click()
    page.locator("header .nav-menu-items").get_by_role("link", name=name).click()


def test_the_zone_chosen_in_settings_is_every_pages_and_exports_keep_utc(
    page: Any, live_app: tuple[Flask, str], tmp_path: Path
) -> None:
    app, base = live_app
    order_id = a_booked_order(app)
    with app.app_context():
        token = issue_token(None, name="Web shop", shop="kete-co").token
    sign_in(page, base, "manager")
    expect(page.locator("header .zone")).to_have_text(f"Times in {CONFIGURED}")

    open_settings(page, "Site")
    expect(page.locator("main form")).to_contain_text(f"Empty: STATION_TIMEZONE ({CONFIGURED})")
    page.get_by_label("Show every time in").fill(ZONE)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("p.flash-info")).to_have_text(f"Times are shown in {ZONE} now.")

    page.get_by_role("link", name="Inbox").click()
    page.get_by_role("navigation", name="Inbox").get_by_role("link", name="Inventory").click()
    page.get_by_role("button", name="Sync inventory now").click()
    expect(page.locator("#last-inventory-sync")).to_contain_text("stock rows")
    expect_times_in_the_site_zone(page)

    # The export and the API keep UTC, with Z.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.reader(Path(download.value.path()).read_text().splitlines()))
    assert rows[0][-1] == "synced_at" and len(rows) > 1
    assert all(row[-1].endswith("Z") for row in rows[1:]), rows[:3]
    answer = httpx.get(f"{base}/api/v1/inventory", headers={"Authorization": f"Bearer {token}"})
    assert answer.json()["synced_at"].endswith("Z"), answer.json()["synced_at"]

    for path in ("/orders", f"/orders/{order_id}", "/consignments", "/audit"):
        page.goto(f"{base}{path}")
        expect_times_in_the_site_zone(page)

    # Cleared, the zone is STATION_TIMEZONE's again; without that, the server's own.
    open_settings(page, "Site")
    page.get_by_label("Show every time in").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("header .zone")).to_have_text(f"Times in {CONFIGURED}")
    app.config["TIMEZONE"] = ""
    page.reload()
    expect(page.locator("header .zone")).to_have_text(f"Times in {server_zone().key}")
    expect(page.locator("main form")).to_contain_text(f"the server's zone ({server_zone().key})")


def test_people_read_branch_service_and_connection_names_not_codes(
    page: Any, live_app: tuple[Flask, str]
) -> None:
    app, base = live_app
    order_id = a_booked_order(app, branch_id=2)
    with app.app_context():
        add_order(db.session, 5002, branch_id=1)
        db.session.add(
            Printer(
                name="Zebra", spec={"format": "zpl", "transport": "tcp9100", "host": "10.0.0.9"}
            )
        )
        db.session.commit()
    sign_in(page, base, "manager")

    # Branches: named in the order filter and on the order once Cin7's list was read.
    open_settings(page, "Cin7")
    page.get_by_role("button", name="List Cin7 branches").click()
    expect(page.locator("#cin7-branches table.branches")).to_contain_text("Christchurch Store")
    page.get_by_role("link", name="Orders", exact=True).click()
    branch = page.locator("form select[name=branch]")
    expect(branch.locator("option")).to_have_text(
        ["Any", "Auckland Warehouse (1)", "Christchurch Store (2)"]
    )
    branch.select_option(label="Christchurch Store (2)")
    rows = page.locator("table.orders tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("SO-5001")
    rows.first.get_by_role("link", name="SO-5001").click()
    expect(page.locator("dd", has_text="Christchurch Store (2)")).to_be_visible()

    # The carrier and service by name, on the order and in the consignment list.
    expect(page.locator("section.consignment").first).to_contain_text("Own label · Overnight")
    page.get_by_role("link", name="Consignments").click()
    expect(page.locator("table.consignments tbody tr").first).to_contain_text(
        "Own label · Overnight"
    )
    expect(page.locator("select[name=carrier] option")).to_contain_text(["Own label"])
    assert "ownlabel" not in page.locator("main").inner_text()

    # Printers by how Station reaches them.
    page.get_by_role("link", name="Printers").click()
    expect(page.locator("table.printers tr", has_text="Zebra")).to_contain_text(
        "Network label printer (ZPL, port 9100) · 10.0.0.9:9100"
    )
    assert "tcp9100" not in page.locator("main").inner_text()
    page.goto(f"{base}/orders/{order_id}")  # the page a packer opens from the list
    assert "ownlabel" not in page.locator("main").inner_text()
