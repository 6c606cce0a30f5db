"""Close-out on SQLite and PostgreSQL: one manifest per close, each consignment on one only."""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pypdf
import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from station.accounts import create_user
from station.carriers.base import utc_now
from station.extensions import db
from station.models import (
    Consignment,
    ConsignmentParcel,
    ConsignmentState,
    Manifest,
    Role,
    TicketCounter,
)
from station.shipping.booking import book_consignment
from station.shipping.carriers import own_label
from station.shipping.manifests import (
    CloseOutRefused,
    close_out,
    manifest_pdf,
    waiting_count,
)
from station.shipping.records import SqlConsignmentStore
from station.shipping.returns import book_return
from tests.carriers.samples import address, shipment

NOW = datetime(2024, 5, 1, 4, 45, tzinfo=UTC)  # 16:45 in Auckland
AUCKLAND = ZoneInfo("Pacific/Auckland")


@pytest.fixture
def ctx(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session


def book(session: Session, key: str, *weights: int, reference: str = "SO-1042") -> Consignment:
    row = book_consignment(
        session, own_label(session), shipment(*weights, reference=reference), key=key
    )
    session.commit()
    return row


def other_carrier(session: Session, key: str) -> Consignment:
    """A consignment booked with a carrier that is not set up here any more."""
    row = Consignment(
        idempotency_key=key,
        state=ConsignmentState.CREATED,
        carrier="othercarrier",
        service_code="STD",
        reference="SO-9",
        shipment={},
        parcels=[ConsignmentParcel(position=1, weight_grams=700, ticket="OC1")],
    )
    session.add(row)
    session.commit()
    return row


def manifests(session: Session) -> list[Manifest]:
    return list(session.scalars(select(Manifest).order_by(Manifest.id)))


class TestCloseOut:
    def test_every_waiting_consignment_goes_on_one_manifest_with_totals(self, ctx: Session) -> None:
        manager = create_user(ctx, "mere", "correct horse", role=Role.MANAGER)
        first = book(ctx, "a", 1200, 800, reference="SO-1")
        second = book(ctx, "b", 5000, reference="SO-2")

        manifest = close_out(ctx, "ownlabel", user=manager, now=NOW)

        assert manifest.number == "OWNLABEL-000001" and manifest.carrier_name == "Own label"
        assert [c.id for c in manifest.consignments] == [first.id, second.id]
        assert (manifest.consignment_count, manifest.parcel_count) == (2, 3)
        assert manifest.weight_grams == 7000
        assert manifest.cost_total == first.cost + second.cost  # type: ignore[operator]
        assert manifest.cost_total > Decimal("0")
        assert manifest.closed_at == NOW and manifest.closed_by_id == manager.id
        assert waiting_count(ctx, "ownlabel") == 0

    def test_voided_returned_unbooked_and_other_carriers_consignments_stay_off(
        self, ctx: Session
    ) -> None:
        kept = book(ctx, "kept", 1000)
        voided = book(ctx, "voided", 1000)
        carrier = own_label(ctx)
        stored = SqlConsignmentStore(ctx).get("voided")
        assert stored is not None
        carrier.void(stored, now=utc_now())
        back = book_return(ctx, carrier, kept, key="return")
        failed = Consignment(
            idempotency_key="failed",
            state=ConsignmentState.FAILED,
            carrier="ownlabel",
            service_code="ON",
            reference="SO-5",
            shipment={},
        )
        ctx.add(failed)
        other = other_carrier(ctx, "other")
        ctx.commit()

        manifest = close_out(ctx, "ownlabel", user=None, now=NOW)

        assert [c.id for c in manifest.consignments] == [kept.id]
        for row in (voided, back, failed, other):
            ctx.refresh(row)
            assert row.manifest_id is None
        assert waiting_count(ctx, "othercarrier") == 1

    def test_the_next_close_out_takes_only_what_was_booked_since(self, ctx: Session) -> None:
        first = book(ctx, "a", 1000)
        close_out(ctx, "ownlabel", user=None, now=NOW)
        later = book(ctx, "b", 1000)

        manifest = close_out(ctx, "ownlabel", user=None, now=NOW)

        assert manifest.number == "OWNLABEL-000002"
        assert [c.id for c in manifest.consignments] == [later.id]
        ctx.refresh(first)
        assert first.manifest.number == "OWNLABEL-000001"  # type: ignore[union-attr]

    def test_an_empty_close_out_is_refused_and_changes_nothing(self, ctx: Session) -> None:
        with pytest.raises(CloseOutRefused) as refused:
            close_out(ctx, "ownlabel", user=None, now=NOW)

        assert str(refused.value) == (
            "Nothing to close out for Own label: no booked consignments are waiting for a manifest."
        )
        ctx.rollback()
        assert manifests(ctx) == []
        assert ctx.scalar(select(func.count()).select_from(TicketCounter)) == 0

    def test_a_carrier_no_longer_set_up_can_still_be_closed_out(self, ctx: Session) -> None:
        other_carrier(ctx, "other")

        manifest = close_out(ctx, "othercarrier", user=None, now=NOW)

        assert manifest.number == "OTHERCARRIER-000001"
        assert manifest.carrier_name == "othercarrier" and manifest.weight_grams == 700

    def test_now_must_be_timezone_aware(self, ctx: Session) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            close_out(ctx, "ownlabel", user=None, now=datetime(2024, 5, 1, 16, 45))


@pytest.mark.both_databases
def test_managers_closing_out_at_once_share_one_manifest(app: Flask, database_url: str) -> None:
    with app.app_context():
        booked = [book(db.session, f"k-{n}", 1000 + n).id for n in range(6)]
    if database_url.startswith("sqlite"):
        engine = create_engine(database_url, connect_args={"timeout": 30})
    else:
        engine = create_engine(database_url)
    closed: list[str] = []
    refusals: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def manager() -> None:
        try:
            with Session(engine) as session:
                start.wait()
                try:
                    closed.append(close_out(session, "ownlabel", user=None, now=NOW).number)
                except CloseOutRefused as exc:
                    refusals.append(str(exc))
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=manager) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()

    assert errors == []
    assert closed == ["OWNLABEL-000001"] and len(refusals) == 3
    assert all(r.startswith("Nothing to close out for Own label: ") for r in refusals)
    with app.app_context():
        [manifest] = manifests(db.session)
        assert sorted(c.id for c in manifest.consignments) == booked
        assert manifest.consignment_count == 6


