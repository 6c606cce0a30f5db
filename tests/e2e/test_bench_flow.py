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
from tests.dispatch.test_ship import add_order
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
