"""Names people read instead of codes: ``{{ consignment.carrier|carrier_name }}`` is "Own label".

A carrier's name is looked up once per request and code (``carrier_for``: its setup, or
the code itself when it is no longer set up). A Cin7 branch's name comes from the cached
branch list, read once per request (``{{ order.branch_id|branch_name }}`` is
"Auckland Warehouse (1)", or "1" when no name is known); rendering never asks Cin7.
"""

from __future__ import annotations

from flask import Flask, g, has_request_context

from station.cin7.branch_cache import branch_label, cached_branches
from station.extensions import db
from station.ids import parse_id
from station.settings import SettingsStore
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


def branch_name(branch_id: int | str | None) -> str:
    """Cin7 branch ``branch_id`` as "Name (id)", or the id alone when no name is cached."""
    if branch_id is None or branch_id == "":
        return ""
    number = branch_id if isinstance(branch_id, int) else parse_id(str(branch_id))
    if number is None:
        return str(branch_id)  # not an id (a shop's typo in BranchId): shown as it came
    if not has_request_context():
        return branch_label(number, cached_branches(SettingsStore(db.session)).names)
    if "branch_names" not in g:
        g.branch_names = cached_branches(SettingsStore(db.session)).names
    return branch_label(number, g.branch_names)


def init_app(app: Flask) -> None:
    """Offer ``carrier_name`` and ``branch_name`` to every template."""
    app.add_template_filter(carrier_name, "carrier_name")
    app.add_template_filter(branch_name, "branch_name")
