"""A manager voids a consignment from the consignment list, in real Chromium."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from station.accounts import create_user
from station.extensions import db
from station.models import Role
from station.shipping.booking import book_consignment
from station.shipping.carriers import own_label
from tests.builders import add_order
from tests.carriers.samples import shipment
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e


def test_a_manager_voids_a_consignment_from_the_list(
    page: Any, live_app: tuple[Flask, str]
) -> None:
    app, base = live_app
    with app.app_context():
        manager = create_user(db.session, "manager", "correct horse", role=Role.MANAGER)
        order = add_order(db.session, 5001)
        booked = book_consignment(
            db.session,
            own_label(db.session),
            shipment(reference="SO-5001"),
            key="e2e-void",
            order=order,
            user=manager,
        )
        db.session.commit()
        ticket, row_id = booked.tickets[0], f"#consignment-{booked.id}"
    sign_in(page, base, "manager")

    page.get_by_role("link", name="Consignments").click()
    row = page.locator(row_id)
    expect(row).to_contain_text(ticket)
    expect(row.locator(".consignment-created")).to_have_text("created")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_text("Actions").click()  # reprint and void wait in the row's menu
    row.get_by_role("button", name="Void").click()

    expect(page.locator(row_id).locator(".consignment-voided")).to_have_text("voided")
    expect(page.locator("#consignment-message")).to_contain_text(f"Consignment {ticket} voided")
    expect(page.locator(row_id).get_by_role("button", name="Void")).to_have_count(0)


def test_the_consignments_list_reads_on_one_line_a_row_at_1280_pixels(
    page: Any, live_app: tuple[Flask, str]
) -> None:
    app, base = live_app
    with app.app_context():
        manager = create_user(db.session, "manager", "correct horse", role=Role.MANAGER)
        for n in range(3):
            order = add_order(db.session, 6000 + n, reference=f"SO-2026-{6000 + n}")
            book_consignment(
                db.session,
                own_label(db.session),
                shipment(reference=order.reference),
                key=f"e2e-wide-{n}",
                order=order,
                user=manager,
            )
        db.session.commit()
    sign_in(page, base, "manager")

    page.get_by_role("link", name="Consignments").click()
    rows = page.locator("table.consignments tbody tr")
    expect(rows).to_have_count(3)

    lines = """cells => cells.map(cell => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
    })"""
    for cell in ("td:nth-child(1)", "td:nth-child(2)", "td.tickets", "td.actions summary"):
        assert set(rows.locator(cell).evaluate_all(lines)) == {1}, cell  # one line each
    width = page.evaluate(
        "document.querySelector('table.consignments').getBoundingClientRect().right"
    )
    assert width <= 1280  # no sideways scrolling at 1280 px
    screenshot(page, "consignments")
