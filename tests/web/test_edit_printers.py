"""Managers edit printers, delete unused ones, and retire ones with print history."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.extensions import db
from station.models import AuditEvent, Printer, PrintJob, Role, User
from station.printing.setup import active_printers, queue_test_print
from tests.conftest import AuthActions


@pytest.fixture
def manager(client: FlaskClient, auth: AuthActions) -> FlaskClient:
    auth.login()
    return client


def zebra_form(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Bench 2 Zebra",
        "bench": "Bench 2",
        "transport": "tcp9100",
        "format": "zpl",
        "label_size": "4x6",
        "dpi": "203",
        "host": "127.0.0.1",
        "port": "9100",
        "check_status": "y",
        **changes,
    }


def add_zebra(client: FlaskClient, app: Flask, **changes: Any) -> int:
    assert client.post("/printers/new", data=zebra_form(**changes)).status_code == 302
    with app.app_context():
        printer_id = db.session.scalar(
            select(Printer.id).where(Printer.name == changes.get("name", "Bench 2 Zebra"))
        )
    assert printer_id is not None
    return printer_id


def actions(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_the_edit_form_is_the_add_form_filled_in(app: Flask, manager: FlaskClient) -> None:
    printer_id = add_zebra(manager, app, host="10.0.0.7", port="9101")

    page = manager.get(f"/printers/{printer_id}/edit").get_data(as_text=True)

    assert 'value="Bench 2 Zebra"' in page and 'value="10.0.0.7"' in page
    assert 'value="9101"' in page and "Save printer" in page


def test_editing_a_printer_saves_it_and_audits_it(app: Flask, manager: FlaskClient) -> None:
    printer_id = add_zebra(manager, app)

    answer = manager.post(
        f"/printers/{printer_id}/edit",
        data=zebra_form(name="Bench 3 Zebra", bench="Bench 3", host="127.0.0.2", dpi="300"),
        follow_redirects=True,
    )

    assert answer.status_code == 200 and "Printer Bench 3 Zebra saved." in answer.text
    with app.app_context():
        printer = db.session.get(Printer, printer_id)
        assert printer is not None
        assert (printer.name, printer.bench) == ("Bench 3 Zebra", "Bench 3")
        assert printer.spec["host"] == "127.0.0.2" and printer.spec["dpi"] == 300
    assert actions(app)[-1] == "printer.updated"


def test_an_edit_that_takes_another_printers_name_is_refused_with_every_problem(
    app: Flask, manager: FlaskClient
) -> None:
    add_zebra(manager, app, name="Bench 1 Zebra")
    printer_id = add_zebra(manager, app)

    answer = manager.post(
        f"/printers/{printer_id}/edit", data=zebra_form(name="Bench 1 Zebra", host="")
    )

    assert answer.status_code == 422
    assert "a printer called &#39;Bench 1 Zebra&#39; already exists" in answer.text
    with app.app_context():
        assert db.session.get(Printer, printer_id).name == "Bench 2 Zebra"  # type: ignore[union-attr]
    assert "printer.updated" not in actions(app)


def test_an_unused_printer_is_deleted_and_no_one_keeps_it_as_their_default(
    app: Flask, manager: FlaskClient
) -> None:
    printer_id = add_zebra(manager, app)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "manager"))
        assert user is not None
        user.default_printer_id = printer_id
        db.session.commit()

    answer = manager.post(f"/printers/{printer_id}/delete", follow_redirects=True)

    assert "Printer Bench 2 Zebra deleted." in answer.text
    with app.app_context():
        assert db.session.get(Printer, printer_id) is None
        user = db.session.scalar(select(User).where(User.username == "manager"))
        assert user is not None and user.default_printer_id is None
    assert actions(app)[-1] == "printer.deleted"


def test_a_printer_with_print_jobs_is_retired_not_deleted(app: Flask, manager: FlaskClient) -> None:
    printer_id = add_zebra(manager, app)
    with app.app_context():
        printer = db.session.get(Printer, printer_id)
        assert printer is not None
        queue_test_print(db.session, printer, today=date(2026, 12, 6))
        db.session.commit()

    answer = manager.post(f"/printers/{printer_id}/delete", follow_redirects=True)

    assert "Printer Bench 2 Zebra retired: it has print history" in answer.text
    assert "Its 1 waiting job(s) will not be sent" in answer.text
    with app.app_context():
        printer = db.session.get(Printer, printer_id)
        assert printer is not None and not printer.active
        assert db.session.scalar(select(PrintJob.printer_id)) == printer_id
        assert printer_id not in [p.id for p in active_printers(db.session)]
    assert actions(app)[-1] == "printer.retired"
    listing = manager.get("/printers").get_data(as_text=True)
    assert "retired" in listing and f"/printers/{printer_id}/edit" not in listing


def test_a_retired_printer_cannot_be_edited(app: Flask, manager: FlaskClient) -> None:
    printer_id = add_zebra(manager, app)
    with app.app_context():
        printer = db.session.get(Printer, printer_id)
        assert printer is not None
        queue_test_print(db.session, printer, today=date(2026, 12, 6))
        db.session.commit()
    manager.post(f"/printers/{printer_id}/delete")

    answer = manager.post(f"/printers/{printer_id}/edit", data=zebra_form(bench="Bench 9"))

    assert answer.status_code == 422
    assert "Bench 2 Zebra is retired and can no longer be changed" in answer.text


def test_managers_see_edit_and_delete_and_packers_do_not(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    printer_id = add_zebra(client, app)
    assert f"/printers/{printer_id}/delete" in client.get("/printers").text
    auth.logout()
    auth.login(username="packer", role=Role.PACKER)

    listing = client.get("/printers").get_data(as_text=True)

    assert f"/printers/{printer_id}/edit" not in listing
    assert f"/printers/{printer_id}/delete" not in listing
    assert client.get(f"/printers/{printer_id}/edit").status_code == 403
    assert client.post(f"/printers/{printer_id}/edit", data=zebra_form()).status_code == 403
    assert client.post(f"/printers/{printer_id}/delete").status_code == 403
    with app.app_context():
        assert db.session.get(Printer, printer_id) is not None


def test_editing_or_deleting_a_printer_that_is_not_there_is_a_404(
    manager: FlaskClient,
) -> None:
    assert manager.get("/printers/999/edit").status_code == 404
    assert manager.post("/printers/999/delete").status_code == 404


def test_settings_the_form_does_not_show_survive_an_edit(
    app: Flask, manager: FlaskClient, tmp_path: Path
) -> None:
    from station.printing.limits import PrinterLimits
    from station.printing.setup import add_printer

    with app.app_context():
        printer = add_printer(
            db.session,
            name="Office CUPS",
            spec={"transport": "cups", "format": "pdf", "queue": "labels",
                  "cups_options": {"media": "Custom.4x6in"}},
            limits=PrinterLimits(files_root=tmp_path),
        )  # fmt: skip
        db.session.commit()
        printer_id = printer.id

    manager.post(
        f"/printers/{printer_id}/edit",
        data={"name": "Office CUPS", "bench": "Office", "transport": "cups", "format": "pdf",
              "label_size": "4x6", "dpi": "203", "queue": "labels"},
    )  # fmt: skip

    with app.app_context():
        printer = db.session.get(Printer, printer_id)
        assert printer is not None and printer.bench == "Office"
        assert printer.spec["cups_options"] == {"media": "Custom.4x6in"}
