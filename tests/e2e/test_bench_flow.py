"""A packer ships an order with the keyboard only, in Chromium; Cin7 (the sandbox) hears of it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from station.accounts import create_user
from station.cin7.sandbox import SandboxServer
from station.extensions import db
from station.models import Role
from station.printing.setup import ensure_virtual_printer
from tests.builders import add_order
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e


def test_scan_weigh_enter_prints_and_updates_cin7_without_a_mouse(
    page: Any, live_app: tuple[Flask, str], sandbox: SandboxServer, tmp_path: Path
) -> None:
    app, base = live_app
    cin7_id = next(o["id"] for o in sandbox.state.orders.values() if o["dispatchedDate"] is None)
    with app.app_context():
        create_user(db.session, "packer", "correct horse", role=Role.PACKER)
        ensure_virtual_printer(db.session, tmp_path / "labels")
        add_order(db.session, cin7_id=cin7_id, reference="SO-E2E-1")
        db.session.commit()
    sign_in(page, base, "packer")

    page.goto(f"{base}/bench")
    expect(page.locator("#scan")).to_be_focused()
    page.keyboard.type("SO-E2E-1")
    page.keyboard.press("Enter")
    expect(page.locator("#weight")).to_be_focused()
    page.keyboard.type("1.3")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="SO-E2E-1 shipped · Overnight")).to_be_visible()
    expect(page.locator(".bench-shipped .ticket")).to_have_text(re.compile(r"^ON\d+$"))
    expect(page.locator(".bench-shipped img.label-preview")).to_be_visible()
    expect(page.locator("#scan")).to_be_focused()  # the next scan is ready at once
    screenshot(page, "bench")
    assert sandbox.state.orders[cin7_id]["stage"] == "Dispatched"

    page.keyboard.type("no-such-order")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("No order matches 'no-such-order'")
    expect(page.locator("#scan")).to_be_focused()


def settled(page: Any) -> None:
    """Wait for htmx to settle the last swap (it focuses ``autofocus`` fields only then)."""
    expect(page.locator(".htmx-added, .htmx-settling")).to_have_count(0)


def test_verified_items_wrong_sku_refused_right_skus_then_enter_ships_without_a_mouse(
    page: Any, live_app: tuple[Flask, str], sandbox: SandboxServer, tmp_path: Path
) -> None:
    app, base = live_app
    cin7_id = next(o["id"] for o in sandbox.state.orders.values() if o["dispatchedDate"] is None)
    with app.app_context():
        create_user(db.session, "packer", "correct horse", role=Role.PACKER)
        ensure_virtual_printer(db.session, tmp_path / "labels")
        add_order(db.session, cin7_id=cin7_id, reference="SO-E2E-2")  # 2 × TEE-BLK-M
        db.session.commit()
    sign_in(page, base, "packer")
    page.goto(f"{base}/bench")
    expect(page.locator("#scan")).to_be_focused()

    page.keyboard.press("Shift+Tab")  # from the scan box back to "Verify items"
    expect(page.locator("#verify-items")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#verify-note")).to_contain_text("verified from the next order")
    page.keyboard.press("Tab")
    page.keyboard.type("SO-E2E-2")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Scan each item of SO-E2E-2")).to_be_visible()
    expect(page.locator("#scan")).to_be_focused()

    page.keyboard.type("HAT-RED")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("'HAT-RED' is not on SO-E2E-2")
    expect(page.locator("body")).to_have_attribute("data-feedback", "error")
    expect(page.locator("#scan")).to_be_focused()

    page.keyboard.type("TEE-BLK-M")
    page.keyboard.press("Enter")
    expect(page.locator("#bench-items")).to_contain_text("TEE-BLK-M 1 / 2")
    settled(page)
    page.keyboard.press("Tab")  # to the weight, one item short
    expect(page.locator("#weight")).to_be_focused()
    page.keyboard.type("1.3")
    expect(page.locator("#bench-rates tr.cheapest")).to_contain_text("Economy")
    expect(page.locator("#weight")).to_be_focused()  # prices arrive without taking the focus
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("still to scan TEE-BLK-M (1 of 2)")
    expect(page.locator("#scan")).to_be_focused()

    page.keyboard.type("tee-blk-m")
    page.keyboard.press("Enter")
    expect(page.locator("#bench-items")).to_contain_text("every item scanned")
    expect(page.locator("#weight")).to_be_focused()
    expect(page.locator("#weight")).to_have_value("1.3")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="SO-E2E-2 shipped · Overnight")).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-feedback", "shipped")
    expect(page.locator("#scan")).to_be_focused()
    assert sandbox.state.orders[cin7_id]["stage"] == "Dispatched"


def test_a_scan_into_a_form_htmx_has_not_settled_yet_stays_on_the_bench(
    page: Any, live_app: tuple[Flask, str], sandbox: SandboxServer, tmp_path: Path
) -> None:
    """A scanner types faster than htmx settles a swap: its Enter must not leave the bench."""
    app, base = live_app
    cin7_id = next(o["id"] for o in sandbox.state.orders.values() if o["dispatchedDate"] is None)
    with app.app_context():
        create_user(db.session, "packer", "correct horse", role=Role.PACKER)
        ensure_virtual_printer(db.session, tmp_path / "labels")
        add_order(db.session, cin7_id=cin7_id, reference="SO-E2E-3")  # 2 × TEE-BLK-M
        db.session.commit()
    sign_in(page, base, "packer")
    page.goto(f"{base}/bench")
    page.locator("#verify-items").check()
    page.evaluate("htmx.config.defaultSettleDelay = 3000")  # a slow moment, made long
    page.locator("#scan").focus()

    page.keyboard.type("SO-E2E-3")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Scan each item of SO-E2E-3")).to_be_visible()
    page.locator("#scan").focus()
    page.keyboard.type("TEE-BLK-M")  # into the item form htmx has not wired yet
    page.keyboard.press("Enter")

    expect(page.locator("#bench-items")).to_contain_text("TEE-BLK-M 1 / 2")
    assert page.url == f"{base}/bench"


def test_the_bench_mute_is_remembered_in_this_browser(
    page: Any, live_app: tuple[Flask, str]
) -> None:
    app, base = live_app
    with app.app_context():
        create_user(db.session, "packer", "correct horse", role=Role.PACKER)
        db.session.commit()
    sign_in(page, base, "packer")
    page.goto(f"{base}/bench")
    mute = page.locator("#bench-mute")
    expect(mute).to_have_text("Sound on")

    mute.focus()
    page.keyboard.press("Enter")
    page.reload()

    expect(mute).to_have_text("Sound off")
    expect(mute).to_have_attribute("aria-pressed", "true")
