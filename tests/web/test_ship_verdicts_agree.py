"""The order list's "Can ship" filter and the bench agree on every demo order, reasons included.

Every order of the sandbox's demo data (all stages, void and dispatched ones too) is
synced, listed under each "Can ship" filter, and scanned at the bench; each order must be
listed under exactly the verdict the bench gives it, with the same reasons.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.cin7.sandbox import Limits, SandboxServer
from station.cin7.sync import sync_orders
from station.cin7.wiring import cin7_wiring
from station.extensions import db
from station.models import Printer, Role, SalesOrder
from tests.cin7.builders import EVERYTHING
from tests.conftest import AuthActions
from tests.fakes.cin7 import sandbox_config

FILTERS = {"no": "ready", "confirm": "confirm", "yes": "blocked"}
ROW = re.compile(
    r'href="/orders/\d+">(SO-\d+)</a>.*?<td class="can-ship" data-verdict="(\w+)">(.*?)</td>',
    re.S,
)


@pytest.fixture
def sandbox_limits() -> Limits:
    return Limits.unlimited()


@pytest.fixture
def app_config(app_config: dict[str, Any], sandbox: SandboxServer) -> dict[str, Any]:
    return {**app_config, **sandbox_config(sandbox), "ORDERS_PER_PAGE": 1000}


@pytest.fixture
def packer(app: Flask, client: FlaskClient, auth: AuthActions) -> FlaskClient:
    """Every demo order synced, a bench printer, a packer signed in."""
    with app.app_context():
        with cin7_wiring().client(db.session) as cin7:
            sync_orders(db.session, cin7, EVERYTHING)
        db.session.add(Printer(name="Bench 1", spec={"format": "zpl", "transport": "memory"}))
        db.session.commit()
    auth.login("packer", role=Role.PACKER)
    return client


def reasons(cell: str) -> list[str]:
    return [html.unescape(r) for r in re.findall(r"<li[^>]*>(.*?)</li>", cell)]


def listed(client: FlaskClient) -> dict[str, tuple[str, list[str]]]:
    """Each order's filter (by membership) and the reasons its row shows."""
    found: dict[str, tuple[str, list[str]]] = {}
    for arg, verdict in FILTERS.items():
        page = client.get("/orders", query_string={"blocked": arg}).get_data(as_text=True)
        for reference, shown, cell in ROW.findall(page):
            assert reference not in found, f"{reference} is under two filters"
            assert shown == verdict, (reference, shown, verdict)
            found[reference] = (verdict, reasons(cell))
    return found


def at_the_bench(client: FlaskClient, reference: str) -> tuple[str, list[str]]:
    """What the bench does with a scan of ``reference``, and the reasons it gives."""
    page = client.post("/bench/scan", data={"scan": reference}).get_data(as_text=True)
    if f"{reference} cannot ship:" in page:
        return "blocked", [
            html.unescape(r) for r in re.findall(r'<li class="bad">(.*?)</li>', page)
        ]
    if 'name="confirm_stage"' in page:
        return "confirm", []
    assert 'name="weight"' in page, page
    return "ready", []


def test_every_demo_order_is_listed_under_the_verdict_the_bench_gives_it(
    app: Flask, packer: FlaskClient
) -> None:
    with app.app_context():
        references = set(db.session.scalars(select(SalesOrder.reference)))
    assert len(references) > 400  # the demo data Station could store

    listing = listed(packer)

    assert set(listing) == references  # every order under exactly one filter
    for reference in sorted(references):
        assert at_the_bench(packer, reference) == listing[reference], reference
    verdicts = Counter(verdict for verdict, _ in listing.values())
    stage_reasons = {r for _, rs in listing.values() for r in rs if r.startswith("it is ")}
    assert min(verdicts.values()) > 5 and len(verdicts) == 3, verdicts  # the test means something
    assert {"it is On Hold in Cin7", "it is Declined in Cin7"} <= stage_reasons
