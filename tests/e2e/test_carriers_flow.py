"""A manager retires the built-in own-label carrier once another can book, and brings it back."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from playwright.sync_api import expect

from station.models import Role
from tests.carriers.samples import GENERIC
from tests.e2e.conftest import sign_in_new_user


def test_the_own_label_carrier_is_retired_beside_a_karrio_one_and_brought_back(
    page: Any, live_app: tuple[Flask, str]
) -> None:
    _, base = live_app
    sign_in_new_user(page, live_app, "manager", Role.MANAGER)
    page.goto(f"{base}/settings/shipping/")
    own_label = page.locator("#carrier-ownlabel")
    page.on("dialog", lambda dialog: dialog.accept())  # "Retire carrier Own label? …"

    # Alone, it is the only carrier to book with: refused, with what to do instead.
    own_label.get_by_role("button", name="Retire").click()
    expect(page.get_by_role("status")).to_contain_text(
        "The carrier Own label is the only one left to book with: add another carrier"
    )

    page.get_by_label("Add Karrio carriers").fill(json.dumps({**GENERIC, "code": "testpost"}))
    page.get_by_role("button", name="Add Karrio carriers").click()
    expect(page.get_by_role("status")).to_have_text("Carrier Test Post added.")

    own_label.get_by_role("button", name="Retire").click()
    expect(page.get_by_role("status")).to_contain_text("Carrier Own label retired")
    expect(own_label).to_contain_text("retired")
    expect(own_label.get_by_role("button", name="Retire")).to_have_count(0)

    own_label.get_by_role("button", name="Bring back").click()
    expect(page.get_by_role("status")).to_have_text(
        "Carrier Own label brought back: offered and booked again."
    )
    expect(own_label.get_by_role("button", name="Retire")).to_be_visible()
    expect(page.locator("#carrier-testpost")).not_to_contain_text("retired")
