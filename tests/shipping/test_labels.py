"""A consignment's labels: printed once per parcel, in order; reprinted only when asked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from printers.testing import ZebraListener
from station.extensions import db
from station.models import Consignment, ConsignmentState, JobState, Printer, PrintJob
from station.printing.queue import ReprintRefused, drain_printer, reprint
from station.printing.transports import transport_for
from station.shipping.booking import book_consignment
from station.shipping.carriers import own_label
from station.shipping.labels import label_states, queue_consignment_labels, reprint_labels
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


def add_printer(name: str, fmt: str = "zpl") -> Printer:
    printer = Printer(name=name, spec={"format": fmt, "transport": "memory"})
    db.session.add(printer)
    db.session.flush()
    return printer


def booked(key: str = "o-2", *weights: int) -> Consignment:
    return book_consignment(
        db.session, own_label(db.session), shipment(*(weights or (1200, 3400))), key=key
    )


def finish(jobs: list[PrintJob], state: JobState = JobState.DONE) -> None:
    for job in jobs:
        job.state = state
    db.session.flush()


class TestReprintLabels:
    def test_the_same_bytes_go_again_to_the_printer_they_went_to(self, app: Flask) -> None:
        with app.app_context():
            bench = add_printer("Bench 1")
            consignment = booked()
            first = queue_consignment_labels(db.session, consignment, bench)
            finish(first)

            again = reprint_labels(db.session, consignment)

            assert [job.payload for job in again] == [job.payload for job in first]
            assert {job.printer_id for job in again} == {bench.id}
            assert [job.reprint_of_id for job in again] == [job.id for job in first]
            assert {job.kind for job in again} == {"reprint"}

    def test_a_chosen_printer_gets_the_labels_drawn_for_it(self, app: Flask) -> None:
        with app.app_context():
            bench = add_printer("Bench 1")
            office = add_printer("Office", fmt="pdf")
            consignment = booked()
            first = queue_consignment_labels(db.session, consignment, bench)
            finish(first)

            again = reprint_labels(db.session, consignment, printer=office)

            assert [job.format for job in again] == ["pdf", "pdf"]
            assert all(job.payload.startswith(b"%PDF") for job in again)
            assert {job.printer_id for job in again} == {office.id}
            assert [job.reprint_of_id for job in again] == [job.id for job in first]
            assert "Reprint of SO-1042 Parcel 2 of 2" in again[1].description

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (
                {"state": ConsignmentState.VOIDED},
                "was voided: its label can never be printed again",
            ),
            ({"labels": []}, "booked on the carrier's own portal"),
        ],
    )
    def test_labels_that_must_not_print_are_refused(
        self, app: Flask, change: dict[str, object], message: str
    ) -> None:
        with app.app_context():
            bench = add_printer("Bench 1")
            consignment = booked()
            for field, value in change.items():
                setattr(consignment, field, value)

            with pytest.raises(ReprintRefused, match=message):
                reprint_labels(db.session, consignment, printer=bench)

    def test_labels_never_printed_need_a_printer_and_unfinished_ones_must_wait(
        self, app: Flask
    ) -> None:
        with app.app_context():
            bench = add_printer("Bench 1")
            never = booked("o-3")
            waiting = booked("o-4")
            queue_consignment_labels(db.session, waiting, bench)

            with pytest.raises(ReprintRefused, match="not been printed anywhere yet"):
                reprint_labels(db.session, never)
            with pytest.raises(ReprintRefused, match="has not finished yet"):
                reprint_labels(db.session, waiting)


def test_label_states_follow_each_parcel_to_its_newest_reprint(app: Flask) -> None:
    with app.app_context():
        bench = add_printer("Bench 1")
        consignment, other = booked("o-5"), booked("o-6", 900)
        first = queue_consignment_labels(db.session, consignment, bench)
        finish(first[:1])
        finish(first[1:], JobState.FAILED)
        queue_consignment_labels(db.session, other, bench)
        assert label_states(db.session, [consignment.id, other.id]) == {
            consignment.id: [JobState.DONE, JobState.FAILED],
            other.id: [JobState.QUEUED],
        }

        reprinted = reprint(db.session, first[1])
        db.session.flush()
        finish([reprinted])
        twice = reprint(db.session, reprinted)  # a reprint of the reprint, still queued
        db.session.flush()

        assert label_states(db.session, [consignment.id]) == {
            consignment.id: [JobState.DONE, JobState.QUEUED]
        }
        assert twice.reprint_of_id == reprinted.id
        assert label_states(db.session, []) == {}
