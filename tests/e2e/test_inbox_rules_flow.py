"""A manager makes an inbox rule in the browser and an imported order follows it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from station.models import Role
from tests.e2e.conftest import add_folder_rule, screenshot, sign_in_new_user
from tests.inbox.samples import ROWS, csv_bytes

pytestmark = pytest.mark.e2e


def test_a_rule_made_in_the_browser_moves_an_imported_order(
    page: Any, live_app: tuple[Flask, str]
) -> None:
    sign_in_new_user(page, live_app, "manager", Role.MANAGER)
    inbox_nav = add_folder_rule(
        page, folder="Web orders", rule="Web to its folder", field="shop", value="web"
    )
    screenshot(page, "inbox-rules")

    inbox_nav.get_by_role("link", name="Import a CSV").click()
    page.get_by_label("Shop").fill("web")
    page.get_by_label("CSV file").set_input_files(
        {"name": "orders.csv", "mimeType": "text/csv", "buffer": csv_bytes(ROWS[2])}
    )
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-report")).to_contain_text("1 order(s) imported")

    inbox_nav.get_by_role("link", name="Orders").click()
    page.get_by_role("link", name="Web orders 1").click()
    page.locator("table.inbox-orders a").first.click()
    expect(page.locator("#order-rule-log")).to_contain_text("moved to Web orders")
