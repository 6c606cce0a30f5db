"""Every page names Station's icon, and the icon is served."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import AuthActions
from tests.web.test_fuzz_routes import build_world
from tests.web.test_site_zone import pages

ICON = '<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">'


def test_every_page_links_an_icon_that_is_served(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    link = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', page)
    assert link is not None

    icon = client.get(link[1])

    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    svg = ElementTree.fromstring(icon.get_data())
    assert svg.tag == "{http://www.w3.org/2000/svg}svg" and svg.get("viewBox") == "0 0 32 32"


def test_every_page_a_signed_in_admin_reaches_links_the_icon(
    app: Flask,
    auth: AuthActions,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    admin = build_world(app, auth, client, monkeypatch, request).admin
    reached = {url: html for url, html in pages(admin).items() if html}
    reached["/orders/999999 (not found)"] = admin.get("/orders/999999").get_data(as_text=True)

    missing = [url for url, html in reached.items() if ICON not in html]

    assert len(reached) >= 30 and not missing, missing
