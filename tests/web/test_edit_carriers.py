"""Managers edit and delete Karrio carriers; ones consignments name are retired, not booked."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from station import audit
from station.dispatch.choices import ship_choices
from station.extensions import db
from station.models import AuditEvent, BulkDispatch, Consignment, ConsignmentState, Printer, Role
from station.settings import settings_store
from station.shipping.carrier_setup import MASK
from station.shipping.carriers import carrier_codes, carrier_for, karrio_dicts, save_karrio_carriers
from station.shipping.returns import ReturnRefused, book_return
from station.web.names import carrier_name
from tests.builders import add_order
from tests.carriers.samples import GENERIC
from tests.conftest import AuthActions
from tests.web.bench import open_order, ship

CARRIERS = "/settings/shipping/carriers"
SECRET = "ACC-SECRET-9"


def carrier_config(**changes: Any) -> dict[str, Any]:
    """Test Post with an account number (a credential) and code ``testpost``."""
    settings = {**GENERIC["settings"], "account_number": SECRET}
    return {**GENERIC, "code": "testpost", "settings": settings, **changes}


@pytest.fixture
def karrio(app: Flask) -> None:
    """Test Post set up as a Karrio carrier."""
    with app.app_context():
        save_karrio_carriers(settings_store(db.session), [carrier_config()])
        db.session.commit()


@pytest.fixture
def manager(client: FlaskClient, auth: AuthActions) -> FlaskClient:
    auth.login()
    return client


def stored(app: Flask, code: str = "testpost") -> dict[str, Any] | None:
    with app.app_context():
        return karrio_dicts(settings_store(db.session)).get(code)


def last_event(app: Flask) -> tuple[str, str, dict[str, Any]]:
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
        assert event is not None
        return event.action, audit.describe(event), dict(event.detail)


def book_with(app: Flask, code: str = "testpost") -> None:
    """A consignment booked with carrier ``code`` (history that names it)."""
    with app.app_context():
        db.session.add(
            Consignment(
                idempotency_key="edit-carrier-test",
                state=ConsignmentState.CREATED,
                carrier=code,
                service_code="ON",
                reference="SO-1",
                shipment={},
            )
        )
        db.session.commit()


# A Karrio carrier that history names is retired by Delete; the built-in one by Retire.
RETIRED = pytest.mark.parametrize(
    ("code", "name"), [("testpost", "Test Post"), ("ownlabel", "Own label")]
)


def retire(app: Flask, code: str) -> None:
    """Carrier ``code`` booked once, then retired by a manager through the settings page."""
    book_with(app, code)
    client = app.test_client()
    AuthActions(app, client).login()
    action = "retire" if code == "ownlabel" else "delete"
    assert client.post(f"{CARRIERS}/{code}/{action}").status_code == 302


def edited(page: str) -> dict[str, Any]:
    """The JSON the edit page's textarea shows."""
    text = page.split("<textarea", 1)[1].split(">", 1)[1].split("</textarea>")[0]
    return json.loads(text.replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&"))


@pytest.mark.usefixtures("karrio")
class TestEdit:
    def test_the_edit_page_shows_the_config_with_credentials_masked(
        self, manager: FlaskClient
    ) -> None:
        answer = manager.get(f"{CARRIERS}/testpost/edit")

        shown = edited(answer.text)
        assert answer.status_code == 200 and SECRET not in answer.text
        assert shown["settings"]["account_number"] == MASK
        assert shown["settings"]["display_name"] == "Test Post"  # names are not secrets
        assert shown["settings"]["services"][0]["service_code"] == "ON"  # nor rate sheets

    def test_a_saved_edit_keeps_masked_credentials_and_is_audited(
        self, app: Flask, manager: FlaskClient
    ) -> None:
        shown = edited(manager.get(f"{CARRIERS}/testpost/edit").text)
        shown["name"] = "Test Post NZ"
        shown["services"] = [{"code": "ON", "name": "Overnight"}]

        answer = manager.post(
            f"{CARRIERS}/testpost/edit", data={"config": json.dumps(shown)}, follow_redirects=True
        )

        assert "Carrier Test Post NZ saved." in answer.text
        saved = stored(app)
        assert saved is not None and saved["settings"]["account_number"] == SECRET
        assert saved["name"] == "Test Post NZ" and saved["services"] == shown["services"]
        assert last_event(app) == (
            "settings.carrier.updated",
            "Carrier Test Post NZ: updated",
            {"code": "testpost", "changed": ["name", "services"]},
        )

    def test_a_blank_credential_is_kept_and_a_typed_one_replaces_it(
        self, app: Flask, manager: FlaskClient
    ) -> None:
        blank = carrier_config(settings={**carrier_config()["settings"], "account_number": ""})
        manager.post(f"{CARRIERS}/testpost/edit", data={"config": json.dumps(blank)})
        kept = stored(app)
        typed = carrier_config(settings={**carrier_config()["settings"], "account_number": "NEW-1"})
        manager.post(f"{CARRIERS}/testpost/edit", data={"config": json.dumps(typed)})

        assert kept is not None and kept["settings"]["account_number"] == SECRET
        assert stored(app)["settings"]["account_number"] == "NEW-1"  # type: ignore[index]

    @pytest.mark.parametrize(
        ("config", "why"),
        [
            ("{not json", "The carrier is not saved: Expecting property name"),
            ("[1, 2]", "a JSON object is expected"),
            ("[" * 50_000, "The carrier is not saved: it nests too deeply"),
            ('{"a": ' * 40 + "1" + "}" * 40, "it nests more than 32 deep"),
            (
                r'{"carrier": "generic\u0000"}',
                r"carrier 'generic\x00' must be Karrio's carrier name",
            ),
            (json.dumps(carrier_config(services=[])), "at least one service is needed"),
            (json.dumps(carrier_config(code="ownlabel")), "already used by another carrier"),
            (
                json.dumps(
                    carrier_config(settings={**carrier_config()["settings"], "api_key": MASK})
                ),
                f"api_key reads {MASK} but no value is kept",
            ),
        ],
    )
    def test_a_bad_edit_is_refused_with_why_and_saves_nothing(
        self, app: Flask, manager: FlaskClient, config: str, why: str
    ) -> None:
        before = stored(app)

        answer = manager.post(f"{CARRIERS}/testpost/edit", data={"config": config})

        assert answer.status_code == 422 and why in answer.text.replace("&#39;", "'")
        assert stored(app) == before

    def test_the_code_changes_only_while_no_consignment_names_it(
        self, app: Flask, manager: FlaskClient
    ) -> None:
        renamed = manager.post(
            f"{CARRIERS}/testpost/edit", data={"config": json.dumps(carrier_config(code="tp"))}
        )
        book_with(app, "tp")
        refused = manager.post(
            f"{CARRIERS}/tp/edit", data={"config": json.dumps(carrier_config(code="tp2"))}
        )

        assert renamed.status_code == 302 and stored(app, "tp") is not None
        assert (
            refused.status_code == 422
            and "Consignments name the code &#39;tp&#39;, so it cannot change" in refused.text
        )
        assert stored(app, "tp2") is None

    def test_an_unknown_carrier_is_not_found_and_own_label_is_built_in(
        self, manager: FlaskClient
    ) -> None:
        missing = manager.get(f"{CARRIERS}/nope/edit")
        own = manager.post(f"{CARRIERS}/ownlabel/delete")
        page = manager.get("/settings/shipping/").text

        assert missing.status_code == 404
        assert own.status_code == 422 and "own-label carrier is built in" in own.text
        assert f'href="{CARRIERS}/testpost/edit"' in page
        assert f'href="{CARRIERS}/ownlabel/edit"' not in page


@pytest.mark.usefixtures("karrio")
class TestDelete:
    def test_a_carrier_nothing_names_is_deleted_and_audited(
        self, app: Flask, manager: FlaskClient
    ) -> None:
        answer = manager.post(f"{CARRIERS}/testpost/delete", follow_redirects=True)

        assert "Carrier Test Post deleted." in answer.text
        assert stored(app) is None
        assert last_event(app) == (
            "settings.carrier.deleted",
            "Carrier Test Post: deleted",
            {"code": "testpost"},
        )

    def test_a_carrier_consignments_name_is_retired_and_no_longer_offered(
        self, app: Flask, manager: FlaskClient
    ) -> None:
        book_with(app)

        answer = manager.post(f"{CARRIERS}/testpost/delete", follow_redirects=True)

        assert "Carrier Test Post retired" in answer.text
        assert 'id="carrier-testpost" class="void"' in answer.text
        assert f'href="{CARRIERS}/testpost/edit"' not in answer.text
        assert last_event(app)[:2] == ("settings.carrier.retired", "Carrier Test Post: retired")
        with app.test_request_context():
            assert carrier_codes(db.session) == ["ownlabel"]
            offered = {choice.value.split(":")[0] for choice in ship_choices(db.session).services}
            assert offered == {"ownlabel"}
            assert carrier_name("testpost") == "Test Post"  # old consignments keep its name
        again = manager.post(f"{CARRIERS}/testpost/edit", data={"config": "{}"})
        assert again.status_code == 422 and "retired and can no longer change" in again.text

    def test_a_carrier_a_bulk_run_names_is_retired(self, app: Flask, manager: FlaskClient) -> None:
        with app.app_context():
            printer = Printer(name="Bench 1", spec={"format": "zpl", "transport": "memory"})
            db.session.add(printer)
            db.session.flush()
            db.session.add(
                BulkDispatch(
                    printer_id=printer.id,
                    carrier_code="testpost",
                    service_code="ON",
                    weight_grams=500,
                    order_ids=[],
                )
            )
            db.session.commit()

        manager.post(f"{CARRIERS}/testpost/delete")

        assert last_event(app)[0] == "settings.carrier.retired" and stored(app) is not None


@pytest.mark.usefixtures("karrio")
@RETIRED
def test_a_retired_carrier_is_refused_at_the_bench(
    app: Flask, bench: FlaskClient, code: str, name: str
) -> None:
    retire(app, code)
    _, key = open_order(bench)

    status, page = ship(bench, key, service=f"{code}:ON")

    assert status == 422
    assert f"cannot ship: The carrier {name} is retired: choose another carrier&#39;s" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Consignment)) == 1


