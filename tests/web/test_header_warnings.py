"""Every page warns managers when consignments wait for a manifest near the carrier's cut-off."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from station.extensions import db
from station.models import Role
from station.settings import settings_store
from station.shipping.booking import book_consignment
from station.shipping.carriers import own_label
from station.shipping.cutoffs import save_cutoff
from tests.carriers.samples import shipment
from tests.conftest import AuthActions


def book_and_set_cutoff(app: Flask, minutes_from_now: int) -> None:
    local_now = datetime.now(ZoneInfo("Pacific/Auckland"))
    with app.app_context():
        book_consignment(db.session, own_label(db.session), shipment(1000), key="k-1")
        cutoff = local_now + timedelta(minutes=minutes_from_now)
        save_cutoff(settings_store(db.session), "ownlabel", f"{cutoff:%H:%M}")
        db.session.commit()


def test_the_warning_shows_on_every_page_for_managers_with_the_way_to_close_out(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    book_and_set_cutoff(app, minutes_from_now=10)
    auth.login("manager", role=Role.MANAGER)

    for path in ("/orders", "/bench", "/consignments"):
        page = client.get(path).get_data(as_text=True)

        assert "1 consignment for Own label is not manifested; cut-off" in page, path
        assert 'href="/manifests">Close out</a>' in page, path


def test_packers_who_cannot_close_out_are_not_shown_the_warning(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    book_and_set_cutoff(app, minutes_from_now=10)
    auth.login("packer", role=Role.PACKER)

    page = client.get("/orders").get_data(as_text=True)

    assert "not manifested" not in page


def test_no_warning_an_hour_before_the_cut_off(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    local_now = datetime.now(ZoneInfo("Pacific/Auckland"))
    if (local_now + timedelta(minutes=61)).date() != local_now.date():
        pytest.skip("an hour from now is tomorrow in Auckland: no cut-off lies ahead today")
    book_and_set_cutoff(app, minutes_from_now=60)
    auth.login()

    page = client.get("/orders").get_data(as_text=True)

    assert "not manifested" not in page
