"""A manager imports shop orders from a CSV and submits them to Cin7, in real Chromium."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from station.cin7.sandbox import SandboxServer
from station.models import Role
from tests.e2e.conftest import screenshot, sign_in_new_user
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
