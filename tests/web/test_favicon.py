"""Every page names Station's icon, and the icon is served."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from flask.testing import FlaskClient


def test_every_page_links_an_icon_that_is_served(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    link = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', page)
    assert link is not None

    icon = client.get(link[1])

    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    svg = ElementTree.fromstring(icon.get_data())
    assert svg.tag == "{http://www.w3.org/2000/svg}svg" and svg.get("viewBox") == "0 0 32 32"
