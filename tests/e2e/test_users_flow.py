"""An admin adds a packer on /users; the packer signs in and is refused a manager page, in Chromium."""

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
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e


def test_an_admin_adds_a_packer_who_cannot_open_manager_pages(
    page: Any, live_app: tuple[Flask, str], tmp_path: Path
) -> None:
    app, base = live_app
    with app.app_context():
        create_user(db.session, "ada", "correct horse", role=Role.ADMIN, display_name="Ada Admin")
        mia = create_user(db.session, "mia", "correct horse", role=Role.MANAGER, display_name="Mia")
        mia.default_printer, mia.default_bench = ensure_virtual_printer(db.session, tmp_path), "B1"
        db.session.commit()
    sign_in(page, base, "ada")

    page.locator("header summary", has_text="Settings").click()
    page.get_by_role("link", name="Users").click()
    form = page.get_by_role("form", name="Add a user")
    form.get_by_label("Username").fill("pita")
    form.get_by_label("Name", exact=True).fill("Pita Packer")
    form.get_by_label("Role").select_option("packer")
    form.get_by_label("Initial password").fill("long enough pw")
    form.get_by_role("button", name="Add user").click()

    expect(page.get_by_role("status")).to_have_text("pita can sign in now as a packer.")
    expect(page.locator("table.users")).to_contain_text("Pita Packer")
    screenshot(page, "users")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "pita", "long enough pw")
    expect(page.locator("header summary", has_text="Settings")).to_have_count(0)

    response = page.goto(f"{base}/settings/cin7")

    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="403")).to_be_visible()
    expect(page.locator(".error")).to_contain_text(
        "This page is for managers. You are signed in as pita (packer)"
    )
