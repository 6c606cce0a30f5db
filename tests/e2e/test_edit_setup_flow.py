"""A manager edits and removes what they added, in Chromium: printers and API tokens, cost
centres, package presets and a Karrio carrier. What history names is retired, not deleted,
and every change reads as a sentence in the audit log.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from station.accounts import create_user
from station.extensions import db
from station.models import CostCentre, Role
from station.printing.setup import ensure_virtual_printer
from station.shipping.booking import book_consignment
from station.shipping.carriers import own_label
from tests.builders import add_order
from tests.carriers.samples import GENERIC, shipment
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def sign_in_manager(page: Any, live_app: tuple[Flask, str], labels: Path | None = None) -> None:
    """A manager (with the virtual printer set up when ``labels`` is given) signed in."""
    app, base = live_app
    with app.app_context():
        create_user(db.session, "manager", "correct horse", role=Role.MANAGER)
        if labels is not None:
            ensure_virtual_printer(db.session, labels)
        db.session.commit()
    sign_in(page, base, "manager")
    page.on("dialog", lambda dialog: dialog.accept())  # every "Delete …?" confirm


def audit_sentences(page: Any) -> list[str]:
    """The audit log's "What happened" column, opened from the header's Settings menu."""
    page.locator("header summary", has_text="Settings").click()
    page.locator("header .nav-menu-items").get_by_role("link", name="Audit").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    return page.locator("table.audit tbody td:nth-child(3)").all_inner_texts()


def flash(page: Any) -> Any:
    return page.locator("p.flash-info")


def test_printers_and_api_tokens_are_edited_and_removed_and_each_change_audited(
    page: Any, live_app: tuple[Flask, str], tmp_path: Path
) -> None:
    _, base = live_app
    sign_in_manager(page, live_app, tmp_path / "labels")

    # A network printer added by its connection's name, edited, then deleted: no history.
    page.get_by_role("link", name="Printers").click()
    page.get_by_role("link", name="Add a printer").click()
    page.get_by_label("Name", exact=True).fill("Bench 2 Zebra")
    page.get_by_label("Connection").select_option(label="Network label printer")
    page.get_by_label("Label format").select_option(label="ZPL (Zebra and compatibles)")
    page.get_by_label("Host or IP").fill("10.0.0.9")
    page.get_by_role("button", name="Add printer").click()
    expect(flash(page)).to_have_text("Printer Bench 2 Zebra added. Send it a test print.")
    row = page.locator("table.printers tr", has_text="Bench 2 Zebra")
    expect(row).to_contain_text("Network label printer (ZPL, port 9100) · 10.0.0.9:9100")

    row.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit printer Bench 2 Zebra")).to_be_visible()
    expect(page.get_by_label("Host or IP")).to_have_value("10.0.0.9")
    page.get_by_label("Name", exact=True).fill("Bench 3 Zebra")
    page.get_by_label("Host or IP").fill("10.0.0.10")
    page.get_by_role("button", name="Save printer").click()
    expect(flash(page)).to_have_text("Printer Bench 3 Zebra saved.")
    row = page.locator("table.printers tr", has_text="Bench 3 Zebra")
    expect(row).to_contain_text("10.0.0.10:9100")
    row.get_by_role("button", name="Delete").click()
    expect(flash(page)).to_have_text("Printer Bench 3 Zebra deleted.")
    expect(page.locator("table.printers")).not_to_contain_text("Bench 3 Zebra")

    # The virtual printer has printed, so deleting it retires it instead.
    virtual = page.locator("table.printers tr", has_text="Virtual printer")
    virtual.get_by_role("button", name="Test print").click()
    expect(page.locator(".test-results .job-state")).to_have_text("done")
    virtual.get_by_role("button", name="Delete").click()
    expect(flash(page)).to_contain_text("Printer Virtual printer retired: it has print history")
    expect(virtual).to_contain_text("retired")
    expect(virtual.get_by_role("link", name="Edit")).to_have_count(0)

    # API tokens: one renamed, used, then "deleted" (revoked and kept); one never used, deleted.
    page.get_by_role("link", name="Inbox").click()
    page.get_by_role("navigation", name="Inbox").get_by_role("link", name="Settings").click()
    made: dict[str, str] = {}
    for name in ("Web shop", "Spare"):
        tokens = page.locator("#inbox-tokens")
        tokens.get_by_label("Token name").fill(name)
        tokens.get_by_label("Shop", exact=True).fill("kete-co")
        tokens.get_by_role("button", name="Make a token").click()
        expect(page.get_by_role("heading", name=f"API token {name}")).to_be_visible()
        made[name] = page.locator("#api-token").inner_text()
        page.get_by_role("link", name="← Inbox settings").click()
    tokens = page.locator("#inbox-tokens")
    tokens.locator("tr", has_text="Spare").get_by_role("button", name="Delete").click()
    expect(flash(page)).to_have_text("API token Spare deleted.")
    tokens.get_by_label("New name for Web shop").fill("Kete web shop")
    tokens.locator("tr", has_text="Web shop").get_by_role("button", name="Rename").click()
    expect(flash(page)).to_have_text("API token Web shop renamed to Kete web shop.")

    inventory = f"{base}/api/v1/inventory"
    bearer = {"Authorization": f"Bearer {made['Web shop']}"}
    assert httpx.get(inventory, headers=bearer).status_code == 200  # renamed, still works
    spare = {"Authorization": f"Bearer {made['Spare']}"}
    assert httpx.get(inventory, headers=spare).status_code == 401
    page.reload()
    kept = page.locator("#inbox-tokens tr", has_text="Kete web shop")
    kept.get_by_role("button", name="Delete").click()
    expect(flash(page)).to_contain_text("API token Kete web shop revoked: it has been used")
    expect(kept).to_contain_text("revoked")
    assert httpx.get(inventory, headers=bearer).status_code == 401

    sentences = audit_sentences(page)
    for sentence in (
        "Printer Bench 2 Zebra: created",
        "Printer Bench 3 Zebra: updated",
        "Printer Bench 3 Zebra: deleted",
        "Printer Virtual printer: retired",
        "API token Web shop: created",
        "API token Kete web shop: renamed",
        "API token Spare: deleted",
        "API token Kete web shop: revoked",
    ):
        assert sentence in sentences, (sentence, sentences)
    codes = [s for s in sentences if re.search(r"\b[a-z_]+\.[a-z_.]+\b", s)]
    assert not codes, codes  # "printer.updated" is a code, not a sentence
    created = page.locator("table.audit tr", has_text="Printer Bench 2 Zebra: created")
    expect(created).to_contain_text("transport: Network label printer")
    assert "tcp9100" not in page.locator("main table.audit").inner_text()


def test_cost_centres_presets_and_a_karrio_carrier_are_edited_and_removed_and_audited(
    page: Any, live_app: tuple[Flask, str]
) -> None:
    app, base = live_app
    sign_in_manager(page, live_app)
    page.goto(f"{base}/settings/shipping/")

    # Cost centres: the first (the default) edited, one a consignment was charged to
    # retired, one nothing names deleted.
    centres = page.locator("#cost-centres")
    for name in ("Retail", "Wholesale", "Trade"):
        centres.get_by_label("Name").fill(name)
        centres.get_by_label("Markup %").fill("10")
        centres.get_by_role("button", name="Add cost centre").click()
        expect(flash(page)).to_contain_text(f"Cost centre {name} added.")
    with app.app_context():
        wholesale = db.session.scalar(select(CostCentre).where(CostCentre.name == "Wholesale"))
        order = add_order(db.session, 5001)
        book_consignment(
            db.session,
            own_label(db.session),
            shipment(reference="SO-5001"),
            key="e2e-edit-centre",
            order=order,
            cost_centre=wholesale,
        )
        db.session.commit()

    centres.locator("tr", has_text="Retail").get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit cost centre Retail")).to_be_visible()
    expect(page.get_by_label("Markup %")).to_have_value("10")
    page.get_by_label("Name").fill("Retail NZ")
    page.get_by_label("Markup %").fill("12.5")
    page.get_by_role("button", name="Save cost centre").click()
    expect(flash(page)).to_have_text("Cost centre Retail NZ saved.")
    expect(centres.locator("tr", has_text="Retail NZ")).to_contain_text("12.5")
    centres.locator("tr", has_text="Trade").get_by_role("button", name="Delete").click()
    expect(flash(page)).to_have_text("Cost centre Trade deleted.")
    expect(centres).not_to_contain_text("Trade")
    centres.locator("tr", has_text="Wholesale").get_by_role("button", name="Delete").click()
    expect(flash(page)).to_contain_text("Cost centre Wholesale retired: consignments")
    expect(centres.locator("tr", has_text="Wholesale")).to_contain_text("retired")

    # A package preset: added, edited, deleted.
    presets = page.locator("#package-presets")
    presets.get_by_label("Name").fill("Small box")
    for label, value in (("Length", "300"), ("Width", "200"), ("Height", "100")):
        presets.get_by_label(f"{label} (mm)").fill(value)
    presets.get_by_role("button", name="Add preset").click()
    expect(flash(page)).to_have_text("Package preset Small box added.")
    presets.locator("tr", has_text="Small box").get_by_role("link", name="Edit").click()
    page.get_by_label("Length (mm)").fill("320")
    page.get_by_label("Empty weight (g)").fill("90")
    page.get_by_role("button", name="Save package preset").click()
    expect(flash(page)).to_have_text("Package preset Small box saved.")
    row = presets.locator("tr", has_text="Small box")
    expect(row).to_contain_text("320 × 200 × 100")
    expect(row).to_contain_text("90 g")
    row.get_by_role("button", name="Delete").click()
    expect(flash(page)).to_have_text("Package preset Small box deleted.")
    expect(presets).not_to_contain_text("Small box")

    # A Karrio carrier: added, renamed on its edit page, deleted (nothing names it).
    page.get_by_label("Add Karrio carriers").fill(json.dumps({**GENERIC, "code": "testpost"}))
    page.get_by_role("button", name="Add Karrio carriers").click()
    expect(flash(page)).to_have_text("Carrier Test Post added.")
    page.locator("#carrier-testpost").get_by_role("link", name="Edit").click()
    config = page.get_by_label("Carrier (a JSON object; see docs/carriers.md)")
    edited = {**json.loads(config.input_value()), "name": "Test Post NZ"}
    config.fill(json.dumps(edited))
    page.get_by_role("button", name="Save carrier").click()
    expect(flash(page)).to_have_text("Carrier Test Post NZ saved.")
    expect(page.locator("#carrier-testpost")).to_contain_text("Test Post NZ")
    page.locator("#carrier-testpost").get_by_role("button", name="Delete").click()
    expect(flash(page)).to_have_text("Carrier Test Post NZ deleted.")
    expect(page.locator("#carrier-testpost")).to_have_count(0)

    sentences = audit_sentences(page)
    for sentence in (
        "Cost centre Retail: added",
        "Cost centre Retail NZ: updated",
        "Cost centre Trade: deleted",
        "Cost centre Wholesale: retired",
        "Package preset Small box: added",
        "Package preset Small box: updated",
        "Package preset Small box: deleted",
        "Carrier Test Post: added",
        "Carrier Test Post NZ: updated",
        "Carrier Test Post NZ: deleted",
    ):
        assert sentence in sentences, (sentence, sentences)
