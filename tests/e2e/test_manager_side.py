"""The manager's side in Chromium: one zone, role-fitted pages, the list's edges, bulk dispatch
to its finished page, a return label, readable charts, and the inbox's settings, CSV sample
and order buttons.

Each test signs in once and walks many pages, since every browser test costs seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from station.accounts import create_user
from station.cin7.sandbox import SandboxServer
from station.extensions import db
from station.models import InboxOrder, Role
from station.printing.setup import ensure_virtual_printer
from station.settings import settings_store
from station.shipping.cutoffs import save_cutoff
from station.sitetime import local, zone
from tests.builders import add_order
from tests.e2e.conftest import screenshot, serve_station, sign_in, sign_in_new_user

pytestmark = pytest.mark.e2e

ZONE = "Asia/Tokyo"  # not the tests' usual Pacific/Auckland, and never UTC
FORMATS = {16: "%Y-%m-%d %H:%M", 19: "%Y-%m-%d %H:%M:%S", 8: "%H:%M:%S", 12: "%H:%M:%S.%f"}
MANAGER_LINKS = ("Inbox", "Needs attention", "Manifests", "Reports")


@pytest.fixture
def tokyo_app(
    tmp_path: Path, sqlite_template: Path, sandbox: SandboxServer
) -> Iterator[tuple[Flask, str]]:
    """Station whose site zone is Tokyo (STATION_TIMEZONE), jobs run inline."""
    with serve_station(tmp_path, sqlite_template, sandbox, TIMEZONE=ZONE) as served:
        yield served


def expect_times_in_the_site_zone(page: Any) -> None:
    """The zone is named once in the header, and every ``<time>`` shows its moment in it."""
    expect(page.locator("header .zone")).to_have_text(f"Times in {ZONE}")
    expect(page.get_by_text("Times in ", exact=False)).to_have_count(1)
    shown = page.locator("main time").evaluate_all(
        "els => els.map(e => [e.getAttribute('datetime'), e.textContent])"
    )
    assert shown, "the page shows no time to check"
    for moment, text in shown:
        assert moment.endswith("Z"), moment
        when = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        assert text == local(when, zone(ZONE), FORMATS[len(text)]), (moment, text)


def labels_overlap(chart: Any) -> list[str]:
    """The x-axis labels of ``chart`` whose boxes overlap the next one's."""
    boxes = chart.locator("text.x-label").evaluate_all(
        "els => els.map(e => { const b = e.getBoundingClientRect();"
        " return [e.textContent, b.left, b.right, b.top, b.bottom]; })"
    )
    return [
        a[0]
        for a, b in zip(boxes, boxes[1:], strict=False)
        if a[2] > b[1] + 0.5 and a[4] > b[3] + 0.5 and b[4] > a[3] + 0.5
    ]


