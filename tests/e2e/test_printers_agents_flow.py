"""A manager adds a print agent, copies its command, and revokes it, in Chromium."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask
from playwright.sync_api import expect

from station.models import Role
from tests.e2e.conftest import screenshot, sign_in_new_user

pytestmark = pytest.mark.e2e


def test_a_manager_adds_an_agent_then_revokes_it(
    page: Any, live_app: tuple[Flask, str], tmp_path: Path
) -> None:
    _, base = live_app
    sign_in_new_user(page, live_app, "manager", Role.MANAGER)

    page.get_by_role("link", name="Printers").click()
    page.get_by_role("link", name="Print agents").click()
    page.get_by_role("link", name="Add a print agent").click()
    page.get_by_label("Name").fill("Bench 3 PC")
    page.get_by_role("button", name="Add print agent").click()

    expect(page.get_by_role("heading", name="Print agent Bench 3 PC added")).to_be_visible()
    command = page.locator("#agent-command").input_value()
    token = page.locator("#agent-token").input_value()
    assert re.fullmatch(rf"station agent --server {re.escape(base)} --token \S{{20,}}", command)
    assert command.endswith(token)
    screenshot(page, "print-agent-token")
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{base}/api/v1/agent/jobs?wait=0", headers=headers).status_code == 200

    page.get_by_role("link", name="← Print agents").click()
    row = page.locator("tr", has_text="Bench 3 PC")
    expect(row).to_contain_text("active")
    expect(page.get_by_text(token)).to_have_count(0)  # shown once, never again
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke").click()

    expect(page.get_by_role("status").first).to_contain_text("Bench 3 PC revoked")
    expect(page.locator("tr", has_text="Bench 3 PC")).to_contain_text("revoked")
    assert httpx.get(f"{base}/api/v1/agent/jobs?wait=0", headers=headers).status_code == 401
