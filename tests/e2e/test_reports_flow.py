"""A manager reads dispatches, freight and blocked orders on /reports, in real Chromium."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from station.accounts import create_user
from station.db import utcnow
from station.extensions import db
from station.models import ConsignmentState, Role
from tests.builders import add_order
from tests.e2e.conftest import screenshot, sign_in
from tests.reports.samples import centre, sent

pytestmark = pytest.mark.e2e

SERVICES = (("ON", "Overnight", "8.90"), ("EC", "Economy", "5.40"))


def a_fortnight_of_dispatches(session: Session) -> None:
    """About 120 consignments over the last 12 days from three packers, and a blocked order."""
    rng = random.Random(7)
    packers = [
        create_user(session, name, "correct horse", role=Role.PACKER, display_name=shown)
        for name, shown in (("aroha", "Aroha"), ("ben", "Ben"), ("mei", "Mei"))
    ]
    centres = [centre(session, "Retail"), centre(session, "Wholesale")]
    now = utcnow()
    for n in range(120):
        code, name, cost = rng.choice(SERVICES)
        when = now - timedelta(days=rng.randint(0, 11), hours=rng.randint(0, 9))
        sent(
            session,
            when.strftime("%Y-%m-%d %H:%M"),
            reference=f"SO-{2000 + n}",
            service_code=code,
            service_name=name,
            created_by=rng.choice(packers),
            cost_centre=rng.choice(centres),
            cost=Decimal(cost),
            charged=(Decimal(cost) * Decimal("1.15")).quantize(Decimal("0.01")),
            state=ConsignmentState.VOIDED if n % 17 == 0 else ConsignmentState.CREATED,
        )
    add_order(session, 9001, reference="SO-9001", delivery_postal_code="")


def test_a_manager_reads_dispatches_freight_and_blocked_orders(
    page: Any, live_app: tuple[Flask, str]
) -> None:
    app, base = live_app
    with app.app_context():
        create_user(db.session, "manager", "correct horse", role=Role.MANAGER)
        a_fortnight_of_dispatches(db.session)
        db.session.commit()
    sign_in(page, base, "manager")

    page.get_by_role("link", name="Reports").click()

    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    expect(page.locator(".headline .figure").first).to_contain_text(re.compile(r"^\d+ dispatches"))
    expect(page.get_by_role("img", name="Dispatches per day")).to_be_visible()
    expect(page.get_by_role("img", name="Carrier cost and charge per carrier")).to_be_attached()
    expect(page.locator("#report-freight-carriers .legend")).to_have_text(
        ["Carrier cost", "Charged"]
    )
    expect(page.locator("#report-packers tbody tr")).to_have_count(3)
    expect(page.locator("#report-blocked-orders")).to_contain_text("SO-9001")
    screenshot(page, "reports")

    page.get_by_role("combobox", name="Packer").select_option(label="Mei")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#report-packers tbody tr")).to_have_count(1)
    expect(page.locator("#report-packers")).to_contain_text("Mei")


def test_the_blocked_orders_table_pages_through_every_blocked_order(
    page: Any, live_app: tuple[Flask, str]
) -> None:
    app, base = live_app
    with app.app_context():
        create_user(db.session, "manager", "correct horse", role=Role.MANAGER)
        for n in range(60):
            add_order(db.session, 8000 + n, is_void=True)
        db.session.commit()
    sign_in(page, base, "manager")

    page.get_by_role("link", name="Reports").click()
    blocked = page.locator("#report-blocked-orders")
    pager = blocked.get_by_role("navigation", name="Pages of blocked orders")
    expect(pager).to_contain_text("Page 1 of 2 · rows 1–50 of 60")
    expect(blocked.locator("tbody tr")).to_have_count(50)
    expect(pager.get_by_role("link", name="← Previous")).to_have_count(0)

    pager.get_by_role("link", name="Next →").click()
    expect(page).to_have_url(re.compile(r"blocked_page=2#report-blocked-orders$"))
    expect(pager).to_contain_text("Page 2 of 2 · rows 51–60 of 60")
    expect(blocked.locator("tbody tr")).to_have_count(10)
    expect(blocked.locator("tbody tr").first).to_be_visible()  # the rows stay open
    expect(pager.get_by_role("link", name="Next →")).to_have_count(0)
    pager.get_by_role("link", name="← Previous").click()
    expect(pager).to_contain_text("Page 1 of 2")
