"""A manager signs in, syncs, searches and opens an order, in real Chromium."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from station.accounts import create_user
from station.cin7.sandbox import SandboxServer
from station.extensions import db
from station.models import Role
from tests.e2e.conftest import screenshot, serve_station, sign_in, sign_in_new_user

pytestmark = pytest.mark.e2e


def test_sign_in_sync_search_and_open_an_order(page: Any, live_app: tuple[Flask, str]) -> None:
    app, base = live_app
    with app.app_context():
        create_user(
            db.session, "manager", "correct horse", role=Role.MANAGER, display_name="Mere Manager"
        )
        db.session.commit()

    page.goto(f"{base}/orders")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    screenshot(page, "login")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill("correct horse")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Orders")).to_be_visible()

    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_role("status").first).to_contain_text("Order sync started")
    expect(page.locator("p.count")).to_contain_text(re.compile(r"^\d+ orders"))
    expect(page.locator("#cin7-status")).not_to_contain_text("never")
    screenshot(page, "orders")
    page.set_viewport_size({"width": 1024, "height": 768})  # a bench laptop's window
    expect(page.locator("table.orders")).to_be_visible()
    screenshot(page, "orders-1024")
    widest = page.evaluate("document.scrollingElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 860})

    first_ref = page.locator("table.orders tbody tr td a").first.inner_text()
    page.get_by_label("Search orders").fill(first_ref)
    expect(page.locator("p.count")).to_contain_text(f"matching “{first_ref}”")
    expect(page).to_have_url(re.compile(r"q=" + re.escape(first_ref)))

    page.get_by_role("link", name=first_ref).click()
    expect(page.get_by_role("heading", name=re.compile(first_ref))).to_be_visible()
    expect(page.get_by_role("heading", name="Lines")).to_be_visible()
    screenshot(page, "order")
    assert widest <= 1024, f"the order list is {widest} px wide at 1024 px"


def test_a_missing_order_is_explained(page: Any, live_app: tuple[Flask, str]) -> None:
    sign_in_new_user(page, live_app, "manager", Role.MANAGER)

    page.get_by_label("Search orders").fill("SO-999999")
    page.get_by_role("button", name="Ask Cin7 why").click()

    expect(page.locator(".why")).to_have_text("Cin7 has no sales order 'SO-999999'.")


class HeldHtmx:
    """htmx's script held back, as on a slow PC, until :meth:`release`."""

    def __init__(self, page: Any) -> None:
        self._page = page
        self._held: list[Any] = []
        page.route("**/htmx-*.js", lambda route: self._held.append(route))  # and no cache

    def asked_for(self) -> None:
        """Wait until the page has asked for the script (and is kept waiting for it)."""
        for _ in range(200):
            if self._held:
                return
            self._page.wait_for_timeout(50)
        raise AssertionError("the page never asked for htmx")

    def release(self) -> None:
        """Let the script through."""
        self._held[0].continue_()


def held_at(page: Any, live_app: tuple[Flask, str], role: Role, path: str) -> HeldHtmx:
    """A new user in ``role`` signed in, on ``path`` with htmx's script held back."""
    _, base = live_app
    sign_in_new_user(page, live_app, role.value, role)
    htmx = HeldHtmx(page)
    page.goto(f"{base}{path}", wait_until="commit")
    return htmx


def test_a_search_typed_before_the_page_was_ready_runs_once_it_is(
    page: Any, live_app: tuple[Flask, str]
) -> None:
    """On a slow PC the search box takes keys before htmx has loaded: the search still runs."""
    htmx = held_at(page, live_app, Role.MANAGER, "/orders")
    page.get_by_label("Search orders").fill("SO-999999")
    htmx.asked_for()
    expect(page.get_by_role("button", name="Ask Cin7 why")).to_have_count(0)  # nothing ran

    htmx.release()

    page.get_by_role("button", name="Ask Cin7 why").click()
    expect(page.locator(".why")).to_have_text("Cin7 has no sales order 'SO-999999'.")


def test_a_filter_chosen_before_the_page_was_ready_filters_once_it_is(
    page: Any, live_app: tuple[Flask, str]
) -> None:
    """On a slow PC a filter is chosen before htmx has wired the form: the list follows it."""
    htmx = held_at(page, live_app, Role.MANAGER, "/orders")
    page.get_by_label("Can ship").select_option(label="Blocked")
    htmx.asked_for()
    expect(page).not_to_have_url(re.compile("blocked=yes"))  # nothing ran yet

    htmx.release()

    expect(page).to_have_url(re.compile("blocked=yes"))


def test_a_button_pressed_before_the_page_was_ready_works_once_it_is(
    page: Any, live_app: tuple[Flask, str]
) -> None:
    """On a slow PC a button is pressed before htmx has wired it: the press is kept, not lost."""
    htmx = held_at(page, live_app, Role.ADMIN, "/settings/cin7")
    page.get_by_role("button", name="Test connection").click()
    htmx.asked_for()
    expect(page.locator("#connection-check")).to_have_text("")  # nothing ran yet

    htmx.release()

    expect(page.locator("#connection-check")).to_contain_text("Connected to Cin7: 3 branches")


def test_a_spent_lookup_allowance_is_said_in_place(
    page: Any, tmp_path: Path, sqlite_template: Path, sandbox: SandboxServer
) -> None:
    with serve_station(tmp_path, sqlite_template, sandbox, CIN7_LOOKUP_ALLOWANCE="1/10") as (
        app,
        base,
    ):
        with app.app_context():
            create_user(db.session, "packer", "correct horse", role=Role.PACKER)
            db.session.commit()
        sign_in(page, base, "packer")
        page.get_by_label("Search orders").fill("SO-999999")
        page.get_by_role("button", name="Ask Cin7 why").click()
        expect(page.locator(".why")).to_have_text("Cin7 has no sales order 'SO-999999'.")

        page.get_by_label("Search orders").fill("SO-999998")
        expect(page.locator("#why-missing")).to_contain_text("SO-999998")
        page.get_by_role("button", name="Ask Cin7 why").click()

        expect(page.locator("#why-missing")).to_contain_text(
            "You have looked up 1 order in Cin7 in the last 10 minutes; try again in 10 minutes."
        )


def test_settings_page(page: Any, live_app: tuple[Flask, str]) -> None:
    app, base = live_app
    with app.app_context():
        create_user(db.session, "admin", "correct horse", role=Role.ADMIN)
        db.session.commit()
    sign_in(page, base, "admin")

    page.locator("header summary", has_text="Settings").click()
    page.locator("header").get_by_role("link", name="Cin7").click()
    page.get_by_role("button", name="Test connection").click()

    expect(page.locator("#connection-check")).to_contain_text("Connected to Cin7: 3 branches")
    screenshot(page, "settings-cin7")
