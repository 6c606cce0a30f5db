"""The inbox pages: folders and orders, one order's page, and the CSV upload."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from station.db import utcnow
from station.extensions import db
from station.inbox.csv_import import Batching
from station.inbox.imports import queue_import, run_import
from station.models import AuditEvent, InboxImport, InboxOrder, Role
from tests.conftest import AuthActions
from tests.inbox.samples import ROWS, csv_bytes
from tests.web.conftest import signed_in
from tests.web.forms import upload


def stored(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(InboxOrder)) or 0


def test_managers_see_the_inbox_in_the_menu_and_packers_do_not(app: Flask) -> None:
    manager = signed_in(app, "manager", Role.MANAGER)
    packer = signed_in(app, "packer", Role.PACKER)

    assert ">Inbox</a>" in manager.get("/orders").get_data(as_text=True)
    assert ">Inbox</a>" not in packer.get("/orders").get_data(as_text=True)
    assert packer.get("/inbox").status_code == 403


def test_an_uploaded_csv_is_imported_and_shown_in_new(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()

    page = upload(client, csv_bytes(*ROWS)).get_data(as_text=True)
    inbox = client.get("/inbox").get_data(as_text=True)

    assert "2 order(s) imported" in page
    assert "#A1" in inbox and "#A2" in inbox and 'New <span class="tag">2</span>' in inbox
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "inbox.csv_imported")
        )
        assert event is not None and event.detail["imported"] == 2


def test_row_problems_are_listed_by_row(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login()

    response = upload(client, csv_bytes(ROWS[0].replace(",2,24.00", ",two,24.00"), ROWS[1]))

    page = response.get_data(as_text=True)
    assert (
        "0 order(s) imported" in page
        and "1 left out" in page
        and "quantity must be a whole number" in page
    )
    assert stored(app) == 0


def test_a_20_mb_file_is_refused_with_a_clear_message(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    row = ROWS[2].encode() + b"\n"
    huge = csv_bytes() + row * (20 * 1024 * 1024 // len(row))

    response = upload(client, huge)

    # Over the app-wide request limit: refused before the import reads any of it.
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "larger than 12 MB" in page and "A CSV import takes files up to 10 MB" in page
    assert stored(app) == 0


def test_a_bad_shop_name_is_refused(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login()

    response = upload(client, csv_bytes(*ROWS), shop="my shop!")

    assert response.status_code == 422 and "A shop name is" in response.get_data(as_text=True)
    assert stored(app) == 0


def test_the_order_page_shows_the_payload_and_events_escaped(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    hostile = ROWS[2].replace("Sam", "<script>alert(1)</script>")
    upload(client, csv_bytes(hostile))
    with app.app_context():
        order_id = db.session.scalar(select(InboxOrder.id))

    page = client.get(f"/inbox/orders/{order_id}").get_data(as_text=True)

    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "Order imported" in page and "Imported from a CSV import (csv)." in page
    assert "What the shop sent" in page and "KETE-NATURA" in page


def test_submitting_without_a_cin7_connection_leaves_the_order_in_errors_saying_why(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    upload(client, csv_bytes(ROWS[2]))
    with app.app_context():
        order_id = db.session.scalar(select(InboxOrder.id))

    client.post("/inbox/submit", data={"order_id": order_id})

    page = client.get(f"/inbox/orders/{order_id}").get_data(as_text=True)
    assert "Not submitted because of a general error" in page
    assert "Cin7 is not connected yet" in page and '<span class="stage">Errors</span>' in page


def test_notes_and_tags_are_added_on_the_order_page(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    upload(client, csv_bytes(ROWS[2]))
    with app.app_context():
        order_id = db.session.scalar(select(InboxOrder.id))

    client.post(f"/inbox/orders/{order_id}/notes", data={"text": "Gift: no invoice in the box"})
    client.post(f"/inbox/orders/{order_id}/tags", data={"tag": "gift"})
    refused = client.post(
        f"/inbox/orders/{order_id}/tags", data={"tag": "two words"}, follow_redirects=True
    )

    page = refused.get_data(as_text=True)
    assert "A tag is one word" in page
    assert "Gift: no invoice in the box" in page and '<span class="tag">gift</span>' in page


def test_an_import_page_shows_progress_until_the_job_has_run_then_the_report(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    with app.app_context():
        queued = queue_import(
            db.session,
            csv_bytes(*ROWS),
            shop="csv",
            filename="orders.csv",
            actor=None,
            now=utcnow(),
        )
        db.session.commit()
        import_id = queued.id

    waiting = client.get(f"/inbox/import/{import_id}").get_data(as_text=True)
    with app.app_context():
        run_import(db.session, import_id, branch_known=None, batching=Batching(), now=utcnow)
    done = client.get(f"/inbox/import/{import_id}/progress").get_data(as_text=True)

    assert "Importing: 0 of 2 orders handled" in waiting
    assert f'hx-get="/inbox/import/{import_id}/progress"' in waiting
    assert "2 order(s) imported" in done and "hx-get" not in done
    assert stored(app) == 2


def test_an_import_without_progress_for_minutes_says_how_to_store_the_rest(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    with app.app_context():
        queued = queue_import(
            db.session,
            csv_bytes(*ROWS),
            shop="csv",
            filename="orders.csv",
            actor=None,
            now=utcnow(),
        )
        queued.updated_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
        import_id = queued.id

    page = client.get(f"/inbox/import/{import_id}").get_data(as_text=True)

    assert "No progress since" in page and "import the same file again" in page
    assert "hx-get" not in page.split('id="import-report"')[1].split(">")[0]


def test_a_file_that_cannot_be_read_is_refused_at_once_and_nothing_is_queued(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()

    response = upload(client, b"\xff\xfe not text")

    assert response.status_code == 422 and "not UTF-8 text" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(InboxImport)) == 0


def test_a_submitted_order_offers_check_shipment_and_an_unsubmitted_one_submit(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    upload(client, csv_bytes(*ROWS))
    with app.app_context():
        first, second = db.session.scalars(select(InboxOrder).order_by(InboxOrder.id)).all()
        first.cin7_id = 9001  # as if submitted
        db.session.commit()
        ids = first.id, second.id

    submitted = client.get(f"/inbox/orders/{ids[0]}").get_data(as_text=True)
    waiting = client.get(f"/inbox/orders/{ids[1]}").get_data(as_text=True)

    assert (
        'formaction="/inbox/shipments/check"' in submitted and "Submit to Cin7 now" not in submitted
    )
    assert "Submit to Cin7 now" in waiting and "Check shipment" not in waiting
