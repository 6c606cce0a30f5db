"""The header fits a manager's screen: one line at 1280 × 800, all of it usable at 1024 × 768;
the tab shows Station's icon."""

from __future__ import annotations

from typing import Any

from flask import Flask
from playwright.sync_api import expect

from station.accounts import create_user
from station.extensions import db
from station.models import Role
from tests.e2e.conftest import sign_in

TOP_LEVEL = "header nav > a, header nav > details > summary"


def sign_in_admin(page: Any, live_app: tuple[Flask, str]) -> str:
    """An admin with a full name (the longest header there is) signed in; the base URL."""
    app, base = live_app
    with app.app_context():
        create_user(
            db.session, "ada", "correct horse", role=Role.ADMIN, display_name="Ada Lovelace-King"
        )
        db.session.commit()
    sign_in(page, base, "ada")
    return base


def boxes(page: Any, selector: str) -> list[dict[str, float]]:
    """The bounding boxes of what ``selector`` finds, in page order."""
    return [item.bounding_box() for item in page.locator(selector).all()]


def test_an_admins_header_is_one_line_at_1280(page: Any, live_app: tuple[Flask, str]) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    base = sign_in_admin(page, live_app)
    page.goto(f"{base}/settings/shipping/")

    header = page.locator("header.topbar").bounding_box()
    items = boxes(page, TOP_LEVEL)
    assert header["height"] < 60, header  # one line, not two
    assert len(items) == 9 and len({round(box["y"]) for box in items}) == 1, items
    gaps = [b["x"] - (a["x"] + a["width"]) for a, b in zip(items, items[1:], strict=False)]
    assert min(gaps) >= 3, gaps  # clear spacing between the links
    menu = page.locator("header summary", has_text="Settings")
    expect(menu).to_have_class("current")  # the page is one of the menu's

    menu.click()
    expect(page.locator("header .nav-menu-items [aria-current=page]")).to_have_text("Shipping")
    page.locator("header .nav-menu-items").get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    expect(page.locator("header details.nav-menu")).not_to_have_attribute("open", "")


def test_the_settings_menu_closes_on_a_click_elsewhere_or_escape(
    page: Any, live_app: tuple[Flask, str]
) -> None:
    sign_in_admin(page, live_app)
    menu = page.locator("header details.nav-menu")
    audit = menu.get_by_role("link", name="Audit")

    menu.locator("summary").click()
    expect(audit).to_be_visible()
    page.get_by_role("heading", name="Orders").click()
    expect(audit).to_be_hidden()

    menu.locator("summary").click()
    page.keyboard.press("Escape")
    expect(audit).to_be_hidden()
    expect(menu.locator("summary")).to_be_focused()


def test_the_header_is_usable_at_1024(page: Any, live_app: tuple[Flask, str]) -> None:
    page.set_viewport_size({"width": 1024, "height": 768})
    sign_in_admin(page, live_app)

    assert page.evaluate("document.documentElement.scrollWidth") <= 1024  # no sideways scroll
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] < 110, header  # at most two lines, under the fold of nothing
    for box in boxes(page, f"{TOP_LEVEL}, header .signout button"):
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1024, box

    page.locator("header summary", has_text="Settings").click()
    for box in boxes(page, "header .nav-menu-items a"):
        assert box["x"] + box["width"] <= 1024, box
    page.locator("header .nav-menu-items").get_by_role("link", name="Cin7").click()
    expect(page.get_by_role("heading", name="Settings · Cin7")).to_be_visible()


def test_the_tab_shows_stations_icon(page: Any, live_app: tuple[Flask, str]) -> None:
    _, base = live_app
    page.goto(f"{base}/login")

    href = page.locator("head link[rel=icon]").get_attribute("href")
    answer = page.request.get(f"{base}{href}")
    decoded = page.evaluate(
        "async href => { const img = new Image(); img.src = href;"
        " return img.decode().then(() => true, () => false); }",
        href,
    )

    assert answer.ok and answer.headers["content-type"].startswith("image/svg+xml")
    assert decoded  # Chromium draws it: decode() rejects a broken image
