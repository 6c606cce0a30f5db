"""Stages that must not ship, over HTTP: the bench refuses or asks, bulk skips, settings save."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.extensions import db
from station.models import AuditEvent, Consignment, Printer, Role, SalesOrder
from tests.builders import add_order
from tests.web.bench import count, open_order
from tests.web.conftest import signed_in


def set_stage(app: Flask, stage: str, reference: str = "SO-5001") -> int:
    with app.app_context():
        order = db.session.scalars(
            select(SalesOrder).where(SalesOrder.reference == reference)
        ).one()
        order.stage = stage
        db.session.commit()
        return order.id


def ship_form(client: FlaskClient, order_id: int, **extra: str) -> tuple[int, str]:
    data = {"order_id": str(order_id), "key": f"bench-{order_id}-t", "weight": "1.2"}
    response = client.post("/bench/ship", data={**data, "service": "ownlabel:ON", **extra})
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize("stage", ["Declined", "On Hold"])
def test_the_bench_refuses_an_order_at_a_refused_stage_and_names_it(
    app: Flask, bench: FlaskClient, stage: str
) -> None:
    order_id = set_stage(app, stage)

    page = bench.post("/bench/scan", data={"scan": "SO-5001"}).get_data(as_text=True)
    status, refused = ship_form(bench, order_id)  # a stale form's Enter

    assert "SO-5001 cannot ship" in page and f"it is {stage} in Cin7" in page
    assert 'name="weight"' not in page
    assert status == 422 and f"SO-5001 cannot ship: It is {stage} in Cin7." in refused
    assert count(app, Consignment) == 0


def test_the_bench_asks_to_confirm_an_awaiting_payment_order_first(
    app: Flask, bench: FlaskClient
) -> None:
    order_id = set_stage(app, "Awaiting Payment")

    page, _ = open_order(bench)

    confirm = re.search(r'<input type="checkbox" name="confirm_stage"[^>]*>', page)
    assert confirm, page
    assert 'value="Awaiting Payment"' in confirm.group(0)
    assert "required" in confirm.group(0) and "autofocus" in confirm.group(0)
    assert "SO-5001 is Awaiting Payment in Cin7.</strong> Ship it anyway?" in page
    assert not re.search(r'<input name="weight"[^>]*autofocus', page)  # the question first

    status, refused = ship_form(bench, order_id)
    assert status == 422 and "Awaiting Payment in Cin7 and shipping it was not confirmed" in refused
    assert count(app, Consignment) == 0

    status, shipped = ship_form(bench, order_id, confirm_stage="Awaiting Payment")
    assert status == 200 and "SO-5001 shipped" in shipped
    assert count(app, Consignment) == 1


def test_an_order_at_an_ordinary_stage_has_no_question(bench: FlaskClient) -> None:
    page, _ = open_order(bench)

    assert 'name="confirm_stage"' not in page
    assert re.search(r'<input name="weight"[^>]*autofocus', page)


@pytest.fixture
def manager(app: Flask) -> FlaskClient:
    with app.app_context():
        db.session.add(Printer(name="Dock", spec={"format": "zpl", "transport": "memory"}))
        for n, stage in ((1, "New"), (2, "On Hold"), (3, "Awaiting Payment")):
            add_order(db.session, n, stage=stage)
        db.session.commit()
    return signed_in(app, "aroha", Role.MANAGER)


def bulk_failures(app: Flask, manager: FlaskClient, **extra: object) -> dict[str, str]:
    with app.app_context():
        ids = [str(i) for i in db.session.scalars(select(SalesOrder.id).order_by(SalesOrder.id))]
        printer = db.session.scalars(select(Printer.id)).one()
    form = {"order_id": ids, "printer_id": str(printer), "service": "ownlabel:EC", "weight": "1"}
    response = manager.post("/bulk", data={**form, **extra}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    rows = re.findall(r'>(SO-\d+)</a></td><td class="bad">([^<]+)</td>', page)
    return dict(rows)


def test_bulk_lists_the_stage_refusals_and_skips_awaiting_payment_unless_ticked(
    app: Flask, manager: FlaskClient
) -> None:
    page = manager.get("/orders").get_data(as_text=True)
    assert '<input type="checkbox" name="confirm_stage" value="Awaiting Payment">' in page

    skipped = bulk_failures(app, manager)

    assert skipped == {
        "SO-2": "SO-2 cannot ship: It is On Hold in Cin7.",
        "SO-3": "SO-3 cannot ship: It is Awaiting Payment in Cin7 and shipping it was not "
        "confirmed.",
    }

    ticked = bulk_failures(app, manager, confirm_stage="Awaiting Payment")

    assert set(ticked) == {"SO-1", "SO-2"}  # SO-1 shipped in the first run; SO-3 now ships
    assert "already has consignment" in ticked["SO-1"]


def test_the_stage_lists_are_saved_audited_and_used(app: Flask, manager: FlaskClient) -> None:
    page = manager.get("/settings/shipping/").get_data(as_text=True)
    assert 'value="Declined, On Hold"' in page and 'value="Awaiting Payment"' in page

    response = manager.post(
        "/settings/shipping/stages",
        data={"refused": "declined", "confirm": "awaiting payment, on hold"},
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    assert "Stages saved" in page and 'value="On Hold"' not in page
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "settings.ship_stages.saved")
        ).one()
        assert event.actor_username == "aroha"
        assert event.detail["refused"] == ["Declined"]
        assert event.detail["confirm"] == ["Awaiting Payment", "On Hold"]
        assert event.detail["refused_before"] == ["Declined", "On Hold"]
    ready = manager.get("/orders", query_string={"blocked": "confirm"}).get_data(as_text=True)
    assert set(re.findall(r'href="/orders/\d+">(SO-\d+)</a>', ready)) == {"SO-2", "SO-3"}


def test_contradicting_stage_lists_are_refused_with_a_sentence(
    app: Flask, manager: FlaskClient
) -> None:
    response = manager.post(
        "/settings/shipping/stages", data={"refused": "On Hold", "confirm": "On Hold"}
    )

    assert response.status_code == 422
    assert "On Hold cannot be both refused and shipped after a confirmation" in (
        response.get_data(as_text=True)
    )


def test_a_packer_cannot_change_the_stage_lists(app: Flask, bench: FlaskClient) -> None:
    response = bench.post("/settings/shipping/stages", data={"refused": "", "confirm": ""})

    assert response.status_code == 403
