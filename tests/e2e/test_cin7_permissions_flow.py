"""Settings → Cin7 lists the API permissions Station needs, the same list docs/cin7.md gives."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from station.cin7.permissions import PERMISSIONS
from station.models import Role
from tests.e2e.conftest import sign_in_new_user

pytestmark = pytest.mark.e2e

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cin7.md"


def test_settings_cin7_lists_the_permissions_station_needs_as_the_docs_do(
    page: Any, live_app: tuple[Flask, str]
) -> None:
    sign_in_new_user(page, live_app, "manager", Role.MANAGER)
    page.locator("header summary", has_text="Settings").click()
    page.locator("header .nav-menu-items").get_by_role("link", name="Cin7").click()

    listing = page.locator("details.cin7-permissions")
    listing.get_by_text("The permissions Station's API user needs in Cin7").click()
    rows = listing.locator("tbody tr")
    expect(rows.first).to_be_visible()
    shown = rows.evaluate_all("rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))")

    wanted = [(p.resource, p.words) for p in PERMISSIONS]
    assert [(resource, words) for resource, words, _ in shown] == wanted
    assert all(why for _, _, why in shown)
    docs = DOCS.read_text()
    section = docs[docs.index("## The API user's permissions") :]
    section = section[: section.index("\n## ", 1)]
    documented = re.findall(r"^\| `(\w+)` \| ([^|]+?) \|", section, re.M)
    assert documented == wanted
