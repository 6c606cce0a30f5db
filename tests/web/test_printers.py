"""Printers in the browser: add one, test print to a real TCP listener, preview, reprint."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from printers.testing import ZebraListener
from station import create_app
from station.extensions import db
from station.models import JobState, Printer, PrintJob, Role
from station.printing.setup import ensure_virtual_printer
from station.printing.transports import printer_spec
from station.web.printers import preview_box
from tests.conftest import AuthActions


@pytest.fixture
def zebra() -> Iterator[ZebraListener]:
    with ZebraListener() as listener:
        yield listener


@pytest.fixture
def manager(client: FlaskClient, auth: AuthActions) -> FlaskClient:
    auth.login()
    return client


def zebra_form(zebra: ZebraListener, **changes: Any) -> dict[str, Any]:
    return {
        "name": "Bench 2 Zebra",
        "bench": "Bench 2",
        "transport": "tcp9100",
        "format": "zpl",
        "label_size": "4x6",
        "dpi": "203",
        "host": "127.0.0.1",
        "port": str(zebra.port),
        **changes,
    }


def test_a_manager_adds_a_zebra_and_test_prints_to_it(
    app: Flask, manager: FlaskClient, zebra: ZebraListener
) -> None:
    added = manager.post("/printers/new", data=zebra_form(zebra))
    with app.app_context():
        printer_id = db.session.scalar(select(Printer.id).where(Printer.name == "Bench 2 Zebra"))

    fragment = manager.post(f"/printers/{printer_id}/test").get_data(as_text=True)

    assert added.status_code == 302
    [label] = zebra.wait_for_jobs(1)
    assert label.startswith(b"^XA") and b"^PW812" in label and b"TEST PRINT" in label
    assert "done" in fragment and "Show the ZPL sent" in fragment


def test_every_problem_with_a_printer_is_listed(manager: FlaskClient, zebra: ZebraListener) -> None:
    response = manager.post(
        "/printers/new",
        data=zebra_form(zebra, host="", transport="tcp9100", format="pdf", dpi="300"),
    )

    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "host" in text.lower() and "pdf" in text.lower()


def test_the_printer_form_takes_the_unicode_font(
    app: Flask, manager: FlaskClient, zebra: ZebraListener
) -> None:
    refused = manager.post("/printers/new", data=zebra_form(zebra, unicode_font="^XZ"))
    added = manager.post("/printers/new", data=zebra_form(zebra, unicode_font="e:anmdj.ttf"))
    with app.app_context():
        printer = db.session.scalars(select(Printer)).one()
        spec, printer_id = printer.spec, printer.id
    manager.post(f"/printers/{printer_id}/test")

    assert refused.status_code == 422
    assert "is not a font file on the printer, such as E:ANMDJ.TTF" in refused.get_data(
        as_text=True
    )
    assert added.status_code == 302 and spec["unicode_font"] == "e:anmdj.ttf"
    [label] = zebra.wait_for_jobs(1)
    assert b"^CWJ,E:ANMDJ.TTF" in label and b"^AJN," in label and b"^A0N" not in label


def test_a_virtual_printer_shows_the_label_it_printed(
    app: Flask, manager: FlaskClient, tmp_path: Path
) -> None:
    with app.app_context():
        printer = ensure_virtual_printer(db.session, tmp_path / "labels")
        db.session.commit()
        printer_id = printer.id

    fragment = manager.post(f"/printers/{printer_id}/test").get_data(as_text=True)
    with app.app_context():
        job = db.session.scalar(select(PrintJob))
        assert job is not None and job.state == JobState.DONE
        job_id = job.id
    image = manager.get(f"/printers/jobs/{job_id}/preview")

    assert f"/printers/jobs/{job_id}/preview" in fragment
    assert image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")
    assert len(list((tmp_path / "labels").iterdir())) == 1


def test_an_offline_printer_shows_why_and_keeps_polling(
    app: Flask, manager: FlaskClient, zebra: ZebraListener
) -> None:
    manager.post("/printers/new", data=zebra_form(zebra))
    zebra.stop()
    with app.app_context():
        printer_id = db.session.scalar(select(Printer.id))

    fragment = manager.post(f"/printers/{printer_id}/test").get_data(as_text=True)

    assert (
        "queued" in fragment
        and "is offline" in fragment
        and 'hx-trigger="load delay:1s"' in fragment
    )


def test_reprint_sends_the_label_again(
    app: Flask, manager: FlaskClient, zebra: ZebraListener
) -> None:
    manager.post("/printers/new", data=zebra_form(zebra))
    with app.app_context():
        printer_id = db.session.scalar(select(Printer.id))
    manager.post(f"/printers/{printer_id}/test")
    with app.app_context():
        job_id = db.session.scalar(select(PrintJob.id))

    manager.post(f"/printers/jobs/{job_id}/reprint")

    first, second = zebra.wait_for_jobs(2)
    assert first == second


def test_packers_see_printers_but_cannot_add_or_test_them(
    app: Flask, client: FlaskClient, auth: AuthActions, zebra: ZebraListener
) -> None:
    auth.login(username="packer", role=Role.PACKER)

    assert client.get("/printers").status_code == 200
    assert client.post("/printers/new", data=zebra_form(zebra)).status_code == 403
    assert client.post("/printers/1/test").status_code == 403


def test_a_printer_on_a_print_agent_is_left_to_the_agent(
    app: Flask, manager: FlaskClient, zebra: ZebraListener
) -> None:
    from station.printing.agents import register_agent

    with app.app_context():
        new = register_agent(db.session, "Bench 4 PC")
        db.session.commit()
        agent_id = new.agent.id
    manager.post("/printers/new", data=zebra_form(zebra, agent_id=str(agent_id)))
    with app.app_context():
        printer = db.session.scalar(select(Printer))
        assert printer is not None and printer.agent_id == agent_id
        printer_id = printer.id

    fragment = manager.post(f"/printers/{printer_id}/test").get_data(as_text=True)

    assert "queued" in fragment
    assert zebra.jobs == []


def test_the_printer_form_offers_the_status_check_switched_on(manager: FlaskClient) -> None:
    page = manager.get("/printers/new").get_data(as_text=True)

    checkbox = re.search(r"<input[^>]*name=\"check_status\"[^>]*>", page)
    assert checkbox is not None and "checked" in checkbox.group(0)
    assert "Ask the printer for its status (~HS) before each label" in page


@pytest.mark.parametrize(("ticked", "stored"), [({"check_status": "y"}, True), ({}, False)])
def test_the_status_check_is_kept_with_the_printer(
    app: Flask,
    manager: FlaskClient,
    zebra: ZebraListener,
    ticked: dict[str, str],
    stored: bool,
) -> None:
    manager.post("/printers/new", data=zebra_form(zebra, **ticked))

    with app.app_context():
        printer = db.session.scalar(select(Printer))
        assert printer is not None and printer_spec(printer).check_status is stored
    listing = manager.get("/printers").get_data(as_text=True)
    assert ("status checked before each label" if stored else "no status check") in listing


def test_a_test_print_to_a_paused_zebra_waits_and_says_press_the_button(
    app: Flask, manager: FlaskClient, zebra: ZebraListener
) -> None:
    manager.post("/printers/new", data=zebra_form(zebra, check_status="y"))
    with app.app_context():
        printer_id = db.session.scalar(select(Printer.id))
    zebra.set_status(paused=True)

    fragment = manager.post(f"/printers/{printer_id}/test").get_data(as_text=True)

    assert "queued" in fragment and 'hx-trigger="load delay:1s"' in fragment
    assert "Printer &#39;Bench 2 Zebra&#39;" in fragment
    assert "is paused — press the pause (or feed) button on the printer to resume" in fragment
    assert zebra.jobs == []


def test_test_prints_to_a_zebra_that_does_not_answer_hs_print_without_waiting_again(
    app: Flask, manager: FlaskClient
) -> None:
    with ZebraListener(answer_status=False) as silent:
        manager.post("/printers/new", data=zebra_form(silent, check_status="y"))
        with app.app_context():
            printer_id = db.session.scalar(select(Printer.id))

        first = manager.post(f"/printers/{printer_id}/test").get_data(as_text=True)
        second = manager.post(f"/printers/{printer_id}/test").get_data(as_text=True)

        assert "done" in first and "done" in second
        assert len(silent.wait_for_jobs(2)) == 2
        assert silent.wait_for_queries(1) == 1  # not asked again before the second label


def file_form(directory: str) -> dict[str, Any]:
    return {
        "name": "Files",
        "transport": "file",
        "format": "zpl",
        "label_size": "4x6",
        "dpi": "203",
        "directory": directory,
    }


@pytest.mark.parametrize(
    ("directory", "message"),
    [
        ("../../elsewhere", "may not contain &#39;..&#39;"),
        ("/etc/station", "is outside"),
        ("static", "is outside"),
    ],
)
def test_a_file_printer_folder_outside_the_files_root_is_refused(
    app: Flask, manager: FlaskClient, directory: str, message: str
) -> None:
    if directory == "static":
        directory = app.static_folder or ""

    response = manager.post("/printers/new", data=file_form(directory))

    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Printer).where(Printer.name == "Files")) is None


def test_a_file_printer_writes_under_the_files_root(
    app: Flask, manager: FlaskClient, tmp_path: Path
) -> None:
    added = manager.post("/printers/new", data=file_form("office"))
    with app.app_context():
        printer_id = db.session.scalar(select(Printer.id).where(Printer.name == "Files"))

    manager.post(f"/printers/{printer_id}/test")

    assert added.status_code == 302
    assert len(list((tmp_path / "office").iterdir())) == 1  # the tests' PRINT_FILES_ROOT


def test_a_raw_tcp_printer_on_a_port_no_printer_uses_is_refused(
    app: Flask, app_config: dict[str, Any]
) -> None:
    strict = create_app({**app_config, "PRINTER_EXTRA_PORTS": ""})
    client = strict.test_client()
    AuthActions(strict, client).login()
    zebra = {"transport": "tcp9100", "host": "127.0.0.1"}

    refused = client.post("/printers/new", data={**file_form(""), **zebra, "port": "22"})
    allowed = client.post("/printers/new", data={**file_form(""), **zebra, "port": "6101"})

    assert refused.status_code == 422
    assert "Port 22 is not a printing port" in refused.get_data(as_text=True)
    assert allowed.status_code == 302


def test_the_files_root_may_not_be_under_the_static_folder(
    app: Flask, app_config: dict[str, Any]
) -> None:
    inside_static = str(Path(app.static_folder or "") / "labels")

    with pytest.raises(ValueError, match="inside the static folder"):
        create_app({**app_config, "PRINT_FILES_ROOT": inside_static})


@pytest.mark.parametrize(
    ("label_size", "box"),
    [("4x6", (240, 360)), ("100x175", (240, 420)), ("A4", (240, 339)), ("9x9", (240, 360))],
)
def test_a_preview_holds_the_shape_of_its_printers_label(
    label_size: str, box: tuple[int, int]
) -> None:
    spec = {"format": "pdf", "transport": "memory", "label_size": label_size}
    job = PrintJob(printer=Printer(name="P", spec=spec))

    assert preview_box(job) == box  # a size the spec refuses is held as 4x6