@pytest.mark.both_databases
def test_close_out_while_benches_book_never_loses_or_doubles_a_consignment(
    app: Flask, database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        engine = create_engine(database_url, connect_args={"timeout": 30})
    else:
        engine = create_engine(database_url)
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def bench(n: int) -> None:
        try:
            start.wait()
            for i in range(8):
                with Session(engine) as session:
                    book(session, f"bench-{n}-{i}", 900)
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    def manager() -> None:
        try:
            start.wait()
            for _ in range(6):
                # a refusal only means nothing was booked since the last close-out
                with Session(engine) as session, contextlib.suppress(CloseOutRefused):
                    close_out(session, "ownlabel", user=None, now=NOW)
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=bench, args=(n,)) for n in range(2)]
    threads.append(threading.Thread(target=manager))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()

    assert errors == []
    with app.app_context():
        session = db.session
        for manifest in manifests(session):
            assert manifest.consignment_count == len(manifest.consignments) > 0
        on_manifests = sum(m.consignment_count for m in manifests(session))
        assert on_manifests + waiting_count(session, "ownlabel") == 16


def test_the_manifest_pdf_lists_each_consignment_and_the_totals(ctx: Session) -> None:
    manager = create_user(ctx, "mere", "correct horse", role=Role.MANAGER)
    manager.display_name = "Mere Tāne"
    book(ctx, "a", 1200, 800, reference="SO-1")
    receiver = address(name="Sam Smith", city="Christchurch", postcode="8011")
    book_consignment(
        ctx,
        own_label(ctx),
        shipment(2500, service="EC", receiver=receiver, reference="SO-2"),
        key="b",
    )
    ctx.commit()
    manifest = close_out(ctx, "ownlabel", user=manager, now=NOW)

    pdf = manifest_pdf(manifest, tz=AUCKLAND)

    [page] = pypdf.PdfReader(io.BytesIO(pdf)).pages
    text = page.extract_text()
    for expected in (
        "Own label",
        "Manifest number OWNLABEL-000001",
        "Closed 2024-05-01 16:45 NZST by Mere Tāne",
        "SO-1",
        "Aroha Ngata",
        "Auckland",
        "1010",
        "Overnight",
        "SO-2",
        "Sam Smith",
        "Christchurch",
        "8011",
        "Economy",
        "Total: 2 consignments · 3 parcels · 4.5 kg",
        "OWNLABEL-000001 · Page 1 of 1",
    ):
        assert expected in text, expected
    for consignment in manifest.consignments:
        for ticket in consignment.tickets:
            assert ticket in text
