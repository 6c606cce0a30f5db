"""In Chromium: a blocked Batch order, reprint and void at the bench, bulk dispatch with its
live progress bar, and a settings change that the next dispatch follows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import func, select

from station.accounts import create_user
from station.cin7.sandbox import SandboxServer
from station.extensions import db
from station.jobs import start_embedded_consumer
from station.models import (
    Consignment,
    ConsignmentState,
    OutboxItem,
    PrintJob,
    Product,
    Role,
)
from station.printing.setup import ensure_virtual_printer
from tests.builders import add_order
from tests.e2e.conftest import screenshot, serve_station, sign_in, sign_in_new_user

pytestmark = pytest.mark.e2e


def open_orders(sandbox: SandboxServer, n: int) -> list[int]:
    return [o["id"] for o in sandbox.state.orders.values() if o["dispatchedDate"] is None][:n]


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def add_packer_and_order(app: Flask, labels: Path, cin7_id: int, reference: str) -> None:
    with app.app_context():
        create_user(db.session, "packer", "correct horse", role=Role.PACKER)
        ensure_virtual_printer(db.session, labels)
        add_order(db.session, cin7_id=cin7_id, reference=reference)
        db.session.commit()


def scan_and_ship(page: Any, base: str, reference: str, weight: str = "1.3") -> None:
    page.goto(f"{base}/bench")
    page.keyboard.type(reference)
    page.keyboard.press("Enter")
    expect(page.locator("#weight")).to_be_focused()
    page.keyboard.type(weight)
    page.keyboard.press("Enter")
    expect(page.locator(".bench-shipped")).to_be_visible()


def void_at_the_bench(page: Any, app: Flask) -> None:
    """Press Void on the shipped order, say yes, and see the consignment voided."""
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Void").click()

    expect(page.locator("#bench-order")).to_contain_text("voided")
    with app.app_context():
        consignment = db.session.scalar(select(Consignment))
        assert consignment is not None and consignment.state == ConsignmentState.VOIDED


def test_a_batch_controlled_order_is_refused_with_the_product_named(
    page: Any, live_app: tuple[Flask, str], sandbox: SandboxServer, tmp_path: Path
) -> None:
    app, base = live_app
    add_packer_and_order(app, tmp_path / "labels", open_orders(sandbox, 1)[0], "SO-BATCH-1")
    with app.app_context():
        db.session.add(Product(cin7_id=77, name="Wine 2021", stock_control="Batch"))
        db.session.commit()
    sign_in(page, base, "packer")

    page.goto(f"{base}/bench")
    page.keyboard.type("SO-BATCH-1")
    page.keyboard.press("Enter")

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("SO-BATCH-1 cannot ship")
    expect(alert).to_contain_text("Batch-controlled")
    expect(page.locator("#weight")).to_have_count(0)
    expect(page.locator("#scan")).to_be_focused()
    assert count(app, Consignment) == 0


def test_reprint_then_void_at_the_bench(
    page: Any, live_app: tuple[Flask, str], sandbox: SandboxServer, tmp_path: Path
) -> None:
    app, base = live_app
    cin7_id = open_orders(sandbox, 1)[0]
    add_packer_and_order(app, tmp_path / "labels", cin7_id, "SO-VOID-1")
    sign_in(page, base, "packer")
    scan_and_ship(page, base, "SO-VOID-1")
    expect(page.locator(".bench-shipped")).to_contain_text("done")

    page.get_by_role("button", name="Reprint").first.click()

    expect(page.locator(".bench-shipped .print-job")).to_have_count(2)
    expect(page.locator(".bench-shipped .print-job").nth(1)).to_contain_text("done")
    assert count(app, PrintJob) == 2

    void_at_the_bench(page, app)
    # Cin7 had already been told (jobs run at once here): the page says what stays in Cin7.
    assert sandbox.state.orders[cin7_id]["stage"] == "Dispatched"
    expect(page.locator("#bench-order")).to_contain_text("Cin7")


@pytest.fixture
def queued_app(
    tmp_path: Path, sqlite_template: Path, sandbox: SandboxServer
) -> Iterator[tuple[Flask, str]]:
    """Station with a real job queue (not run inline), so a bulk run progresses in the background."""
    with serve_station(tmp_path, sqlite_template, sandbox, JOBS_IMMEDIATE=False) as served:
        yield served


def test_bulk_dispatch_shows_live_progress_and_lists_refusals(
    page: Any, queued_app: tuple[Flask, str], sandbox: SandboxServer, tmp_path: Path
) -> None:
    app, base = queued_app
    ids = open_orders(sandbox, 6)
    with app.app_context():
        create_user(db.session, "manager", "correct horse", role=Role.MANAGER)
        ensure_virtual_printer(db.session, tmp_path / "labels")
        for n, cin7_id in enumerate(ids[:5]):
            add_order(db.session, cin7_id=cin7_id, reference=f"SO-BULK-{n}")
        add_order(db.session, cin7_id=ids[5], reference="SO-BULK-VOID", is_void=True)
        db.session.commit()
    sign_in(page, base, "manager")
    page.goto(f"{base}/orders?q=SO-BULK")
    for box in page.locator("input[name=order_id]").all():
        box.check()
    page.get_by_label("Weight each (kg)").fill("0.8")
    page.get_by_role("button", name="Dispatch the ticked orders").click()

    label = page.locator("label[for=bulk-bar]")
    expect(label).to_contain_text("0 of 6 handled")  # nothing runs until a worker starts
    consumer = start_embedded_consumer(app, workers=1, periodic=False)
    try:
        expect(label).to_contain_text("6 of 6 handled · 5 shipped · 1 refused · finished")
    finally:
        consumer.stop(graceful=True)

    expect(page.locator("#bulk-bar")).to_have_attribute("value", "6")
    expect(page.locator(".bulk-progress table.bulk-refused")).to_contain_text("SO-BULK-VOID")
    assert count(app, Consignment) == 5


def test_a_settings_change_is_followed_by_the_next_dispatch(
    page: Any, live_app: tuple[Flask, str], sandbox: SandboxServer, tmp_path: Path
) -> None:
    app, base = live_app
    cin7_id = open_orders(sandbox, 1)[0]
    add_packer_and_order(app, tmp_path / "labels", cin7_id, "SO-OPT-1")
    sign_in_new_user(page, live_app, "manager", Role.MANAGER)
    page.goto(f"{base}/settings/shipping/")
    send_back = page.get_by_label("Send back ticket number")
    expect(send_back).to_be_checked()  # the default
    send_back.uncheck()
    page.locator("#dispatch-options").get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Dispatch options saved")
    expect(page.get_by_label("Send back ticket number")).not_to_be_checked()
    screenshot(page, "settings")

    page.context.clear_cookies()
    sign_in(page, base, "packer")
    scan_and_ship(page, base, "SO-OPT-1")

    assert count(app, OutboxItem) == 0  # nothing owed to Cin7 with send-back off
    assert sandbox.state.orders[cin7_id]["stage"] != "Dispatched"


def test_void_pressed_before_htmx_has_wired_the_answer_still_voids(
    page: Any, live_app: tuple[Flask, str], sandbox: SandboxServer, tmp_path: Path
) -> None:
    """A press in the moment between an answer arriving and htmx wiring its buttons is kept."""
    app, base = live_app
    add_packer_and_order(app, tmp_path / "labels", open_orders(sandbox, 1)[0], "SO-VOID-2")
    sign_in(page, base, "packer")
    page.goto(f"{base}/bench")
    page.evaluate("htmx.config.defaultSettleDelay = 3000")  # a slow moment, made long
    page.keyboard.type("SO-VOID-2")
    page.keyboard.press("Enter")
    expect(page.locator("#weight")).to_be_focused(timeout=20_000)
    page.keyboard.type("1.3")
    page.keyboard.press("Enter")
    expect(page.locator(".bench-shipped.htmx-added")).to_be_visible()  # not wired yet

    void_at_the_bench(page, app)
