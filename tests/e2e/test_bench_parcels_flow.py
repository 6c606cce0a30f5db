"""A three-parcel order shipped from the keyboard: three labels in order at a Zebra, one
Cin7 update, then a void that takes every parcel and a reprint that is refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from printers.testing import ZebraListener
from station.accounts import create_user
from station.cin7.sandbox import SandboxServer
from station.dispatch.jobs import run_outbox
from station.dispatch.options import DispatchOptions, FreightPush, save_options
from station.dispatch.parcels import MAX_PARCELS
from station.extensions import db
from station.models import Consignment, ConsignmentState, Printer, Role
from station.printing.setup import ensure_virtual_printer
from station.settings import settings_store
from tests.builders import add_order
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def zebra() -> Iterator[ZebraListener]:
    with ZebraListener() as listener:
        yield listener


def tab_to(page: Any, name: str, *, limit: int = 40) -> None:
    """Press Tab until the button or link called ``name`` has the focus."""
    for _ in range(limit):
        if page.evaluate("document.activeElement?.textContent?.trim()") == name:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{name!r} not reached with {limit} Tabs")


def test_three_parcels_three_labels_in_order_one_cin7_update_then_void_all(
    page: Any,
    browser: Any,
    live_app: tuple[Flask, str],
    sandbox: SandboxServer,
    zebra: ZebraListener,
) -> None:
    app, base = live_app
    cin7_id = next(o["id"] for o in sandbox.state.orders.values() if o["dispatchedDate"] is None)
    with app.app_context():
        create_user(db.session, "packer", "correct horse", role=Role.PACKER)
        create_user(db.session, "boss", "correct horse", role=Role.MANAGER)
        db.session.add(
            Printer(
                name="Zebra",
                spec={
                    "format": "zpl",
                    "transport": "tcp9100",
                    "host": "127.0.0.1",
                    "port": zebra.port,
                    "check_status": False,
                },
            )
        )
        add_order(db.session, cin7_id=cin7_id, reference="SO-E2E-3P", internal_comments=None)
        save_options(settings_store(db.session), DispatchOptions(freight_push=FreightPush.COST))
        db.session.commit()
    sign_in(page, base, "packer")
    page.on("dialog", lambda dialog: dialog.accept())  # "Void consignment …?"

    page.goto(f"{base}/bench")
    expect(page.locator("#scan")).to_be_focused()
    page.keyboard.type("SO-E2E-3P")
    page.keyboard.press("Enter")
    expect(page.locator("#weight")).to_be_focused()
    page.keyboard.type("1.2")
    page.keyboard.press("+")  # a second parcel
    expect(page.locator("#weight-2")).to_be_focused()
    page.keyboard.type("4")
    page.keyboard.press("Insert")  # and a third
    expect(page.locator("#weight-3")).to_be_focused()
    page.keyboard.type("0.8")
    expect(page.locator("#bench-rates")).to_contain_text("Prices for all 3 parcels, 6 kg in all.")
    overnight = page.locator("#bench-rates tr", has_text="Overnight").locator("td.num")
    quoted = Decimal(overnight.inner_text().split()[1])
    screenshot(page, "bench-parcels")
    expect(page.locator("#weight-3")).to_be_focused()  # prices arrive without taking the focus
    page.keyboard.press("Enter")  # on the last parcel: ship

    expect(page.get_by_role("heading", name="SO-E2E-3P shipped · Overnight")).to_be_visible()
    expect(page.locator(".bench-shipped")).to_contain_text("3 parcels, 6 kg in all")
    expect(page.locator("#scan")).to_be_focused()
    labels = zebra.wait_for_jobs(3)
    with app.app_context():
        consignment = db.session.scalars(select(Consignment)).one()
        tickets, url, cost = consignment.tickets, consignment.tracking_url, consignment.cost
    assert len(labels) == 3 and len(set(tickets)) == 3
    for number, (label, ticket) in enumerate(zip(labels, tickets, strict=True), 1):
        assert f"Parcel {number} of 3".encode() in label and ticket.encode() in label
    assert cost == quoted  # the price shown for all three is what was charged
    puts = [
        item
        for r in sandbox.state.api_calls()
        if r.method == "PUT"
        for item in r.body
        if item["id"] == cin7_id
    ]
    dispatched = [item for item in puts if item.get("stage") == "Dispatched"]
    assert len(dispatched) == 1
    assert dispatched[0]["trackingCode"] == url and url.endswith(tickets[0])
    assert dispatched[0]["internalComments"] == f"Tickets (3 parcels): {', '.join(tickets)}"
    with app.app_context():
        run_outbox()  # the worker's next pass: freight follows the Dispatched update
    order = sandbox.state.orders[cin7_id]
    assert order["stage"] == "Dispatched" and Decimal(str(order["freightTotal"])) == cost

    # A manager has the consignment list open in another browser while the packer voids.
    manager = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
    sign_in(manager, base, "boss")
    manager.goto(f"{base}/consignments")
    expect(manager.locator("td.tickets")).to_have_text(", ".join(tickets))

    tab_to(page, "Void")
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("heading", name=re.compile(r"voided \(all 3 parcels\)"))
    ).to_be_visible()
    with app.app_context():
        voided = db.session.scalars(select(Consignment)).one()
        assert voided.state == ConsignmentState.VOIDED and len(voided.parcels) == 3

    tab_to(manager, "Actions")  # the row's menu, still offering a reprint on the stale page
    manager.keyboard.press("Enter")
    tab_to(manager, "Reprint")
    manager.keyboard.press("Enter")
    expect(manager.get_by_role("alert")).to_contain_text("can never be printed again")
    expect(manager.locator(f"#consignment-{voided.id} .consignment-voided")).to_be_visible()
    assert len(zebra.jobs) == 3  # nothing printed again
    manager.context.close()


def a_packer_and_an_order(app: Flask, tmp_path: Any, *, cin7_id: int, reference: str) -> None:
    """User "packer", the virtual printer and one order to ship."""
    with app.app_context():
        create_user(db.session, "packer", "correct horse", role=Role.PACKER)
        ensure_virtual_printer(db.session, tmp_path / "labels")
        add_order(db.session, cin7_id=cin7_id, reference=reference)
        db.session.commit()


def test_parcel_rows_come_and_go_from_the_keyboard_and_a_heavy_weight_offers_a_split(
    page: Any, live_app: tuple[Flask, str], sandbox: SandboxServer, tmp_path: Any
) -> None:
    app, base = live_app
    a_packer_and_an_order(app, tmp_path, cin7_id=4242, reference="SO-E2E-ROWS")
    complaints: list[str] = []  # htmx says so when an attribute it reads finds nothing
    page.on("console", lambda m: complaints.append(m.text) if m.type == "error" else None)
    sign_in(page, base, "packer")
    page.goto(f"{base}/bench")
    page.keyboard.type("SO-E2E-ROWS")
    page.keyboard.press("Enter")
    expect(page.locator("#weight")).to_be_focused()

    page.keyboard.type("95")
    expect(page.locator("#bench-rates")).to_contain_text("Press + to add a parcel row.")
    assert not [c for c in complaints if "hx-" in c], complaints  # the prices' refresh
    expect(page.get_by_role("button", name=re.compile("Split into 2 parcels"))).to_be_visible()
    page.keyboard.press("+")
    expect(page.locator("#weight-2")).to_be_focused()
    expect(page.locator(".parcel-row .parcel-number")).to_have_text(["1", "2"])
    page.keyboard.press("Backspace")  # the new row is empty: it goes, the cursor goes back
    expect(page.locator("#weight-2")).to_have_count(0)
    expect(page.locator("#weight")).to_be_focused()
    expect(page.locator("#weight")).to_have_value("95")

    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.type("20")
    for _ in range(MAX_PARCELS - 1):
        page.keyboard.press("+")
        page.keyboard.type("1")
    expect(page.locator(".parcel-row")).to_have_count(MAX_PARCELS)
    page.keyboard.press("+")
    expect(page.locator("#parcel-keys")).to_have_text(
        f"One consignment takes at most {MAX_PARCELS} parcels."
    )
    expect(page.locator(".parcel-row")).to_have_count(MAX_PARCELS)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="SO-E2E-ROWS shipped · Overnight")).to_be_visible()


def test_at_1024_by_768_a_three_parcel_order_is_usable_without_scrolling_sideways(
    browser: Any, live_app: tuple[Flask, str], tmp_path: Any
) -> None:
    app, base = live_app
    a_packer_and_an_order(app, tmp_path, cin7_id=4343, reference="SO-E2E-1024")
    context = browser.new_context(viewport={"width": 1024, "height": 768})  # a bench laptop
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, base, "packer")
    page.goto(f"{base}/bench")
    page.keyboard.type("SO-E2E-1024")
    page.keyboard.press("Enter")
    expect(page.locator("#weight")).to_be_focused()
    page.keyboard.type("1.2")
    page.keyboard.press("+")
    page.keyboard.type("4")
    page.keyboard.press("+")
    page.keyboard.type("0.8")
    expect(page.locator("#bench-rates")).to_contain_text("Prices for all 3 parcels, 6 kg in all.")
    expect(page.locator(".htmx-added, .htmx-settling, .htmx-request")).to_have_count(0)

    assert page.evaluate("document.scrollingElement.scrollWidth") <= 1024
    for what in (
        "#scan",
        ".bench-order h2",
        "#weight",
        "#weight-2",
        "#weight-3",
        "#bench-rates tr.cheapest",
        ".ship-form button[type=submit]",
    ):
        box = page.locator(what).first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1024, (what, box)
    screenshot(page, "bench-1024")
    page.keyboard.press("Enter")  # on the last parcel, as at any width: ship
    expect(page.get_by_role("heading", name="SO-E2E-1024 shipped · Overnight")).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 1024
    context.close()
