"""From an order's page, "Open at the bench" opens that order at the bench, ready to weigh."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from station.accounts import create_user
from station.extensions import db
from station.models import Role
from station.printing.setup import ensure_virtual_printer
from tests.builders import add_order
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_open_at_the_bench_from_the_order_page(
    page: Any, live_app: tuple[Flask, str], tmp_path: Path
) -> None:
    app, base = live_app
    with app.app_context():
        create_user(db.session, "packer", "correct horse", role=Role.PACKER)
        ensure_virtual_printer(db.session, tmp_path / "labels")
        order_id = add_order(db.session, 5001, reference="SO-OPEN-1").id
        db.session.commit()
    sign_in(page, base, "packer")

    page.goto(f"{base}/orders/{order_id}")
    page.get_by_role("link", name="Open at the bench").click()

    expect(page.locator("#bench-order")).to_contain_text("SO-OPEN-1")
    expect(page.locator("#weight")).to_be_focused()