@pytest.mark.usefixtures("karrio")
@RETIRED
def test_a_retired_carrier_is_refused_for_bulk_dispatch(
    app: Flask, manager: FlaskClient, code: str, name: str
) -> None:
    retire(app, code)
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
            "service": f"{code}:ON",
            "weight": "1",
        },
        follow_redirects=True,
    )

    assert f"The carrier {name} is retired: choose another carrier&#39;s service." in answer.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BulkDispatch)) == 0


def test_carriers_are_added_one_list_at_a_time_and_each_audited(
    app: Flask, manager: FlaskClient
) -> None:
    manager.post(CARRIERS, data={"configs": json.dumps(carrier_config())})
    answer = manager.post(
        CARRIERS, data={"configs": json.dumps([carrier_config(code="other", name="Other Post")])}
    )
    taken = manager.post(CARRIERS, data={"configs": json.dumps([carrier_config()])})

    assert answer.status_code == 302
    assert stored(app) is not None and stored(app, "other") is not None  # the first stays
    assert last_event(app)[:2] == ("settings.carrier.added", "Carrier Other Post: added")
    assert taken.status_code == 422 and "already used by another carrier" in taken.text


@pytest.mark.usefixtures("karrio")
def test_packers_cannot_edit_or_delete_carriers(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("packer", role=Role.PACKER)

    assert client.get(f"{CARRIERS}/testpost/edit").status_code == 403
    assert client.post(f"{CARRIERS}/testpost/edit", data={"config": "{}"}).status_code == 403
    assert client.post(f"{CARRIERS}/testpost/delete").status_code == 403
    assert client.post(CARRIERS, data={"configs": "[]"}).status_code == 403
    assert stored(app) is not None


@pytest.mark.parametrize("configs", ["[" * 50_000, "[]", '"text"', "[1]"])
def test_a_bad_list_of_carriers_to_add_is_refused_with_why(
    app: Flask, manager: FlaskClient, configs: str
) -> None:
    answer = manager.post(CARRIERS, data={"configs": configs})

    assert answer.status_code == 422 and "Karrio carriers not saved" in answer.text
    with app.app_context():
        assert karrio_dicts(settings_store(db.session)) == {}


@pytest.mark.usefixtures("karrio")
@RETIRED
def test_a_return_is_not_booked_with_a_retired_carrier(app: Flask, code: str, name: str) -> None:
    retire(app, code)
    with app.app_context():
        original = db.session.scalars(select(Consignment)).one()
        carrier = carrier_for(db.session, code)

        with pytest.raises(ReturnRefused) as refused:
            book_return(db.session, carrier, original, key="return-of-retired")

        assert f"its carrier {name} is retired and takes no new bookings" in refused.value.problems
        assert db.session.scalar(select(func.count()).select_from(Consignment)) == 1


class TestRetireAndBringBack:
    """The built-in own-label carrier is retired by hand; any retired carrier comes back."""

    def test_the_only_carrier_is_not_retired_and_the_page_says_why(
        self, app: Flask, manager: FlaskClient
    ) -> None:
        page = manager.get("/settings/shipping/").get_data(as_text=True)
        assert f'action="{CARRIERS}/ownlabel/retire"' in page

        answer = manager.post(f"{CARRIERS}/ownlabel/retire")

        assert answer.status_code == 422
        assert "The carrier Own label is the only one left to book with" in answer.text
        assert last_event(app)[:2] == ("signin.succeeded", "Signin: succeeded")  # nothing since
        with app.app_context():
            assert carrier_codes(db.session) == ["ownlabel"]

    @pytest.mark.usefixtures("karrio")
    def test_the_own_label_carrier_is_retired_then_brought_back(
        self, app: Flask, manager: FlaskClient
    ) -> None:
        retired = manager.post(f"{CARRIERS}/ownlabel/retire", follow_redirects=True)

        assert "Carrier Own label retired" in retired.text
        assert 'id="carrier-ownlabel" class="void"' in retired.text
        assert f'action="{CARRIERS}/ownlabel/bring-back"' in retired.text
        assert f'action="{CARRIERS}/ownlabel/retire"' not in retired.text
        assert last_event(app)[:2] == ("settings.carrier.retired", "Carrier Own label: retired")
        with app.test_request_context():
            offered = {choice.value.split(":")[0] for choice in ship_choices(db.session).services}
            assert offered == {"testpost"}

        back = manager.post(f"{CARRIERS}/ownlabel/bring-back", follow_redirects=True)

        assert "Carrier Own label brought back: offered and booked again." in back.text
        assert f'action="{CARRIERS}/ownlabel/retire"' in back.text
        assert last_event(app)[:2] == (
            "settings.carrier.brought_back",
            "Carrier Own label: brought back",
        )
        with app.app_context():
            assert carrier_codes(db.session) == ["ownlabel", "testpost"]

    @pytest.mark.usefixtures("karrio")
    def test_a_retired_karrio_carrier_is_brought_back_and_can_be_edited_again(
        self, app: Flask, manager: FlaskClient
    ) -> None:
        retire(app, "testpost")

        back = manager.post(f"{CARRIERS}/testpost/bring-back", follow_redirects=True)

        assert "Carrier Test Post brought back" in back.text
        assert f'href="{CARRIERS}/testpost/edit"' in back.text
        assert manager.get(f"{CARRIERS}/testpost/edit").status_code == 200
        assert manager.post(f"{CARRIERS}/testpost/bring-back").status_code == 422
