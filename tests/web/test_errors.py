"""App-wide error answers: a body over the limit is a 413, a database still locked a 503."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from station import create_app
from station.config import describe_size
from station.extensions import db
from station.inbox.csv_import import MAX_CSV_BYTES
from station.inbox.tokens import create_token
from station.models import Role
from tests.builders import add_order
from tests.conftest import AuthActions

MB = 1024 * 1024


def upload(client: FlaskClient, size: int) -> Any:
    """A CSV import of ``size`` bytes (what the browser's form sends)."""
    return client.post(
        "/inbox/import",
        data={"shop": "csv", "csv_file": (io.BytesIO(b"x" * size), "orders.csv")},
        content_type="multipart/form-data",
    )


def test_a_csv_just_over_the_import_limit_gets_the_imports_own_answer(
    client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()

    response = upload(client, MAX_CSV_BYTES + 1)

    assert response.status_code == 422
    assert "larger than 10 MB; nothing was imported" in response.get_data(as_text=True)


CSV_NOTE = "A CSV import takes files up to 10 MB: split a bigger file and import the parts."
RATE_CARD_NOTE = "A rate card takes CSV files up to 1 MB."


@pytest.mark.parametrize(
    ("path", "note", "not_this"),
    [
        ("/inbox/import", CSV_NOTE, RATE_CARD_NOTE),
        ("/settings/shipping/rate-card", RATE_CARD_NOTE, CSV_NOTE),
    ],
)
def test_an_upload_over_the_apps_limit_gets_a_page_naming_the_limits_that_applied(
    app: Flask, client: FlaskClient, auth: AuthActions, path: str, note: str, not_this: str
) -> None:
    auth.login()
    size = app.config["MAX_CONTENT_LENGTH"] + 1

    response = client.post(
        path,
        data={"shop": "csv", "csv_file": (io.BytesIO(b"x" * size), "upload.csv")},
        content_type="multipart/form-data",
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 413 and response.mimetype == "text/html"
    assert "What you sent is larger than 12 MB, the most Station takes in one request." in page
    assert note in page and not_this not in page and "Back to Station" in page


def test_an_htmx_request_over_the_limit_gets_a_fragment(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()

    response = client.post(
        "/inbox/orders/1/notes",
        data={"text": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)},
        headers={"HX-Request": "true"},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 413 and "larger than 12 MB" in page
    assert "<html" not in page and "CSV" not in page


@pytest.mark.parametrize("signed_in", [False, True])
def test_an_api_request_over_the_limit_gets_json(
    app: Flask, client: FlaskClient, signed_in: bool
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000
    headers = {"Content-Type": "application/json"}
    path = "/api/v1/shopify/orders/create"  # reads the body before checking its signature
    if signed_in:
        with app.app_context():
            shop = create_token(db.session, name="shop", shop="web")
            db.session.commit()
        headers["Authorization"], path = f"Bearer {shop.token}", "/api/v1/orders"

    response = client.post(path, data=b'{"id": "' + b"1" * 2000 + b'"}', headers=headers)

    assert response.status_code == 413
    assert response.get_json() == {
        "error": "The request body is larger than 1000 bytes, the most Station reads."
    }


@contextmanager
def write_lock_held(app: Flask) -> Iterator[None]:
    """Another connection holds SQLite's write lock (as a stuck writer would) until the end."""
    other = sqlite3.connect(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
    finally:
        other.rollback()
        other.close()


@pytest.fixture
def busy_app(app_config: dict[str, Any]) -> Iterator[Flask]:
    """Station on SQLite with a busy timeout short enough to run out in a test."""
    app = create_app({**app_config, "DATABASE_BUSY_TIMEOUT": 0.2})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_scan_that_never_gets_the_write_lock_is_a_503_saying_to_try_again(
    busy_app: Flask,
) -> None:
    with busy_app.app_context():
        add_order(db.session)
        db.session.commit()
    packer = busy_app.test_client()
    AuthActions(busy_app, packer).login("packer", role=Role.PACKER)

    with write_lock_held(busy_app):
        refused = packer.post(
            "/bench/scan", data={"scan": "SO-5001"}, headers={"HX-Request": "true"}
        )
    again = packer.post("/bench/scan", data={"scan": "SO-5001"}, headers={"HX-Request": "true"})

    assert refused.status_code == 503 and refused.headers["Retry-After"] == "5"
    page = refused.get_data(as_text=True)
    assert "The database is busy" in page and "try again in a few seconds" in page
    assert again.status_code == 200 and "SO-5001" in again.get_data(as_text=True)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_api_post_that_never_gets_the_write_lock_is_a_json_503(busy_app: Flask) -> None:
    with busy_app.app_context():
        shop = create_token(db.session, name="shop", shop="web")
        db.session.commit()
    headers = {"Authorization": f"Bearer {shop.token}"}

    with write_lock_held(busy_app):
        response = busy_app.test_client().post("/api/v1/orders", json={}, headers=headers)

    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.get_json()["error"].startswith("The database is busy")


@pytest.mark.parametrize(
    ("setting", "limit"), [("12582912", 12 * MB), ("20971520", 20 * MB), ("5000", 5000)]
)
def test_the_limit_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, setting: str, limit: int
) -> None:
    monkeypatch.setenv("STATION_MAX_CONTENT_LENGTH", setting)

    app = create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True})

    assert app.config["MAX_CONTENT_LENGTH"] == limit


@pytest.mark.parametrize("setting", ["12MB", "0", "-5", "true"])
def test_a_limit_that_is_not_a_number_of_bytes_stops_station_starting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, setting: str
) -> None:
    monkeypatch.setenv("STATION_MAX_CONTENT_LENGTH", setting)

    with pytest.raises(ValueError, match="MAX_CONTENT_LENGTH must be a positive number of bytes"):
        create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True})


@pytest.mark.parametrize(
    ("size", "text"),
    [(12 * MB, "12 MB"), (MB + MB // 2, "1.5 MB"), (1024, "1 KB"), (300, "300 bytes")],
)
def test_sizes_read_as_people_write_them(size: int, text: str) -> None:
    assert describe_size(size) == text
