"""Pages a role cannot use are not linked for it: following every link a person is shown,
from the first page on, never ends at "403 Forbidden"."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from station.extensions import db
from station.models import Role
from tests.builders import add_order
from tests.web.conftest import signed_in

HREF = re.compile(r'<a\b[^>]*\bhref="([^"]+)"')
MAX_PAGES = 120


def crawl(client: FlaskClient, start: str = "/") -> dict[str, tuple[int, str]]:
    """Every same-site link reachable from ``start``: its status, and a page that links it."""
    seen: dict[str, tuple[int, str]] = {}
    queue = deque([(start, "(start)")])
    while queue and len(seen) < MAX_PAGES:
        url, linked_from = queue.popleft()
        if url in seen:
            continue
        response = client.get(url, follow_redirects=True)
        seen[url] = (response.status_code, linked_from)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        for href in HREF.findall(response.get_data(as_text=True)):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parts = urlsplit(href)
            if (
                parts.scheme
                or parts.netloc
                or not href.startswith("/")
                or href.startswith("/static/")
            ):
                continue
            if href not in seen:
                queue.append((href, url))
    return seen


@pytest.mark.parametrize("role", [Role.PACKER, Role.MANAGER, Role.ADMIN])
def test_no_link_a_person_is_shown_leads_to_a_page_they_may_not_use(app: Flask, role: Role) -> None:
    with app.app_context():
        add_order(db.session, 5001)
        add_order(db.session, 5002, is_void=True)
        db.session.commit()
    client = signed_in(app, f"someone-{role.value}", role)

    seen = crawl(client)

    refused = {url: found for url, found in seen.items() if found[0] in (401, 403)}
    assert not refused, refused
    assert len(seen) > 5
