"""Managers retire the built-in own-label carrier and bring any retired carrier back."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from station import audit
from station.dispatch.choices import ship_choices
from station.extensions import db
from station.models import AuditEvent, BulkDispatch, Consignment, ConsignmentState, Printer
from station.settings import settings_store
from station.shipping.carriers import carrier_codes, carrier_for, save_karrio_carriers
from station.shipping.returns import ReturnRefused, book_return
from tests.builders import add_order
from tests.carriers.samples import GENERIC
from tests.conftest import AuthActions
from tests.web.bench import open_order, ship

CARRIERS = "/settings/shipping/carriers"


@pytest.fixture
def karrio(app: Flask) -> None:
    """Test Post set up as a Karrio carrier beside the built-in one."""
    with app.app_context():
        save_karrio_carriers(settings_store(db.session), [{**GENERIC, "code": "testpost"}])
        db.session.commit()


@pytest.fixture
def manager(client: FlaskClient, auth: AuthActions) -> FlaskClient:
    auth.login()
    return client


def last_event(app: Flask) -> tuple[str, str] | None:
    """The latest audit entry: its action and sentence."""
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
        return (event.action, audit.describe(event)) if event else None


def retire_own_label(app: Flask) -> None:
    """A manager retires the own-label carrier through the settings page."""
    client = app.test_client()
    AuthActions(app, client).login()
    assert client.post(f"{CARRIERS}/ownlabel/retire").status_code == 302


def test_the_only_carrier_is_not_retired_and_the_page_says_why(
    app: Flask, manager: FlaskClient
) -> None:
    page = manager.get("/settings/shipping/").get_data(as_text=True)
    assert f'action="{CARRIERS}/ownlabel/retire"' in page

    answer = manager.post(f"{CARRIERS}/ownlabel/retire")

    assert answer.status_code == 422
    assert "The carrier Own label is the only one left to book with" in answer.text
    assert last_event(app) == ("signin.succeeded", "Signin: succeeded")  # nothing since
    with app.app_context():
        assert carrier_codes(db.session) == ["ownlabel"]


@pytest.mark.usefixtures("karrio")
def test_the_own_label_carrier_is_retired_then_brought_back(
    app: Flask, manager: FlaskClient
) -> None:
    retired = manager.post(f"{CARRIERS}/ownlabel/retire", follow_redirects=True)

    assert "Carrier Own label retired" in retired.text
    assert 'id="carrier-ownlabel" class="void"' in retired.text
    assert f'action="{CARRIERS}/ownlabel/bring-back"' in retired.text
    assert f'action="{CARRIERS}/ownlabel/retire"' not in retired.text
    assert last_event(app) == ("settings.carrier.retired", "Carrier Own label: retired")
    with app.test_request_context():
        offered = {choice.value.split(":")[0] for choice in ship_choices(db.session).services}
        assert offered == {"testpost"}

    back = manager.post(f"{CARRIERS}/ownlabel/bring-back", follow_redirects=True)

    assert "Carrier Own label brought back: offered and booked again." in back.text
    assert f'action="{CARRIERS}/ownlabel/retire"' in back.text
    assert last_event(app) == ("settings.carrier.brought_back", "Carrier Own label: brought back")
    with app.app_context():
        assert carrier_codes(db.session) == ["ownlabel", "testpost"]


@pytest.mark.usefixtures("karrio")
def test_a_retired_karrio_carrier_is_brought_back_and_can_be_edited_again(
    app: Flask, manager: FlaskClient
) -> None:
    with app.app_context():
        db.session.add(
            Consignment(
                idempotency_key="named",
                state=ConsignmentState.CREATED,
                carrier="testpost",
                service_code="ON",
                reference="SO-1",
                shipment={},
            )
        )
        db.session.commit()
    manager.post(f"{CARRIERS}/testpost/delete")  # consignments name it: retired

    back = manager.post(f"{CARRIERS}/testpost/bring-back", follow_redirects=True)

    assert "Carrier Test Post brought back" in back.text
    assert f'href="{CARRIERS}/testpost/edit"' in back.text
    assert manager.get(f"{CARRIERS}/testpost/edit").status_code == 200
    assert manager.post(f"{CARRIERS}/testpost/bring-back").status_code == 422


@pytest.mark.usefixtures("karrio")
def test_a_retired_own_label_carrier_is_refused_at_the_bench(
    app: Flask, bench: FlaskClient
) -> None:
    retire_own_label(app)
    _, key = open_order(bench)

    status, page = ship(bench, key, service="ownlabel:ON")

    assert status == 422
    assert "cannot ship: The carrier Own label is retired: choose another carrier&#39;s" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Consignment)) == 0


@pytest.mark.usefixtures("karrio")
def test_a_retired_own_label_carrier_is_refused_for_bulk_dispatch(
    app: Flask, manager: FlaskClient
) -> None:
    retire_own_label(app)
    with app.app_context():
        printer = Printer(name="Bench 1", spec={"format": "zpl", "transport": "memory"})
        db.session.add(printer)
        order = add_order(db.session)
        db.session.commit()
        printer_id, order_id = printer.id, order.id

    answer = manager.post(
        "/bulk",
        data={
            "order_id": [str(order_id)],
            "printer_id": str(printer_id),
            "service": "ownlabel:ON",
            "weight": "1",
        },
        follow_redirects=True,
    )

    assert "The carrier Own label is retired: choose another carrier&#39;s service." in answer.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BulkDispatch)) == 0


@pytest.mark.usefixtures("karrio")
def test_a_return_is_not_booked_with_a_retired_own_label_carrier(app: Flask) -> None:
    with app.app_context():
        db.session.add(
            Consignment(
                idempotency_key="own-label-original",
                state=ConsignmentState.CREATED,
                carrier="ownlabel",
                service_code="ON",
                reference="SO-1",
                shipment={},
            )
        )
        db.session.commit()
    retire_own_label(app)
    with app.app_context():
        original = db.session.scalars(select(Consignment)).one()

        with pytest.raises(ReturnRefused) as refused:
            book_return(db.session, carrier_for(db.session, "ownlabel"), original, key="return-own")

        assert "its carrier Own label is retired and takes no new bookings" in (
            refused.value.problems
        )
        assert db.session.scalar(select(func.count()).select_from(Consignment)) == 1
