"""A manager sends a test print to the virtual printer and sees the label under the list, in
Chromium."""

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


@pytest.fixture
def manager(page: Any, live_app: tuple[Flask, str], tmp_path: Path) -> None:
    """A manager signed in, with the virtual printer (4x6 labels) set up."""
    app, base = live_app
    with app.app_context():
        create_user(db.session, "manager", "correct horse", role=Role.MANAGER)
        ensure_virtual_printer(db.session, tmp_path / "labels")
        db.session.commit()
    sign_in(page, base, "manager")


def test_test_print_shows_the_label_preview(page: Any, manager: None) -> None:

    page.get_by_role("link", name="Printers").click()
    page.get_by_role("button", name="Test print").click()

    preview = page.locator("#test-result-1 img.label-preview")
    expect(preview).to_be_visible()
    # The preview is a real PNG of the label, decoded by the browser (not a broken image).
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 200", arg=preview.element_handle()
    )
    expect(page.locator("#test-result-1 .job-state")).to_have_text("done")
    # The result sits under the table, its label drawn wide, not squeezed into the row.
    table = page.locator("table.printers").bounding_box()
    cell = page.locator("#printer-1 td.actions").bounding_box()
    result = page.locator("#test-result-1").bounding_box()
    shown = preview.bounding_box()
    assert result["y"] >= table["y"] + table["height"], (result, table)
    assert shown["width"] >= 200 and shown["width"] > cell["width"], (shown, cell)
    screenshot(page, "printers")


def test_a_preview_holds_its_labels_shape_before_its_image_arrives(
    page: Any, manager: None
) -> None:
    """Buttons under a preview stay where they are while it loads: a click aimed at them
    (Void, Reprint) is not taken by the image pushing them down."""
    held: list[Any] = []
    page.route("**/jobs/*/preview", lambda route: held.append(route))
    page.get_by_role("link", name="Printers").click()
    page.get_by_role("button", name="Test print").click()
    expect(page.locator("#test-result-1 .job-state")).to_have_text("done")
    reprint = page.locator("#test-result-1").get_by_role("button", name="Reprint")

    before = reprint.bounding_box()
    preview = page.locator("#test-result-1 img.label-preview").bounding_box()
    assert held and preview["height"] == pytest.approx(preview["width"] * 1.5, abs=3)
    held[0].continue_()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 200",
        arg=page.locator("#test-result-1 img.label-preview").element_handle(),
    )

    assert reprint.bounding_box()["y"] == pytest.approx(before["y"], abs=3)


def test_a_double_click_on_test_print_prints_one_label(page: Any, manager: None) -> None:
    page.get_by_role("link", name="Printers").click()

    page.get_by_role("button", name="Test print").dblclick()

    expect(page.locator("#test-result-1 .job-state")).to_have_text("done")
    page.get_by_role("link", name="the whole print queue →").click()
    expect(page.locator("table.print-queue tbody tr")).to_have_count(1)


def test_a_delete_asked_about_and_declined_deletes_nothing(page: Any, manager: None) -> None:
    page.get_by_role("link", name="Printers").click()
    asked: list[str] = []

    def decline(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    page.locator("#printer-1").get_by_role("button", name="Delete").click()

    expect(page.locator("#printer-1")).to_be_visible()
    assert asked and asked[0].startswith("Delete ") and "retired instead" in asked[0]
    page.reload()
    expect(page.locator("#printer-1")).to_be_visible()  # nothing was sent
