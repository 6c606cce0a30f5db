"""Booking consignments on SQLite and PostgreSQL: recorded first, booked once, charged right."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from station.carriers import TicketRange
from station.carriers.base import ConsignmentResult, Shipment
from station.carriers.errors import CarrierUnavailable, ShipmentRefused, TicketRangeExhausted
from station.carriers.ownlabel import OwnLabelCarrier, OwnLabelService
from station.carriers.ratecard import load_rate_card
from station.carriers.tickets import check_ticket
from station.extensions import db
from station.models import Consignment, ConsignmentState, TicketCounter
from station.shipping.booking import book_consignment
from station.shipping.carriers import carrier_for, own_label
from station.shipping.costs import CostCentreInput, save_cost_centre
from station.shipping.records import SqlConsignmentStore, SqlTicketAllocator
from station.sitetime import read_in
from tests.carriers.samples import GOLDEN_CARD, address, golden_services, shipment


@pytest.fixture
def ctx(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session


def golden_carrier(
    session: Session, services: tuple[OwnLabelService, ...] | None = None
) -> OwnLabelCarrier:
    return OwnLabelCarrier(
        rate_card=load_rate_card(GOLDEN_CARD),
        services=services or golden_services(),
        allocator=SqlTicketAllocator(session),
        store=SqlConsignmentStore(session),
    )


def test_a_booking_records_tickets_cost_labels_and_the_marked_up_charge(ctx: Session) -> None:
    centre = save_cost_centre(ctx, CostCentreInput("Retail", "10", "1.50"))

    row = book_consignment(
        ctx, golden_carrier(ctx), shipment(1200, 800), key="order-7-1", cost_centre=centre
    )
    ctx.commit()

    assert row.state == ConsignmentState.CREATED and row.carrier == "ownlabel"
    assert [p.position for p in row.parcels] == [1, 2]
    assert len(set(row.tickets)) == 2 and all(check_ticket(t) for t in row.tickets)
    # 1.2 kg and 0.8 kg to Auckland on Overnight: 9.80 + 6.50; charged +10 % + 1.50
    assert row.cost == Decimal("16.30") and row.charged == Decimal("19.43")
    stored = SqlConsignmentStore(ctx).get("order-7-1")
    assert stored is not None and stored.tickets == tuple(row.tickets)
    assert [label.parcel_text for label in stored.labels] == ["Parcel 1 of 2", "Parcel 2 of 2"]
    assert stored.labels[0].receiver.name == "Aroha Ngata"


def test_the_same_key_books_once(ctx: Session) -> None:
    first = book_consignment(ctx, golden_carrier(ctx), shipment(1200), key="order-8-1")
    ctx.commit()

    again = book_consignment(ctx, golden_carrier(ctx), shipment(5000), key="order-8-1")
    ctx.commit()

    assert again.id == first.id and again.tickets == first.tickets
    assert ctx.scalar(select(func.count()).select_from(Consignment)) == 1
    counter = ctx.scalar(select(TicketCounter.next_number))
    assert counter == 1001  # one number of the ON range used, not two


def test_a_refused_local_booking_leaves_nothing_behind(ctx: Session) -> None:
    bad = shipment(1200, receiver=address(postcode="", city=""))

    with pytest.raises(ShipmentRefused) as refused:
        book_consignment(ctx, golden_carrier(ctx), bad, key="order-9-1")
    ctx.rollback()

    assert "postcode" in str(refused.value)
    assert ctx.scalar(select(func.count()).select_from(Consignment)) == 0


def test_an_exhausted_ticket_range_is_a_clear_error(ctx: Session) -> None:
    url = "https://track.example.com/{ticket}"
    tiny = (OwnLabelService("ON", "Overnight", 25_000, url, TicketRange("ON", 1000, 1001)),)
    book_consignment(ctx, golden_carrier(ctx, tiny), shipment(1000, 1000), key="a")
    ctx.commit()

    with pytest.raises(TicketRangeExhausted, match="Overnight"):
        book_consignment(ctx, golden_carrier(ctx, tiny), shipment(1000), key="b")


def test_a_range_moved_up_issues_from_its_new_start(ctx: Session) -> None:
    allocator = SqlTicketAllocator(ctx)
    assert allocator.next_number("ownlabel:ON", 1000, 1999) == 1000

    assert allocator.next_number("ownlabel:ON", 1500, 1999) == 1500
    assert allocator.next_number("ownlabel:ON", 1500, 1999) == 1501


@pytest.mark.both_databases
def test_benches_booking_at_once_never_share_a_ticket(app: Flask, database_url: str) -> None:
    if database_url.startswith("sqlite"):
        engine = create_engine(database_url, connect_args={"timeout": 30})
    else:
        engine = create_engine(database_url)
    tickets: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def bench(n: int) -> None:
        try:
            start.wait()
            for i in range(5):
                with Session(engine) as session:
                    row = book_consignment(
                        session, golden_carrier(session), shipment(900), key=f"bench-{n}-{i}"
                    )
                    session.commit()
                    tickets.extend(row.tickets)
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=bench, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()

    assert errors == []
    assert len(tickets) == 30 and len(set(tickets)) == 30


@dataclass
class RemoteCarrier:
    """A carrier across the network: the own-label carrier behind a switchable outage.

    It records, at the moment it is asked, whether Station had already committed the
    attempt (seen from another connection), and every reference it was asked to book.
    """

    inner: OwnLabelCarrier
    database_url: str
    down: bool = False
    refuse: bool = False
    remote: bool = True
    asked: list[tuple[str, str | None]] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.inner.code

    def create(self, shipment: Shipment, idempotency_key: str) -> ConsignmentResult:
        engine = create_engine(self.database_url)
        with engine.connect() as other:
            state = other.execute(
                text("SELECT state FROM consignment WHERE idempotency_key = :k"),
                {"k": idempotency_key},
            ).scalar()
        engine.dispose()
        self.asked.append((shipment.reference, state))
        if self.down:
            raise CarrierUnavailable("the carrier's API timed out")
        if self.refuse:
            raise ShipmentRefused(shipment.reference, ["the carrier refused the service"])
        return self.inner.create(shipment, idempotency_key)


@pytest.mark.both_databases
def test_a_remote_booking_is_committed_before_the_carrier_is_asked(
    ctx: Session, database_url: str
) -> None:
    remote = RemoteCarrier(golden_carrier(ctx), database_url)

    book_consignment(ctx, remote, shipment(1000, reference="SO-1"), key="r-1")
    ctx.commit()

    assert remote.asked == [("SO-1", "pending")]


@pytest.mark.both_databases
def test_an_outage_leaves_the_attempt_pending_and_the_retry_replays_it(
    ctx: Session, database_url: str
) -> None:
    remote = RemoteCarrier(golden_carrier(ctx), database_url, down=True)
    with pytest.raises(CarrierUnavailable):
        book_consignment(ctx, remote, shipment(1000, reference="SO-2"), key="r-2")
    ctx.rollback()
    row = ctx.scalar(select(Consignment))
    assert row is not None and row.state == ConsignmentState.PENDING

    remote.down = False
    booked = book_consignment(ctx, remote, shipment(4000, reference="SO-2 changed"), key="r-2")
    ctx.commit()

    # The retry sends what was recorded (what the carrier may already have), not new input.
    assert [ref for ref, _ in remote.asked] == ["SO-2", "SO-2"]
    assert booked.id == row.id and booked.state == ConsignmentState.CREATED
    assert booked.parcels[0].weight_grams == 1000


@pytest.mark.both_databases
def test_a_refused_remote_attempt_is_failed_with_the_reason_and_may_be_corrected(
    ctx: Session, database_url: str
) -> None:
    remote = RemoteCarrier(golden_carrier(ctx), database_url, refuse=True)
    with pytest.raises(ShipmentRefused):
        book_consignment(ctx, remote, shipment(1000, reference="SO-3"), key="r-3")
    ctx.rollback()
    row = ctx.scalar(select(Consignment))
    assert row is not None and row.state == ConsignmentState.FAILED
    assert "refused the service" in (row.error or "")

    remote.refuse = False
    booked = book_consignment(ctx, remote, shipment(2000, reference="SO-3"), key="r-3")
    ctx.commit()

    assert booked.state == ConsignmentState.CREATED and booked.parcels[0].weight_grams == 2000


def test_the_built_in_carrier_is_found_by_code(ctx: Session) -> None:
    assert carrier_for(ctx, "ownlabel").code == "ownlabel"
    assert not own_label(ctx).remote
    with pytest.raises(Exception, match="no carrier 'nope'"):
        carrier_for(ctx, "nope")


def test_labels_are_dated_with_the_site_zones_day(ctx: Session) -> None:
    # A zone whose date differs from UTC's at this hour, whatever the hour.
    zone = "Pacific/Kiritimati" if datetime.now(UTC).hour >= 10 else "Pacific/Pago_Pago"
    with read_in(lambda: ZoneInfo(zone)):  # as in a request or a job, in the site's zone
        result = carrier_for(ctx, "ownlabel").create(shipment(), "dated-key")

    local_day = result.created_at.astimezone(ZoneInfo(zone)).date()
    assert local_day != result.created_at.date()
    assert [label.printed_on for label in result.labels] == [local_day]
