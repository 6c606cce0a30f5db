"""The manifests page: managers close out carriers, set cut-offs and download manifest PDFs."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from typing import Any

import pypdf
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from station import create_app
from station.extensions import db
from station.models import Consignment, Manifest, Role
from station.settings import settings_store
from station.shipping.booking import book_consignment
from station.shipping.carriers import own_label
from station.web.localtime import warehouse_zone
from tests.carriers.samples import shipment
from tests.conftest import AuthActions


def midday_zone() -> str:
    """A fixed-offset zone where it is now between 12:00 and 13:00, so tests never hit midnight."""
    offset = 12 - datetime.now(UTC).hour
    return f"Etc/GMT{-offset:+d}"  # the Etc zones' signs are inverted: Etc/GMT-5 is UTC+5


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "TIMEZONE": midday_zone()}


def book(app: Flask, *references: str) -> None:
    with app.app_context():
        for n, reference in enumerate(references):
            carrier = own_label(db.session)
            book_consignment(
                db.session, carrier, shipment(1000 + n, reference=reference), key=reference
            )
        db.session.commit()


def count(app: Flask, model: type[Any]) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_visitors_sign_in_first_and_packers_are_kept_out(
    client: FlaskClient, auth: AuthActions
) -> None:
    assert client.get("/manifests").status_code == 302
    auth.login(username="packer", role=Role.PACKER)

    assert client.get("/manifests").status_code == 403
    assert client.post("/manifests/ownlabel/close").status_code == 403
    assert client.post("/manifests/ownlabel/cutoff", data={"cutoff": "16:30"}).status_code == 403


def test_a_manager_closes_out_a_carrier_and_downloads_its_manifest(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    book(app, "SO-1", "SO-2")
    auth.login()

    page = client.get("/manifests").get_data(as_text=True)
    closed = client.post("/manifests/ownlabel/close")
    after = client.get("/manifests").get_data(as_text=True)

    assert "Own label" in page and "2 consignments waiting for a manifest" in page
    assert closed.status_code == 302 and closed.headers["Location"] == "/manifests"
    assert "Manifest OWNLABEL-000001: 2 consignments for Own label closed out." in after
    assert "0 consignments waiting for a manifest" in after
    with app.app_context():
        manifest = db.session.scalars(select(Manifest)).one()
        assert manifest.closed_by is not None and manifest.closed_by.username == "manager"
        assert {c.manifest_id for c in db.session.scalars(select(Consignment))} == {manifest.id}
        link = f"/manifests/{manifest.id}.pdf"
    assert f'href="{link}"' in after

    pdf = client.get(link)

    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pypdf.PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Manifest number OWNLABEL-000001" in text and "SO-1" in text and "SO-2" in text


def test_closing_out_with_nothing_waiting_says_so(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()

    response = client.post("/manifests/ownlabel/close")

    assert response.status_code == 409
    assert (
        "Nothing to close out for Own label: no booked consignments are waiting for a manifest."
        in response.get_data(as_text=True)
    )
    assert count(app, Manifest) == 0


def test_the_warning_shows_at_the_top_once_the_cut_off_is_near_or_past(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    book(app, "SO-1")
    auth.login()
    client.post("/manifests/ownlabel/cutoff", data={"cutoff": "23:59"})
    quiet = client.get("/manifests").get_data(as_text=True)

    # 00:00 has passed at any hour of the site's day (12:00 had not before noon in Auckland)
    saved = client.post("/manifests/ownlabel/cutoff", data={"cutoff": "00:00"})
    page = client.get("/manifests").get_data(as_text=True)

    assert "not manifested" not in quiet
    assert saved.status_code == 302
    with app.app_context():
        zone = datetime.now(warehouse_zone()).tzname()  # the site zone's abbreviation today
    warning = f"1 consignment for Own label is not manifested; cut-off 00:00 {zone} has passed"
    assert warning in page and page.index(warning) < page.index('<section class="panel')
    assert f"Cut-off for Own label set to 00:00 {zone}." in page
    assert 'value="00:00"' in page


def test_a_cut_off_that_is_not_hh_mm_is_refused(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()

    response = client.post("/manifests/ownlabel/cutoff", data={"cutoff": "25:00"})

    assert response.status_code == 422
    assert "The cut-off &#39;25:00&#39; is not a time of day" in response.get_data(as_text=True)
    with app.app_context():
        assert settings_store(db.session).get("carrier.ownlabel.cutoff") is None


def test_an_unknown_manifest_is_not_found(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()

    assert client.get("/manifests/99.pdf").status_code == 404


def test_close_out_without_a_csrf_token_is_refused(app_config: dict[str, Any]) -> None:
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    AuthActions(app, client).create()
    book(app, "SO-1")
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login)
    assert token is not None
    client.post(
        "/login",
        data={"username": "manager", "password": "correct horse", "csrf_token": token.group(1)},
    )

    refused = client.post("/manifests/ownlabel/close")
    page = client.get("/manifests").get_data(as_text=True)
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert form_token is not None
    closed = client.post("/manifests/ownlabel/close", data={"csrf_token": form_token.group(1)})

    assert (refused.status_code, closed.status_code) == (400, 302)
    assert count(app, Manifest) == 1
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
