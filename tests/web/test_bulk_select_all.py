"""Managers select every order matching the list's filters and dispatch them in one run."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from station.extensions import db
from station.models import AuditEvent, BulkDispatch, Consignment, OrderLine, Printer, SalesOrder
from tests.builders import NOW, add_order
from tests.conftest import AuthActions

RUN = {"service": "ownlabel:ON", "weight": "1.1"}


def setup_orders(app: Flask, *, new: int, other: int = 0) -> tuple[list[int], int]:
    """``new`` orders at stage New (ids, newest edit first), ``other`` at stage Dispatched."""
    with app.app_context():
        printer = Printer(name="Bench 1", spec={"format": "zpl", "transport": "memory"})
        db.session.add(printer)
        ids = [
            add_order(db.session, cin7_id=9000 + i, cin7_modified=NOW - timedelta(minutes=i)).id
            for i in range(new)
        ]
        for i in range(other):
            add_order(db.session, cin7_id=8000 + i, stage="Dispatched")
        db.session.commit()
        return ids, printer.id


def test_the_list_offers_every_matching_order_with_the_count(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    setup_orders(app, new=3, other=2)
    auth.login()

    page = client.get("/orders?stage=New").get_data(as_text=True)

    assert 'name="all_matching" value="3" form="bulk-form"' in page
    assert "Select all 3 orders that match" in page
    assert 'name="match-stage" value="New" form="bulk-form"' in page
    # The filters arrive with the rows, so an htmx refresh of the list carries them too.
    fragment = client.get("/orders?stage=New", headers={"HX-Request": "true"})
    assert 'name="match-stage" value="New"' in fragment.get_data(as_text=True)


def test_an_unfiltered_list_offers_no_select_all(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    setup_orders(app, new=3)
    auth.login()

    assert "all_matching" not in client.get("/orders").get_data(as_text=True)


def test_select_all_dispatches_the_orders_the_filter_matches(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    ids, printer_id = setup_orders(app, new=3, other=2)
    auth.login()

    response = client.post(
        "/bulk",
        data={**RUN, "printer_id": str(printer_id), "all_matching": "3", "match-stage": "New"},
    )

    assert response.status_code == 302
    progress = client.get(response.headers["Location"] + "/progress").get_data(as_text=True)
    assert "3 of 3 handled · 3 shipped · 0 refused · finished" in progress
    with app.app_context():
        run = db.session.scalars(select(BulkDispatch)).one()
        assert run.order_ids == ids  # the list's order: newest edit first
        shipped = db.session.scalars(select(Consignment.order_id)).all()
        assert sorted(shipped) == sorted(ids)
        started = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "bulk.started")
        ).one()
        assert started.detail["selected"] == {"filters": {"stage": "New"}, "more": False}


def test_select_all_wins_over_the_ticked_orders(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    ids, printer_id = setup_orders(app, new=2, other=1)
    auth.login()
    with app.app_context():
        other = db.session.scalar(select(SalesOrder.id).where(SalesOrder.stage == "Dispatched"))

    client.post(
        "/bulk",
        data={
            **RUN,
            "printer_id": str(printer_id),
            "order_id": [str(other)],
            "all_matching": "2",
            "match-stage": "New",
        },
    )

    with app.app_context():
        assert db.session.scalars(select(BulkDispatch.order_ids)).one() == ids


def test_a_count_that_changed_since_the_list_starts_nothing(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    _, printer_id = setup_orders(app, new=3)
    auth.login()

    response = client.post(
        "/bulk",
        data={**RUN, "printer_id": str(printer_id), "all_matching": "2", "match-stage": "New"},
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    assert (
        "Bulk dispatch not started: 3 orders match the filters now, not 2 as the list showed"
        in page
    )
    assert response.request.args.get("stage") == "New"  # back to the same list
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BulkDispatch)) == 0


def test_select_all_without_a_filter_is_refused(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    _, printer_id = setup_orders(app, new=2)
    auth.login()

    response = client.post(
        "/bulk",
        data={**RUN, "printer_id": str(printer_id), "all_matching": "2"},
        follow_redirects=True,
    )

    assert "Narrow the list with a search or a filter" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BulkDispatch)) == 0


def add_many(app: Flask, count: int) -> int:
    """``count`` orders at stage New, added in one go; returns the printer's id."""
    with app.app_context():
        printer = Printer(name="Bench 1", spec={"format": "zpl", "transport": "memory"})
        db.session.add(printer)
        db.session.add_all(
            SalesOrder(
                cin7_id=20000 + i,
                reference=f"SO-{20000 + i}",
                stage="New",
                is_approved=True,
                cin7_modified=NOW - timedelta(seconds=i),
                lines=[OrderLine(position=1, code="TEE", name="Tee", qty=1, product_id=77)],
            )
            for i in range(count)
        )
        db.session.commit()
        return printer.id


class TestTheCap:
    """A run takes at most 1,000 orders: the first ones the list shows, and it says so.

    Jobs wait on a queue here, so a run of 1,000 is recorded without shipping them.
    """

    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        return {**app_config, "JOBS_IMMEDIATE": False}

    def test_the_list_says_only_the_first_thousand_go(
        self, app: Flask, client: FlaskClient, auth: AuthActions
    ) -> None:
        add_many(app, 1003)
        auth.login()

        page = client.get("/orders?stage=New").get_data(as_text=True)

        assert 'name="all_matching" value="1000"' in page
        assert "Select the first 1,000 of the 1,003 orders that match" in page
        assert "a run takes at most 1,000" in page

    def test_a_run_takes_the_first_thousand_and_says_more_match(
        self, app: Flask, client: FlaskClient, auth: AuthActions
    ) -> None:
        printer_id = add_many(app, 1003)
        auth.login()

        response = client.post(
            "/bulk",
            data={
                **RUN,
                "printer_id": str(printer_id),
                "all_matching": "1000",
                "match-stage": "New",
            },
            follow_redirects=True,
        )

        page = response.get_data(as_text=True)
        assert "More orders match than a run takes: this run has the first 1,000" in page
        assert "0 of 1000 handled" in page
        with app.app_context():
            run = db.session.scalars(select(BulkDispatch)).one()
            newest = db.session.scalars(
                select(SalesOrder.id).order_by(SalesOrder.cin7_modified.desc()).limit(1000)
            ).all()
            assert run.order_ids == newest
            started = db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "bulk.started")
            ).one()
            assert started.detail["selected"]["more"] is True
