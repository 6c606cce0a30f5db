"""Ten benches scan the same order at once: one consignment, one label, nine clear refusals."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from station.carriers.base import Parcel
from station.dispatch.options import DispatchOptions, Sender
from station.dispatch.ship import DispatchRefused, ShipRequest, ship_order
from station.extensions import db
from station.models import Consignment, ConsignmentState, OutboxItem, Printer, PrintJob
from tests.builders import add_order, add_printer

pytestmark = pytest.mark.both_databases


def test_ten_concurrent_scans_of_one_order_ship_it_once(app: Flask, database_url: str) -> None:
    with app.app_context():
        order_id = add_order(db.session).id
        add_printer(db.session)
        db.session.commit()
    options: dict[str, Any] = {"connect_args": {"timeout": 30}} if "sqlite" in database_url else {}
    engine = create_engine(database_url, **options)
    start = threading.Barrier(10)
    shipped: list[int] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def bench(n: int) -> None:
        with Session(engine) as session:
            printer = session.scalars(select(Printer)).one()
            start.wait()
            try:
                result = ship_order(
                    session,
                    order_id,
                    ShipRequest(key=f"bench-{n}", parcels=(Parcel(1000),), service_code="ON"),
                    printer=printer,
                    user=None,
                    options=DispatchOptions(),
                    sender=Sender(),
                    now=datetime.now(UTC),
                )
                shipped.append(result.consignment.id)
            except DispatchRefused as exc:
                refused.append(str(exc))
            except BaseException as exc:  # noqa: BLE001 - surfaced by the assertions
                errors.append(exc)

    threads = [threading.Thread(target=bench, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()

    assert errors == [] and len(shipped) == 1 and len(refused) == 9
    assert all("already" in reason for reason in refused)
    with app.app_context():
        created = db.session.scalar(
            select(func.count()).where(Consignment.state == ConsignmentState.CREATED)
        )
        jobs = db.session.scalar(select(func.count()).select_from(PrintJob))
        writebacks = db.session.scalar(select(func.count()).select_from(OutboxItem))
    assert (created, jobs, writebacks) == (1, 1, 1)
