"""A packer's mistakes at the bench keep the order open (or show what was shipped), in Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import func, select

from station.accounts import create_user
from station.cin7.sandbox import SandboxServer
from station.extensions import db
from station.models import Consignment, OrderLine, Role, SalesOrder
from station.printing.setup import ensure_virtual_printer
from tests.builders import add_order
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def packer(
    page: Any, live_app: tuple[Flask, str], sandbox: SandboxServer, tmp_path: Path
) -> tuple[Flask, str]:
    """A packer signed in at a bench; SO-E2E-6 has 6 items: 4 tees and 2 mugs (by barcode)."""
    app, base = live_app
    cin7_id = next(o["id"] for o in sandbox.state.orders.values() if o["dispatchedDate"] is None)
    with app.app_context():
        create_user(db.session, "packer", "correct horse", role=Role.PACKER)
        ensure_virtual_printer(db.session, tmp_path / "labels")
        order = add_order(db.session, cin7_id=cin7_id, reference="SO-E2E-6")
        order.lines[0].qty = Decimal(4)
        order.lines.append(
            OrderLine(position=2, code="MUG-1", name="Mug", qty=Decimal(2), barcode="9400000000017")
        )
        db.session.commit()
    sign_in(page, base, "packer")
    return app, base


@pytest.fixture
def small_page(browser: Any) -> Iterator[Any]:
    """A bench laptop's or tablet's window: 1024 × 768."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def settled(page: Any) -> None:
    """Wait for htmx to settle the last swap (it focuses ``autofocus`` fields only then)."""
    expect(page.locator(".htmx-added, .htmx-settling, .htmx-request")).to_have_count(0)


def open_order(page: Any, base: str, reference: str = "SO-E2E-6") -> None:
    page.goto(f"{base}/bench")
    expect(page.locator("#scan")).to_be_focused()
    page.keyboard.type(reference)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=reference)).to_be_visible()
    settled(page)


def consignments(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Consignment)) or 0


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("0", "The weight must be above 0"),
        ("-1", "The weight must be above 0"),
        ("abc", "Type the weight in kg, for example 1.25 (not 'abc')"),
        ("500", "500 kg is more than one parcel can weigh (70 kg)"),
    ],
)
def test_a_bad_weight_is_explained_beside_the_box_and_the_order_stays_open(
    page: Any, packer: tuple[Flask, str], typed: str, reason: str
) -> None:
    app, base = packer
    open_order(page, base)
    expect(page.locator("#weight")).to_be_focused()

    page.keyboard.type(typed)
    page.keyboard.press("Enter")

    expect(page.locator("#weight-error")).to_contain_text(reason)
    expect(page.get_by_role("heading", name="SO-E2E-6")).to_be_visible()  # still open
    expect(page.locator("#weight")).to_be_focused()
    expect(page.locator("#weight")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("body")).to_have_attribute("data-feedback", "error")
    if typed == "500":
        screenshot(page, "bench-bad-weight")

    page.keyboard.type("1.3")  # the bad weight is selected: typing replaces it
    expect(page.locator("#weight-error")).to_be_hidden()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="SO-E2E-6 shipped · Overnight")).to_be_visible()
    assert consignments(app) == 1


def test_an_item_scanned_after_every_item_is_counted_is_refused_as_an_extra_not_a_weight(
    page: Any, packer: tuple[Flask, str], sandbox: SandboxServer
) -> None:
    app, base = packer
    page.goto(f"{base}/bench")
    page.locator("#verify-items").check()
    expect(page.locator("#verify-note")).to_contain_text("verified from the next order")
    open_order(page, base)
    expect(page.locator("#scan")).to_be_focused()
    scans = [("TEE-BLK-M", "TEE-BLK-M", n) for n in range(1, 5)]
    scans += [("9400000000017", "MUG-1", n) for n in (1, 2)]
    for code, label, n in scans:
        page.keyboard.type(code)
        page.keyboard.press("Enter")
        expect(page.locator("#bench-items [role=status]")).to_contain_text(f"{label} {n} / ")
        settled(page)
    expect(page.locator("#bench-items")).to_contain_text("every item scanned")
    expect(page.locator("#weight")).to_be_focused()

    page.keyboard.type("TEE-BLK-M")  # a seventh item, scanned into the weight box
    page.keyboard.press("Enter")

    expect(page.locator("#weight-error")).to_contain_text("all 6 items are counted")
    expect(page.locator("#weight-error")).to_contain_text(
        "TEE-BLK-M was scanned into the weight box"
    )
    expect(page.locator("#weight")).to_be_focused()
    screenshot(page, "bench-extra-item")

    settled(page)
    page.keyboard.type("9400000000017")  # a mug's barcode: also an extra
    page.keyboard.press("Enter")
    expect(page.locator("#weight-error")).to_contain_text("MUG-1 was scanned into the weight box")

    settled(page)
    page.keyboard.type("94000000000999")  # a barcode-length number that is on no line
    page.keyboard.press("Enter")
    expect(page.locator("#weight-error")).to_contain_text("looks like a scanned barcode")
    expect(page.locator("#weight-error")).to_contain_text("all 6 items are counted")
    settled(page)  # the cursor is back in the box, its text selected
    assert consignments(app) == 0

    page.keyboard.type("2.4")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="SO-E2E-6 shipped · Overnight")).to_be_visible()
    assert consignments(app) == 1


