"""Settings forms line up: every field sits under its label, as wide as the others."""

from __future__ import annotations

from typing import Any

from flask import Flask

from station.models import Role
from tests.e2e.conftest import sign_in_new_user

FIELDS = (
    "Cin7 tracking code holds",
    "Push freight to Cin7 after the label printed",
    "Shopify trigger: idCustomerAppsLink",
    "Refuse orders at these Cin7 stages",
    "Add Karrio carriers (a JSON object or list; see docs/carriers.md)",
)


def test_shipping_settings_fields_start_under_their_labels_at_one_width(
    page: Any, live_app: tuple[Flask, str]
) -> None:
    _, base = live_app
    sign_in_new_user(page, live_app, "manager", Role.MANAGER)
    page.goto(f"{base}/settings/shipping/")

    labels = {name: page.locator("label", has_text=name) for name in FIELDS}
    boxes = {
        n: label.locator("input, select, textarea").bounding_box() for n, label in labels.items()
    }

    *fields, karrio = FIELDS
    widths = {round(boxes[name]["width"]) for name in fields}
    assert len(widths) == 1, boxes  # the selects as wide as the text boxes
    assert boxes[karrio]["width"] >= max(widths), boxes  # the JSON box no narrower
    for name, box in boxes.items():
        label = labels[name].bounding_box()
        assert round(box["x"]) == round(label["x"]), (name, "indented or beside its label")
        assert box["y"] >= label["y"] + 15, (name, "beside its label, not under it")
