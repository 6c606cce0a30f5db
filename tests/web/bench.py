"""Driving the bench page through the test client: scan an order, ship it, count rows."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from station.extensions import db


def open_order(client: FlaskClient, scanned: str = "SO-5001") -> tuple[str, str]:
    """Scan ``scanned`` at the bench; the page and the form's key."""
    page = client.post("/bench/scan", data={"scan": scanned}).get_data(as_text=True)
    match = re.search(r'name="key" value="([^"]+)"', page)
    assert match, page
    return page, match.group(1)


def ship(
    client: FlaskClient, key: str, weight: str = "1.25", service: str = "ownlabel:ON"
) -> tuple[int, str]:
    """Press Enter on order 1's bench form with ``key``; the status and the page."""
    response = client.post(
        "/bench/ship", data={"order_id": "1", "key": key, "weight": weight, "service": service}
    )
    return response.status_code, response.get_data(as_text=True)


def count(app: Flask, model: type) -> int:
    """How many rows ``model`` has."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def scan_item(client: FlaskClient, code: str) -> TestResponse:
    """Scan one item of order 1 at the bench."""
    return client.post("/bench/items", data={"scan": code, "order_id": "1"})


def rows(page: str) -> list[tuple[str, str, str]]:
    """(service, price, tags) per row of the rates table."""
    found = re.findall(
        r"<tr class=\"([^\"]*)\"[^>]*>\s*<td>([^<]+)</td>\s*<td class=\"num\">([^<]+)</td>", page
    )
    return [(service, price, classes.strip()) for classes, service, price in found]
