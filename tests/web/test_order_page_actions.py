"""One order's page says why the bench would refuse it, and opens it at the bench."""

from __future__ import annotations

from flask import Flask

from station.extensions import db
from station.models import Role
from tests.builders import add_order
from tests.web.conftest import signed_in


def test_the_order_page_lists_the_reasons_the_bench_would_give(app: Flask) -> None:
    with app.app_context():
        blocked = add_order(db.session, 5001, is_void=True, delivery_city=" ").id
        ready = add_order(db.session, 5002).id
        confirm = add_order(db.session, 5003, stage="Awaiting Payment").id
        db.session.commit()
    packer = signed_in(app, "packer", Role.PACKER)

    refused = packer.get(f"/orders/{blocked}").get_data(as_text=True)
    fine = packer.get(f"/orders/{ready}").get_data(as_text=True)
    asks = packer.get(f"/orders/{confirm}").get_data(as_text=True)

    assert "<h2>Cannot ship</h2>" in refused
    assert "<li>the order is void in Cin7</li>" in refused
    assert "<li>the delivery address has no city</li>" in refused
    assert 'id="cannot-ship"' not in fine
    assert "It is Awaiting Payment in Cin7: the bench ships it once a person confirms." in asks


def test_open_at_the_bench_scans_the_order_as_the_bench_page_loads(app: Flask) -> None:
    with app.app_context():
        order_id = add_order(db.session, 5001).id
        db.session.commit()
    packer = signed_in(app, "packer", Role.PACKER)

    page = packer.get(f"/orders/{order_id}").get_data(as_text=True)
    bench = packer.get("/bench?open=SO-5001").get_data(as_text=True)
    plain = packer.get("/bench").get_data(as_text=True)

    assert 'href="/bench?open=SO-5001">Open at the bench</a>' in page
    assert 'hx-trigger="submit, load"' in bench and 'value="SO-5001"' in bench
    assert 'hx-trigger="submit, load"' not in plain
