"""On a phone-wide window (390 px) the page itself never scrolls sideways: a wide list
scrolls inside its own box, and everything else wraps."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from station.extensions import db
from station.models import Printer
from tests.builders import add_order
from tests.e2e.test_header_layout import sign_in_admin

PAGES = ["/orders", "/printers", "/printers/queue", "/consignments", "/users", "/audit",
         "/inbox/settings", "/settings/shipping/", "/bench", "/inbox"]  # fmt: skip


@pytest.fixture
def filled(live_app: tuple[Flask, str]) -> None:
    app, _ = live_app
    with app.app_context():
        for n in range(3):
            add_order(db.session, 5001 + n, company="Harbour Cafe Limited Partnership")
        db.session.add(
            Printer(name="Dispatch bench Zebra", spec={"format": "zpl", "transport": "memory"})
        )
        db.session.commit()


def test_no_page_scrolls_sideways_at_390_px(
    page: Any, live_app: tuple[Flask, str], filled: None
) -> None:
    base = sign_in_admin(page, live_app)
    page.set_viewport_size({"width": 390, "height": 844})

    wider = {}
    for path in PAGES:
        page.goto(f"{base}{path}")
        extra = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if extra > 0:
            wider[path] = extra

    assert wider == {}, f"pages wider than the window (px): {wider}"