def test_a_manager_bulk_dispatches_what_matches_books_a_return_and_reads_the_reports(
    page: Any, tokyo_app: tuple[Flask, str], sandbox: SandboxServer, tmp_path: Path
) -> None:
    app, base = tokyo_app
    open_ids = [o["id"] for o in sandbox.state.orders.values() if o["dispatchedDate"] is None]
    with app.app_context():
        create_user(db.session, "manager", "correct horse", role=Role.MANAGER)
        create_user(db.session, "packer", "correct horse", role=Role.PACKER)
        ensure_virtual_printer(db.session, tmp_path / "labels")
        for n, cin7_id in enumerate(open_ids[:4]):
            add_order(db.session, cin7_id=cin7_id, reference=f"SO-ALL-{n}")
        add_order(db.session, cin7_id=open_ids[4], reference="SO-ALL-VOID", is_void=True)
        db.session.commit()
    sign_in(page, base, "manager")

    # The Blocked filter shows why, in the list's own column.
    page.goto(f"{base}/orders?blocked=yes")
    row = page.locator("table.orders tbody tr", has_text="SO-ALL-VOID")
    expect(page.locator("table.orders thead")).to_contain_text("Can ship")
    expect(row.locator("td.can-ship .reasons")).to_contain_text("void in Cin7")
    row.get_by_role("link", name="SO-ALL-VOID").click()  # its page gives the bench's reasons
    expect(page.locator("#cannot-ship")).to_contain_text("the order is void in Cin7")
    expect(page.locator("header nav [aria-current=page]")).to_have_text("Orders")

    # A page past the end says so, and lands on the last one.
    page.goto(f"{base}/orders?q=SO-ALL&page=99")
    expect(page.locator("#past-the-end")).to_have_text(
        "Page 99 is past the end of this list: 5 orders match. This is the last page."
    )
    expect(page.locator("nav.pager")).to_contain_text("Page 1 of 1")

    # Bulk dispatch every order the search matches, the count said beside the box.
    page.goto(f"{base}/orders?q=SO-ALL")
    expect_times_in_the_site_zone(page)
    page.get_by_label("Select all 5 orders that match").check()
    page.get_by_label("Weight each (kg)").fill("0.8")
    page.get_by_role("button", name="Dispatch the ticked orders").click()

    finished = page.locator("#bulk-progress")
    expect(finished.locator("label[for=bulk-bar]")).to_contain_text(
        "5 of 5 handled · 4 shipped · 1 refused · finished"
    )
    shipped = finished.locator("table.bulk-shipped tbody tr")
    expect(shipped).to_have_count(4)
    for n in range(4):
        expect(shipped.nth(n).locator("td").nth(1).get_by_role("link")).not_to_have_count(0)
    expect(finished.locator("table.bulk-refused")).to_contain_text("SO-ALL-VOID")
    expect(finished.get_by_role("button", name="Print all labels again")).to_be_visible()
    screenshot(page, "bulk-finished")
    finished.get_by_role("button", name="Print all labels again").click()
    expect(page.locator("p.flash-info")).to_have_text(
        "4 label(s) of 4 consignment(s) sent to Virtual printer again."
    )

    # One shipped order's page: its return label, booked and shown, times in the zone.
    first = shipped.first.locator("td").first.inner_text()
    shipped.first.get_by_role("link", name=first).click()
    expect(page.get_by_role("heading", name=first)).to_be_visible()
    page.get_by_role("button", name="Return label").click()
    expect(page.locator("p.flash-info")).to_contain_text(f"booked for {first}")
    expect(page.locator("section.consignment h2", has_text="Return Consignment")).to_be_visible()
    expect(page.get_by_role("button", name="Return label")).to_have_count(0)  # booked once
    expect_times_in_the_site_zone(page)
    when = page.locator("#audit-trail table.audit time").first.bounding_box()
    assert when is not None and when["height"] < 30, when  # one line beside a long detail
    page.locator("section.consignment").first.evaluate("e => e.scrollIntoView()")  # both in view
    screenshot(page, "order-return-label")

    # Reports: every chart has a legend and both axes named, no axis label over another.
    page.get_by_role("link", name="Reports").click()
    charts = page.locator("svg.chart[role=img]")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 4
    for chart in charts.all():
        name = chart.get_attribute("aria-label")
        assert chart.locator("text.legend").count() >= 1, name
        titles = chart.locator("text.axis-title")
        assert titles.count() == 2 and all(t.strip() for t in titles.all_text_contents()), name
        assert not labels_overlap(chart), name

    # The manifest cut-off has passed: the manager is warned; the packer is not.
    with app.app_context():
        save_cutoff(settings_store(db.session), "ownlabel", "00:00")
        db.session.commit()
    page.goto(f"{base}/orders")
    expect(page.get_by_role("alert").filter(has_text="not manifested")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, base, "packer")
    nav = page.locator("header nav")
    expect(nav.get_by_role("link", name="Bench")).to_be_visible()
    for name in MANAGER_LINKS:
        expect(nav.get_by_role("link", name=name)).to_have_count(0)
    expect(nav.locator("details.nav-menu")).to_have_count(0)  # no Settings, Audit or Users
    expect(page.get_by_text("not manifested")).to_have_count(0)
    nav.get_by_role("link", name="Printers").click()
    expect(page.get_by_role("heading", name="Printers")).to_be_visible()
    expect(page.get_by_role("link", name="Print agents")).to_have_count(0)
    expect(page.get_by_role("link", name="Add a printer")).to_have_count(0)