def test_scanner_speed_keys_in_the_weight_box_are_marked_and_refused(
    page: Any, packer: tuple[Flask, str]
) -> None:
    app, base = packer
    open_order(page, base)
    keyed = page.locator('input[name="weight_keyed"]')

    # Keys a few ms apart ending in Enter (dispatched in one go: a scanner's pace) ...
    page.evaluate(
        """() => {
          const box = document.getElementById("weight");
          for (const key of "1.2345") box.dispatchEvent(new KeyboardEvent("keydown", {key, bubbles: true}));
          box.value = "1.2345";
          box.dispatchEvent(new KeyboardEvent("keydown", {key: "Enter", bubbles: true}));
        }"""
    )
    expect(keyed).to_have_value("scanner")
    page.locator(".ship-form").evaluate("form => form.requestSubmit()")
    expect(page.locator("#weight-error")).to_contain_text(
        "'1.2345' looks like a scanned barcode, not a weight"
    )
    expect(page.locator("#weight")).to_be_focused()
    assert consignments(app) == 0

    settled(page)

    # ... while a person's keys (100 ms apart here) are a weight.
    page.keyboard.type("1.25", delay=100)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="SO-E2E-6 shipped · Overnight")).to_be_visible()
    assert consignments(app) == 1


@pytest.mark.parametrize("field", ["#preset-choice", "#service-choice", "[name=cost_centre_id]"])
def test_enter_on_a_select_of_the_open_order_ships_it(
    page: Any, packer: tuple[Flask, str], field: str
) -> None:
    app, base = packer
    open_order(page, base)
    page.keyboard.type("1.3")
    page.locator(field).focus()
    expect(page.locator(field)).to_be_focused()

    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name=re.compile(r"^SO-E2E-6 shipped"))).to_be_visible()
    expect(page.locator("#scan")).to_be_focused()
    assert consignments(app) == 1


def test_scanning_a_shipped_order_again_shows_its_consignment_not_a_weight_form(
    page: Any, packer: tuple[Flask, str]
) -> None:
    app, base = packer
    open_order(page, base)
    page.keyboard.type("1.3")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="SO-E2E-6 shipped · Overnight")).to_be_visible()
    ticket = page.locator(".bench-shipped .ticket").inner_text()
    expect(page.locator("#scan")).to_be_focused()

    page.keyboard.type("SO-E2E-6")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="SO-E2E-6 is already shipped")).to_be_visible()
    expect(page.locator(".bench-shipped-before .ticket")).to_have_text(ticket)
    expect(page.locator("#weight")).to_have_count(0)
    expect(page.locator(".bench-shipped-before a.label-link")).to_have_count(1)
    expect(page.get_by_role("button", name="Reprint")).to_be_visible()
    expect(page.get_by_role("button", name="Void")).to_be_visible()
    expect(page.locator("#scan")).to_be_focused()
    screenshot(page, "bench-rescan-shipped")

    page.get_by_role("button", name="Reprint").click()
    expect(page.locator(".bench-shipped-before")).to_contain_text("sent to")
    assert consignments(app) == 1


def test_at_1024_by_768_the_whole_bench_is_visible_without_scrolling(
    small_page: Any, packer: tuple[Flask, str]
) -> None:
    app, base = packer
    with app.app_context():  # a long order with a note: the lines scroll in their own box
        order = db.session.scalars(select(SalesOrder)).one()
        order.delivery_instructions = "Leave at the back door, beside the roller door."
        for position in range(3, 11):
            order.lines.append(
                OrderLine(position=position, code=f"SOCK-{position}", name="Socks", qty=Decimal(1))
            )
        db.session.commit()
    page = small_page
    sign_in(page, base, "packer")
    open_order(page, base)
    page.keyboard.type("1.3")
    expect(page.locator("#bench-rates tr.cheapest")).to_be_visible()
    settled(page)

    for what in (
        "#scan",
        ".bench-order h2",
        ".bench-order address",
        "#weight",
        "#bench-rates tr.cheapest",
        ".ship-form button[type=submit]",
    ):
        box = page.locator(what).first.bounding_box()
        assert box is not None, what
        assert box["x"] >= 0 and box["y"] >= 0, (what, box)
        assert box["x"] + box["width"] <= 1024 and box["y"] + box["height"] <= 768, (what, box)
    assert page.evaluate("() => [window.scrollX, window.scrollY]") == [0, 0]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 1024
    # the README's bench-1024.png is the three-parcel bench (test_bench_parcels_flow)


def test_a_scan_entered_before_the_page_was_ready_still_opens_the_order(
    page: Any, packer: tuple[Flask, str]
) -> None:
    """With the page's scripts not run yet, Enter submits the scan form as a plain GET."""
    _, base = packer
    page.route("**/*.js", lambda route: route.abort())  # the scripts never arrive
    page.goto(f"{base}/bench")
    page.locator("#scan").fill("SO-E2E-6")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/bench\?scan=SO-E2E-6$"))
    page.unroute("**/*.js")

    page.reload()  # the scripts arrive this time; the page opens what was scanned

    expect(page.locator("#weight")).to_be_focused()
    expect(page.locator("#bench-order")).to_contain_text("SO-E2E-6")
