"""Chromium runs the browser tests with the features conftest.py turns off, Playwright's too."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import CHROMIUM_DISABLED_FEATURES

pytestmark = pytest.mark.e2e


def test_chromium_keeps_playwrights_disabled_features_and_ours(page: Any) -> None:
    """Chromium obeys only the last --disable-features: ours must hold all of Playwright's."""
    page.goto("chrome://version")
    switches = page.locator("#command_line").inner_text().split()
    lists = [
        set(switch.removeprefix("--disable-features=").split(","))
        for switch in switches
        if switch.startswith("--disable-features=")
    ]
    playwrights, ours = lists[0], lists[-1]
    assert playwrights <= ours, f"add {sorted(playwrights - ours)} to PLAYWRIGHT_DISABLED_FEATURES"
    assert set(CHROMIUM_DISABLED_FEATURES) <= ours


def test_no_window_loads_the_address_bars_drop_down(page: Any) -> None:
    """The drop-down's page, a renderer process per test, stays unloaded (see conftest.py)."""
    page.goto("about:blank")
    session = page.context.browser.new_browser_cdp_session()
    urls = [target["url"] for target in session.send("Target.getTargets")["targetInfos"]]
    session.detach()
    assert not [url for url in urls if url.startswith("chrome://omnibox-popup")], urls
