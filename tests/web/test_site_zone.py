"""Every time on every page is in the site's zone, named once in the header.

The same data is read in two zones (Auckland, 18 hours ahead of New York in December):
every page a signed-in admin can reach by following links is fetched in each, and every
time on it must be a ``<time>`` whose UTC attribute, read in that zone, is the text
shown. A date-and-time printed outside a ``<time>`` element, or one saying "UTC", fails.
"""

from __future__ import annotations

import re
from collections import deque
from datetime import UTC, datetime
from urllib.parse import urldefrag, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.extensions import db
from station.models import AuditEvent, OrderHold, Role
from station.sitetime import local
from station.sitetime import zone as zone_named
from tests.conftest import AuthActions
from tests.web.bench import open_order
from tests.web.test_fuzz_routes import build_world

ZONES = ("Pacific/Auckland", "America/New_York")
HREF = re.compile(r'<a\b[^>]*\bhref="([^"]+)"')
TIME = re.compile(r'<time datetime="([^"]+)">([^<]*)</time>')
BARE = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d|\d\d:\d\d(:\d\d)? UTC")
FORMATS = {16: "%Y-%m-%d %H:%M", 19: "%Y-%m-%d %H:%M:%S", 8: "%H:%M:%S", 12: "%H:%M:%S.%f"}
MAX_PAGES = 150
# Pages whose times are the subject, not a reading: what a person typed into a form
# (the value of a date box) is not a time shown.
TYPED = re.compile(r"<input\b[^>]*>|<textarea\b.*?</textarea>|<option\b[^>]*>", re.S)


def pages(client: FlaskClient) -> dict[str, str]:
    """Every page reachable by links from the home page, by URL."""
    seen: dict[str, str] = {}
    queue = deque(["/"])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url, follow_redirects=True)
        html = response.get_data(as_text=True) if "text/html" in response.content_type else ""
        seen[url] = html
        for href in HREF.findall(html):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/"):
                continue
            if href.startswith(("/static/", "/sandbox/")) or href.endswith(".csv"):
                continue
            queue.append(href)
    return seen


def problems(url: str, html: str, zone: str) -> list[str]:
    """What on one page is not a time in ``zone``."""
    found = []
    tz = zone_named(zone)
    for iso, text in TIME.findall(html):
        fmt = FORMATS.get(len(text))
        if fmt is None or local(iso, tz, fmt) != text:
            found.append(f"{url}: <time datetime={iso!r}> shows {text!r}, not its time in {zone}")
    outside = TIME.sub("", TYPED.sub("", html))
    outside = re.sub(r"<[^>]+>", " ", outside)
    found += [f"{url}: a time outside <time>: {m.group(0)!r}" for m in BARE.finditer(outside)]
    return found


@pytest.fixture
def admin(
    app: Flask,
    auth: AuthActions,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> FlaskClient:
    """Station with an order shipped, an inbox order, print jobs, audit entries and people."""
    return build_world(app, auth, client, monkeypatch, request).admin


def test_every_time_on_every_page_is_read_in_the_site_zone(app: Flask, admin: FlaskClient) -> None:
    seen: dict[str, dict[str, str]] = {}
    for zone in ZONES:
        app.config["TIMEZONE"] = zone
        seen[zone] = pages(admin)

    found = [
        p for zone in ZONES for url, html in seen[zone].items() for p in problems(url, html, zone)
    ]
    assert not found, "\n".join(found[:40])
    first, second = (seen[zone] for zone in ZONES)
    timed = [url for url, html in first.items() if TIME.search(html)]
    assert len(timed) >= 12, timed  # the lists and pages that show times were reached
    for url in timed:
        assert TIME.findall(first[url]) != TIME.findall(second.get(url, "")), url
        assert f"Times in {ZONES[0]}" in first[url] and f"Times in {ZONES[1]}" in second[url]


def test_the_zone_is_named_once_in_the_header(app: Flask, admin: FlaskClient) -> None:
    app.config["TIMEZONE"] = "Europe/Lisbon"

    page = admin.get("/orders").get_data(as_text=True)

    assert page.count("Times in Europe/Lisbon") == 1


def test_a_manager_chooses_the_site_zone_and_every_page_follows_with_an_audit_entry(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("manager", role=Role.MANAGER)

    saved = client.post("/settings/site", data={"timezone": "Asia/Tokyo"}, follow_redirects=True)
    refused = client.post("/settings/site", data={"timezone": "Mars/Olympus"})
    cleared = client.post("/settings/site", data={"timezone": ""}, follow_redirects=True)

    assert "Times are shown in Asia/Tokyo now." in saved.get_data(as_text=True)
    assert "Times in Asia/Tokyo" in saved.get_data(as_text=True)
    assert refused.status_code == 422
    assert "&#39;Mars/Olympus&#39; is not a time zone" in refused.get_data(as_text=True)
    assert "Times in Pacific/Auckland" in cleared.get_data(as_text=True)  # STATION_TIMEZONE
    with app.app_context():
        changes = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "settings.site_zone_changed")
        ).all()
    assert changes == [
        {"from": "— (STATION_TIMEZONE Pacific/Auckland)", "to": "Asia/Tokyo"},
        {"from": "Asia/Tokyo", "to": "— (STATION_TIMEZONE Pacific/Auckland)"},
    ]


def test_the_audit_line_names_the_servers_zone_when_none_was_chosen(
    app: Flask, client: FlaskClient, auth: AuthActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["TIMEZONE"] = ""
    monkeypatch.setenv("TZ", "Europe/Lisbon")
    auth.login("manager", role=Role.MANAGER)

    client.post("/settings/site", data={"timezone": "Asia/Tokyo"})
    page = client.get("/audit").get_data(as_text=True)

    assert "from: — (server&#39;s zone Europe/Lisbon) · to: Asia/Tokyo" in page
    assert "from: None" not in page and "from:  ·" not in page


def test_packers_cannot_change_the_site_zone(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("packer", role=Role.PACKER)

    assert client.post("/settings/site", data={"timezone": "Asia/Tokyo"}).status_code == 403


@pytest.mark.parametrize(
    ("zone", "shown"), [("Pacific/Auckland", "01:00 NZDT"), ("America/New_York", "07:00 EST")]
)
def test_a_sentence_a_service_says_names_its_time_in_the_site_zone(
    app: Flask, benches: tuple[FlaskClient, FlaskClient], zone: str, shown: str
) -> None:
    """The bench's "open at … since …" is built far from any template, and still reads local."""
    first, second = benches
    open_order(first)
    with app.app_context():
        hold = db.session.get(OrderHold, 1)
        assert hold is not None
        hold.held_at = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
        db.session.commit()
    app.config["TIMEZONE"] = zone

    page = second.post("/bench/scan", data={"scan": "SO-5001"}).get_data(as_text=True)

    assert f"it is open at Bench 1 by aroha since {shown}" in page
    assert "UTC" not in page
