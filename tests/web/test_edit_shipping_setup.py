"""Managers edit and delete cost centres and package presets; ones history names are retired."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.dispatch.choices import ship_choices
from station.extensions import db
from station.models import (
    AuditEvent,
    BulkDispatch,
    Consignment,
    ConsignmentState,
    CostCentre,
    PackagePreset,
    Printer,
    Role,
)
from tests.conftest import AuthActions

SETTINGS = "/settings/shipping"


@pytest.fixture
def manager(client: FlaskClient, auth: AuthActions) -> FlaskClient:
    auth.login()
    return client


def add_centre(app: Flask, name: str, *, default: bool = False) -> int:
    with app.app_context():
        centre = CostCentre(
            name=name,
            markup_percent=Decimal("10"),
            markup_fixed=Decimal("2.00"),
            is_default=default,
        )
        db.session.add(centre)
        db.session.commit()
        return centre.id


def add_preset(app: Flask, name: str = "Small box") -> int:
    with app.app_context():
        preset = PackagePreset(name=name, length_mm=300, width_mm=200, height_mm=100, tare_grams=80)
        db.session.add(preset)
        db.session.commit()
        return preset.id


def book_with(app: Flask, centre_id: int) -> None:
    """A consignment charged to the cost centre (history that names it)."""
    with app.app_context():
        db.session.add(
            Consignment(
                idempotency_key="edit-test",
                state=ConsignmentState.CREATED,
                carrier="ownlabel",
                service_code="ON",
                reference="SO-1",
                shipment={},
                cost_centre_id=centre_id,
            )
        )
        db.session.commit()


def bulk_run_with(app: Flask, preset_id: int) -> None:
    """A bulk dispatch run that shipped with the preset."""
    with app.app_context():
        printer = Printer(name="Bench 1", spec={"format": "zpl", "transport": "memory"})
        db.session.add(printer)
        db.session.flush()
        db.session.add(
            BulkDispatch(
                printer_id=printer.id,
                carrier_code="ownlabel",
                service_code="ON",
                preset_id=preset_id,
                weight_grams=500,
                order_ids=[],
            )
        )
        db.session.commit()


def last_action(app: Flask) -> str | None:
    with app.app_context():
        return db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()))


class TestCostCentres:
    def test_the_edit_page_is_filled_in_and_saving_it_is_audited(
        self, app: Flask, manager: FlaskClient
    ) -> None:
        centre_id = add_centre(app, "Retail")

        page = manager.get(f"{SETTINGS}/cost-centres/{centre_id}/edit").get_data(as_text=True)
        answer = manager.post(
            f"{SETTINGS}/cost-centres/{centre_id}/edit",
            data={"name": "Retail NZ", "markup_percent": "12.5", "markup_fixed": "3"},
            follow_redirects=True,
        )

        assert 'value="Retail"' in page and 'value="10"' in page and 'value="2.00"' in page
        assert "Cost centre Retail NZ saved." in answer.text
        with app.app_context():
            centre = db.session.get(CostCentre, centre_id)
            assert centre is not None
            assert (centre.name, centre.markup_percent, centre.markup_fixed) == (
                "Retail NZ",
                Decimal("12.5"),
                Decimal("3.00"),
            )
        assert last_action(app) == "settings.cost_centre.updated"

    def test_an_edit_with_problems_is_refused_with_all_of_them(
        self, app: Flask, manager: FlaskClient
    ) -> None:
        add_centre(app, "Wholesale")
        centre_id = add_centre(app, "Retail")

        answer = manager.post(
            f"{SETTINGS}/cost-centres/{centre_id}/edit",
            data={"name": "Wholesale", "markup_percent": "lots", "markup_fixed": "0"},
        )

        assert answer.status_code == 422
        assert "The markup percent must be a number, not &#39;lots&#39;" in answer.text
        assert "a cost centre called &#39;Wholesale&#39; already exists" in answer.text
        with app.app_context():
            assert db.session.get(CostCentre, centre_id).name == "Retail"  # type: ignore[union-attr]

    def test_an_unused_cost_centre_is_deleted(self, app: Flask, manager: FlaskClient) -> None:
        centre_id = add_centre(app, "Retail")

        answer = manager.post(f"{SETTINGS}/cost-centres/{centre_id}/delete", follow_redirects=True)

        assert "Cost centre Retail deleted." in answer.text
        with app.app_context():
            assert db.session.get(CostCentre, centre_id) is None
        assert last_action(app) == "settings.cost_centre.deleted"

    def test_a_cost_centre_consignments_name_is_retired_and_no_longer_offered(
        self, app: Flask, manager: FlaskClient
    ) -> None:
        add_centre(app, "Wholesale", default=True)
        centre_id = add_centre(app, "Retail")
        book_with(app, centre_id)

        answer = manager.post(f"{SETTINGS}/cost-centres/{centre_id}/delete", follow_redirects=True)

        assert "Cost centre Retail retired: consignments or bulk dispatch runs name it" in (
            answer.text
        )
        with app.app_context():
            centre = db.session.get(CostCentre, centre_id)
            assert centre is not None and not centre.active
            assert db.session.scalar(select(Consignment.cost_centre_id)) == centre_id
            offered = [c.name for c in ship_choices(db.session).cost_centres]
            assert offered == ["Wholesale"]
        assert last_action(app) == "settings.cost_centre.retired"
        assert f"/cost-centres/{centre_id}/edit" not in manager.get(f"{SETTINGS}/").text

    def test_the_default_is_kept_until_another_is_made_the_default(
        self, app: Flask, manager: FlaskClient
    ) -> None:
        centre_id = add_centre(app, "Retail", default=True)
        add_centre(app, "Wholesale")

        answer = manager.post(f"{SETTINGS}/cost-centres/{centre_id}/delete")

        assert answer.status_code == 422
        assert "Retail is the default cost centre: make another one the default first" in (
            answer.text
        )
        with app.app_context():
            assert db.session.get(CostCentre, centre_id) is not None

    def test_a_retired_cost_centre_cannot_be_edited_or_made_the_default(
        self, app: Flask, manager: FlaskClient
    ) -> None:
        centre_id = add_centre(app, "Retail")
        book_with(app, centre_id)
        manager.post(f"{SETTINGS}/cost-centres/{centre_id}/delete")

        edited = manager.post(
            f"{SETTINGS}/cost-centres/{centre_id}/edit",
            data={"name": "Back", "markup_percent": "0", "markup_fixed": "0"},
        )
        made_default = manager.post(f"{SETTINGS}/cost-centres/{centre_id}/default")

        assert edited.status_code == 422 and made_default.status_code == 422
        assert "The cost centre Retail is retired and can no longer change" in edited.text
        assert "The cost centre Retail is retired and can no longer change" in made_default.text


class TestPackagePresets:
    def test_the_edit_page_is_filled_in_and_saving_it_is_audited(
        self, app: Flask, manager: FlaskClient
    ) -> None:
        preset_id = add_preset(app)

        page = manager.get(f"{SETTINGS}/presets/{preset_id}/edit").get_data(as_text=True)
        answer = manager.post(
            f"{SETTINGS}/presets/{preset_id}/edit",
            data={
                "name": "Small box v2",
                "length_mm": "310",
                "width_mm": "210",
                "height_mm": "110",
                "tare_grams": "90",
            },
            follow_redirects=True,
        )

        assert 'value="Small box"' in page and 'value="300"' in page and 'value="80"' in page
        assert "Package preset Small box v2 saved." in answer.text
        with app.app_context():
            preset = db.session.get(PackagePreset, preset_id)
            assert preset is not None
            assert (preset.length_mm, preset.width_mm, preset.height_mm, preset.tare_grams) == (
                310,
                210,
                110,
                90,
            )
        assert last_action(app) == "settings.package_preset.updated"

    def test_an_edit_with_problems_is_refused(self, app: Flask, manager: FlaskClient) -> None:
        preset_id = add_preset(app)

        answer = manager.post(
            f"{SETTINGS}/presets/{preset_id}/edit",
            data={"name": "", "length_mm": "0", "width_mm": "1", "height_mm": "1"},
        )

        assert answer.status_code == 422
        assert "the name is required" in answer.text
        assert "The length must be between 1 and 1000000" in answer.text
        with app.app_context():
            assert db.session.get(PackagePreset, preset_id).name == "Small box"  # type: ignore[union-attr]

    def test_an_unused_preset_is_deleted(self, app: Flask, manager: FlaskClient) -> None:
        preset_id = add_preset(app)

        answer = manager.post(f"{SETTINGS}/presets/{preset_id}/delete", follow_redirects=True)

        assert "Package preset Small box deleted." in answer.text
        with app.app_context():
            assert db.session.get(PackagePreset, preset_id) is None
        assert last_action(app) == "settings.package_preset.deleted"

    def test_a_preset_a_bulk_run_used_is_retired_and_no_longer_offered(
        self, app: Flask, manager: FlaskClient
    ) -> None:
        preset_id = add_preset(app)
        bulk_run_with(app, preset_id)

        answer = manager.post(f"{SETTINGS}/presets/{preset_id}/delete", follow_redirects=True)

        assert "Package preset Small box retired" in answer.text
        with app.app_context():
            preset = db.session.get(PackagePreset, preset_id)
            assert preset is not None and not preset.active
            assert ship_choices(db.session).presets == []
        assert last_action(app) == "settings.package_preset.retired"


def test_packers_cannot_edit_or_delete_and_see_no_controls(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    centre_id = add_centre(app, "Retail")
    preset_id = add_preset(app)
    auth.login(username="packer", role=Role.PACKER)

    for path in (
        f"{SETTINGS}/cost-centres/{centre_id}/edit",
        f"{SETTINGS}/presets/{preset_id}/edit",
    ):
        assert client.get(path).status_code == 403
        assert client.post(path, data={"name": "Mine"}).status_code == 403
    for path in (
        f"{SETTINGS}/cost-centres/{centre_id}/delete",
        f"{SETTINGS}/presets/{preset_id}/delete",
    ):
        assert client.post(path).status_code == 403
    assert client.get(f"{SETTINGS}/").status_code == 403
    with app.app_context():
        assert db.session.get(CostCentre, centre_id).name == "Retail"  # type: ignore[union-attr]
        assert db.session.get(PackagePreset, preset_id) is not None