def test_a_manager_sets_the_stock_interval_imports_the_sample_and_follows_an_order(
    page: Any, tokyo_app: tuple[Flask, str], sandbox: SandboxServer, tmp_path: Path
) -> None:
    app, _ = tokyo_app
    sign_in_new_user(page, tokyo_app, "manager", Role.MANAGER)
    page.get_by_role("link", name="Inbox").click()

    # The inventory sync interval, each choice with the Cin7 calls a day it spends.
    page.get_by_role("navigation", name="Inbox").get_by_role("link", name="Settings").click()
    interval = page.get_by_label("Sync inventory from Cin7")
    expect(interval.locator("option")).to_contain_text(
        ["Off", "Every 15 min (about 96 Cin7 calls a day)"], use_inner_text=True
    )
    expect(page.locator("#inventory-sync-cost")).to_contain_text("One Cin7 call per 250")
    interval.select_option(label="Every hour (about 24 Cin7 calls a day)")
    page.locator("#inbox-options").get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("p.flash-info")).to_have_text("Inbox settings saved.")
    expect(page.get_by_label("Sync inventory from Cin7")).to_have_value("60")

    # Where BranchId is chosen, Cin7's branches are listed by name; folders are edited.
    page.get_by_role("button", name="List Cin7 branches").click()
    expect(page.locator("#inbox-cin7-branches table.branches tbody tr")).to_have_count(3)
    page.get_by_label("New folder").fill("Wholesale")
    page.get_by_role("button", name="Add folder").click()
    expect(page.locator("p.flash-info")).to_have_text("Folder Wholesale added.")
    page.get_by_label("New name for Wholesale").fill("Trade")
    page.locator("#inbox-folders tr", has_text="Wholesale").get_by_role(
        "button", name="Rename"
    ).click()
    expect(page.locator("p.flash-info")).to_have_text("Folder Wholesale renamed to Trade.")
    page.locator("#inbox-folders tr", has_text="Trade").get_by_role("button", name="Remove").click()
    expect(page.locator("p.flash-info")).to_have_text("Folder Trade removed.")

    # The CSV help names the required columns; its sample downloads by name and imports.
    page.get_by_role("navigation", name="Inbox").get_by_role("link", name="Import a CSV").click()
    columns = page.locator("table.csv-columns")
    for column in ("order_id", "quantity", "sku", "address1", "city", "country", "last_name"):
        expect(columns.locator("code", has_text=column).first).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download a sample CSV").click()
    download = download_info.value
    assert download.suggested_filename == "station-inbox-sample.csv"
    sample = tmp_path / download.suggested_filename
    download.save_as(sample)
    page.get_by_label("Shop").fill("kete-co")
    page.get_by_label("CSV file").set_input_files(sample)
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-report")).to_contain_text("2 order(s) imported")

    # One order's page: Submit to Cin7, then Check shipment once Cin7 has dispatched it.
    page.get_by_role("navigation", name="Inbox").get_by_role("link", name="Orders").click()
    page.get_by_role("link", name="#1001").click()
    expect(page.get_by_role("button", name="Check shipment")).to_have_count(0)
    page.get_by_role("button", name="Submit to Cin7 now").click()
    expect(page.locator("p.flash-info")).to_contain_text("1 order(s) scheduled to Cin7")
    check = page.get_by_role("button", name="Check shipment")
    expect(check).to_be_visible()
    expect(page.get_by_role("button", name="Submit to Cin7 now")).to_have_count(0)
    with app.app_context():
        cin7_id = db.session.scalars(
            db.select(InboxOrder.cin7_id).where(InboxOrder.reference == "#1001")
        ).one()
    sandbox.state.touch_order(cin7_id, stage="Dispatched")
    check.click()
    expect(page.get_by_role("heading", name="#1001 Shipped")).to_be_visible()
    expect(page.get_by_role("button", name="Check shipment")).to_have_count(0)
