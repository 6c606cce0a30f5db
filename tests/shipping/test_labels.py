"""A booked consignment's labels reach a real TCP printer once, one per parcel, in order."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from printers.testing import ZebraListener
from station.extensions import db
from station.models import Printer, PrintJob
from station.printing.queue import drain_printer
from station.printing.transports import transport_for
from station.shipping.booking import book_consignment
from station.shipping.carriers import own_label
from station.shipping.labels import queue_consignment_labels
from tests.carriers.samples import shipment


@pytest.fixture
def zebra() -> Iterator[ZebraListener]:
    with ZebraListener() as listener:
        yield listener


def test_each_parcel_prints_once_even_when_queued_twice(app: Flask, zebra: ZebraListener) -> None:
    with app.app_context():
        printer = Printer(
            name="Bench 1",
            spec={
                "format": "zpl",
                "transport": "tcp9100",
                "host": "127.0.0.1",
                "port": zebra.port,
                "timeout": 1.0,
            },
        )
        db.session.add(printer)
        consignment = book_consignment(
            db.session, own_label(db.session), shipment(1200, 3400, service="EC"), key="o-1"
        )
        queue_consignment_labels(db.session, consignment, printer)
        db.session.commit()
        queue_consignment_labels(db.session, consignment, printer)  # a retried dispatch
        db.session.commit()

        drain_printer(db.session, printer, transport_for(printer))
        tickets = consignment.tickets
        jobs = db.session.scalar(select(func.count()).select_from(PrintJob))

    received = zebra.wait_for_jobs(2)
    assert jobs == 2 and len(received) == 2
    assert b"Parcel 1 of 2" in received[0] and b"Parcel 2 of 2" in received[1]
    assert tickets[0].encode() in received[0] and tickets[1].encode() in received[1]
