"""README's "Try it", step by step in Chromium, on the demo's own data.

The order numbers, the reason and the sandbox URL are read from README.md, so the steps a
newcomer follows cannot go stale: the demo's Cin7 sandbox is seeded as ``make demo``
seeds it (``DEMO_ORDERS`` orders, ``DEMO_SEED``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask
from playwright.sync_api import expect

from station.accounts import create_user
from station.cin7.mount import SANDBOX_MOUNT
from station.cin7.sandbox import DEMO_API_KEY, DEMO_USERNAME, SandboxServer
from station.cin7.sandbox.demo import DEMO_ORDERS
from station.extensions import db
from station.jobs import jobs
from station.models import Role
from station.printing.setup import ensure_virtual_printer
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def sandbox_orders() -> int:
    return DEMO_ORDERS


def try_it() -> str:
    text = README.read_text()
    start = text.index("## Try it\n")
    return text[start : text.index("\n## ", start + 1)]


def test_the_readme_names_orders_the_demo_really_has_and_they_do_what_it_says(
    page: Any, live_app: tuple[Flask, str], sandbox: SandboxServer, tmp_path: Path
) -> None:
    steps = " ".join(try_it().split())  # the words, whatever the line breaks
    ships, refused = re.findall(r"(?i)type \*\*(SO-\d+)\*\*", steps)
    sandbox_path = re.search(r"http://127\.0\.0\.1:5000(/sandbox/api/v1/SalesOrders/(\d+))", steps)
    assert sandbox_path and sandbox_path[2] == ships.removeprefix("SO-")
    assert sandbox_path[1].startswith(f"{SANDBOX_MOUNT}/api/")
    app, base = live_app
    with app.app_context():
        create_user(db.session, "admin", "correct horse", role=Role.ADMIN)
        ensure_virtual_printer(db.session, tmp_path / "labels")
        db.session.commit()
        jobs().sync_orders("startup")  # what `make demo` starts with
    sign_in(page, base, "admin")

    page.get_by_role("link", name="Bench", exact=True).click()
    expect(page.locator("#scan")).to_be_focused()
    page.keyboard.type(ships)
    page.keyboard.press("Enter")
    expect(page.locator("#weight")).to_be_focused()
    page.keyboard.type("1.2")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name=re.compile(rf"^{ships} shipped · "))).to_be_visible()
    ticket = page.locator(".bench-shipped .ticket").inner_text()
    expect(page.locator(".bench-shipped img.label-preview")).to_be_visible()

    page.keyboard.type(refused)
    page.keyboard.press("Enter")
    reason = re.search(r"because its ([^.]+?) are (Serial|Batch)-controlled", steps)
    assert reason
    expect(page.get_by_role("alert")).to_contain_text(f"is {reason[2]}-controlled")
    expect(page.get_by_role("alert")).to_contain_text(reason[1])

    api_path = sandbox_path[1].removeprefix(f"{SANDBOX_MOUNT}/api")
    user, key = re.search(r"user `([^`]+)`, key `([^`]+)`", steps).groups()  # type: ignore[union-attr]
    assert (user, key) == (DEMO_USERNAME, DEMO_API_KEY)
    order = httpx.get(f"{sandbox.base_url}{api_path}", auth=(user, key)).json()
    assert "a `trackingCode` that ends in the ticket" in steps
    assert order["stage"] == "Dispatched" and order["trackingCode"].endswith(ticket)

    page.get_by_role("link", name="Printers", exact=True).click()
    page.get_by_role("link", name=re.compile("the whole print queue")).click()
    expect(page.locator("#queue")).to_contain_text(ships)
