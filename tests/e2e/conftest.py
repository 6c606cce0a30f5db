"""Browser tests: Station served over real HTTP, driven by Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from station import create_app
from station.accounts import create_user
from station.cin7.sandbox import SandboxServer
from station.extensions import db
from station.models import Role
from tests.conftest import IN_CI, _config
from tests.fakes.cin7 import sandbox_config
from tests.fakes.http import serving

CHROMIUM = "/usr/bin/chromium"
# Playwright passes Chromium a --disable-features list of its own, and Chromium keeps only the
# last --disable-features it is given: ours repeats Playwright's (1.65's; test_chromium_flags
# says when Playwright's grows) and adds CHROMIUM_DISABLED_FEATURES.
PLAYWRIGHT_DISABLED_FEATURES = [
    "AvoidUnnecessaryBeforeUnloadCheckSync",
    "DestroyProfileOnBrowserClose",
    "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable",
    "LensOverlay",
    "MediaRouter",
    "PaintHolding",
    "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin",
    "OptimizationHints",
    "NetworkTimeServiceQuerying",
    "AimEnabled",
    "PreconnectToSearch",
    "msForceBrowserSignIn",
    "msEdgeUpdateLaunchServicesPreferredVersion",
]
# Chromium (156) loads the address bar's drop-down, a chrome:// web page, into a renderer
# process of its own in every window it opens, and Playwright opens a window for each test's
# context. No test types into the address bar; that renderer was ~0.35 of the ~0.7 CPU-seconds
# a context costs Chromium, and a third of Chromium's CPU over tests/e2e (measured).
CHROMIUM_DISABLED_FEATURES = ["WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "WebUIOmniboxFullPopup"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-features=" + ",".join(PLAYWRIGHT_DISABLED_FEATURES + CHROMIUM_DISABLED_FEATURES),
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
UPDATE_SCREENSHOTS = os.environ.get("STATION_UPDATE_SCREENSHOTS") == "1"


@pytest.fixture
def sandbox_orders() -> int:
    return 120


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole run."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (make test installs Debian's chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser page with a desktop-sized window."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    from playwright.sync_api import expect

    page = context.new_page()
    page.set_default_timeout(15_000)
    expect.set_options(timeout=15_000)  # assertions wait as long as actions on a busy machine
    refused: list[str] = []  # what the Content-Security-Policy kept from running, if anything
    page.on("console", lambda m: refused.append(m.text) if "Security Policy" in m.text else None)
    yield page
    context.close()
    assert not refused, f"the page broke its Content-Security-Policy: {refused}"


@contextmanager
def serve_station(
    folder: Path, sqlite_template: Path, sandbox: SandboxServer, **config: Any
) -> Iterator[tuple[Flask, str]]:
    """Station on SQLite with CSRF on, served on a free loopback port (``config`` on top)."""
    db_path = folder / "e2e.db"
    shutil.copy(sqlite_template, db_path)
    app = create_app(
        _config(
            f"sqlite:///{db_path}",
            folder / "instance",
            WTF_CSRF_ENABLED=True,
            **sandbox_config(sandbox),
            **config,
        )
    )
    with serving(app) as base:
        yield app, base


@pytest.fixture
def live_app(
    tmp_path: Path, sqlite_template: Path, sandbox: SandboxServer
) -> Iterator[tuple[Flask, str]]:
    """Station as the browser tests use it, jobs run inline."""
    with serve_station(tmp_path, sqlite_template, sandbox) as served:
        yield served


def screenshot(page: Any, name: str) -> bytes:
    """Take a screenshot; with STATION_UPDATE_SCREENSHOTS=1 it replaces the README's copy."""
    image: bytes = page.screenshot(full_page=False)
    if UPDATE_SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / f"{name}.png").write_bytes(image)
    return image


def sign_in(page: Any, base: str, username: str, password: str = "correct horse") -> None:
    """Sign in through the login form with the keyboard."""
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Orders").wait_for()


def sign_in_new_user(page: Any, live_app: tuple[Flask, str], username: str, role: Role) -> None:
    """Add ``username`` with ``role`` (password "correct horse") and sign in as them."""
    app, base = live_app
    with app.app_context():
        create_user(db.session, username, "correct horse", role=role)
        db.session.commit()
    sign_in(page, base, username)


def add_folder_rule(page: Any, *, folder: str, rule: str, field: str, value: str) -> Any:
    """As a signed-in manager: add inbox folder ``folder`` and the rule ``rule`` moving each
    imported order whose ``field`` equals ``value`` there; the inbox's navigation."""
    from playwright.sync_api import expect

    page.get_by_role("link", name="Inbox").click()
    inbox_nav = page.get_by_role("navigation", name="Inbox")
    inbox_nav.get_by_role("link", name="Settings").click()
    page.get_by_label("New folder").fill(folder)
    page.get_by_role("button", name="Add folder").click()

    inbox_nav.get_by_role("link", name="Rules").click()
    page.get_by_role("link", name="New rule").click()
    page.get_by_label("Name").fill(rule)
    page.get_by_label("When").select_option(label="Order imported")
    page.get_by_label("Condition 1 field").fill(field)
    page.get_by_label("Condition 1 operator").select_option(label="equals")
    page.get_by_label("Condition 1 value").fill(value)
    page.get_by_label("Action 1", exact=True).select_option(label="Move to folder")
    page.get_by_label("Action 1 argument").fill(folder)
    page.get_by_role("button", name="Save rule").click()
    expect(page.get_by_role("status")).to_contain_text(f"Rule {rule} saved.")
    return inbox_nav
