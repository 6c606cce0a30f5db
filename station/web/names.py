"""Names people read instead of codes: ``{{ consignment.carrier|carrier_name }}`` is "Own label".

A carrier's name is looked up once per request and code (``carrier_for``: its setup, or
the code itself when it is no longer set up).
"""

from __future__ import annotations

from flask import Flask, g, has_request_context

from station.extensions import db
from station.shipping.manifests import carrier_name as lookup_carrier_name


def carrier_name(code: str | None) -> str:
    """The name people know carrier ``code`` by ("ownlabel" → "Own label")."""
    if not code:
        return ""
    if not has_request_context():
        return lookup_carrier_name(db.session, code)
    names: dict[str, str] = g.setdefault("carrier_names", {})
    if code not in names:
        names[code] = lookup_carrier_name(db.session, code)
    return names[code]


def init_app(app: Flask) -> None:
    """Offer ``carrier_name`` to every template."""
    app.add_template_filter(carrier_name, "carrier_name")
