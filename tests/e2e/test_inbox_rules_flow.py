"""A manager makes an inbox rule in the browser and an imported order follows it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from station.models import Role
from tests.e2e.conftest import screenshot, sign_in_new_user
from tests.inbox.samples import ROWS, csv_bytes

pytestmark = pytest.mark.e2e


def test_a_rule_made_in_the_browser_moves_an_imported_order(
    page: Any, live_app: tuple[Flask, str]
) -> None:
    sign_in_new_user(page, live_app, "manager", Role.MANAGER)
    page.get_by_role("link", name="Inbox").click()
    inbox_nav = page.get_by_role("navigation", name="Inbox")
    inbox_nav.get_by_role("link", name="Settings").click()
    page.get_by_label("New folder").fill("Web orders")
    page.get_by_role("button", name="Add folder").click()

    inbox_nav.get_by_role("link", name="Rules").click()
    page.get_by_role("link", name="New rule").click()
    page.get_by_label("Name").fill("Web to its folder")
    page.get_by_label("When").select_option(label="Order imported")
    page.get_by_label("Condition 1 field").fill("shop")
    page.get_by_label("Condition 1 operator").select_option(label="equals")
    page.get_by_label("Condition 1 value").fill("web")
    page.get_by_label("Action 1", exact=True).select_option(label="Move to folder")
    page.get_by_label("Action 1 argument").fill("Web orders")
    page.get_by_role("button", name="Save rule").click()
    expect(page.get_by_role("status")).to_contain_text("Rule Web to its folder saved.")
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
