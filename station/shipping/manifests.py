"""End-of-day close-out: a carrier's booked consignments onto one numbered manifest.

A consignment is *waiting* for a manifest while it is created (not pending, failed or
voided), outgoing (returns are collected from the customer, not handed to the driver
here) and on no manifest yet. ``close_out`` moves every waiting consignment of one
carrier onto a new manifest in one transaction; two managers closing out at once get
one manifest between them and a clear refusal for the other.

CloseOutRefused (a StationError) — there is nothing to close out; the message says why.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session, selectinload

from station.carriers.errors import CarrierMisconfigured
from station.errors import StationError
from station.models import Consignment, ConsignmentState, Manifest, User
from station.shipping.carriers import carrier_for
from station.shipping.records import SqlTicketAllocator
from station.uow import UnitOfWork

if TYPE_CHECKING:
    from station.labels.manifest import ManifestLine

LAST_NUMBER = 999_999


class CloseOutRefused(StationError):
    """A carrier cannot be closed out now; ``str()`` says why and what to do."""

    def __init__(self, carrier_name: str, reason: str) -> None:
        super().__init__(f"Nothing to close out for {carrier_name}: {reason}.")
        self.carrier_name = carrier_name
        self.reason = reason


def waiting(carrier_code: str) -> tuple[ColumnElement[bool], ...]:
    """The conditions a consignment of ``carrier_code`` meets while it waits for a manifest."""
    return (
        Consignment.carrier == carrier_code,
        Consignment.state == ConsignmentState.CREATED,
        Consignment.is_return.is_(False),
        Consignment.manifest_id.is_(None),
    )


def waiting_count(session: Session, carrier_code: str) -> int:
    """How many consignments of ``carrier_code`` are waiting for a manifest."""
    count = session.scalar(select(func.count(Consignment.id)).where(*waiting(carrier_code)))
    return int(count or 0)


def waiting_counts(session: Session) -> dict[str, int]:
    """Waiting consignments per carrier code (carriers with none are left out)."""
    rows = session.execute(
        select(Consignment.carrier, func.count(Consignment.id))
        .where(
            Consignment.state == ConsignmentState.CREATED,
            Consignment.is_return.is_(False),
            Consignment.manifest_id.is_(None),
        )
        .group_by(Consignment.carrier)
    )
    return {carrier: int(count) for carrier, count in rows}


def carrier_name(session: Session, carrier_code: str) -> str:
    """The name people know ``carrier_code`` by; the code itself if it is no longer set up."""
    try:
        return carrier_for(session, carrier_code).name
    except CarrierMisconfigured:
        # its consignments and manifests still need a heading; the code is what we have
        return carrier_code


def close_out(session: Session, carrier_code: str, *, user: User | None, now: datetime) -> Manifest:
    """Put every waiting consignment of ``carrier_code`` on a new manifest, audit it by
    ``user``, and commit.

    Raises ``CloseOutRefused`` (having changed nothing) when no consignment is waiting,
    including when another close-out took them a moment earlier.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    with UnitOfWork(user, session) as uow:
        manifest = _close_out(uow, carrier_code, now=now)
        uow.commit()
    return manifest


def _close_out(uow: UnitOfWork, carrier_code: str, *, now: datetime) -> Manifest:
    """The close-out inside ``uow``, closed by its actor; raises before anything is kept."""
    session = uow.session
    name = carrier_name(session, carrier_code)
    if waiting_count(session, carrier_code) == 0:
        raise CloseOutRefused(name, "no booked consignments are waiting for a manifest")
    # Taking the number locks the carrier's manifest counter until commit, so close-outs of
    # one carrier run one after another; the UPDATE below then only finds what is left.
    sequence = SqlTicketAllocator(session).next_number(f"manifest:{carrier_code}", 1, LAST_NUMBER)
    manifest = Manifest(
        carrier=carrier_code,
        carrier_name=name,
        number=f"{carrier_code.upper()}-{sequence:06d}",
        closed_at=now,
        closed_by=uow.actor,
    )
    session.add(manifest)
    session.flush()
    taken = session.scalars(
        update(Consignment)
        .where(*waiting(carrier_code))
        .values(manifest_id=manifest.id)
        .returning(Consignment.id)
    ).all()
    if not taken:  # the unit of work rolls the number and the empty manifest back
        raise CloseOutRefused(name, "another close-out took its consignments a moment ago")
    _count_totals(session, manifest)
    uow.record(
        "manifest.closed", target=manifest, detail={"consignments": manifest.consignment_count}
    )
    return manifest


def _count_totals(session: Session, manifest: Manifest) -> None:
    """Fill in the manifest's counts, weight and cost from the consignments it holds."""
    rows = session.scalars(
        select(Consignment)
        .where(Consignment.manifest_id == manifest.id)
        .options(selectinload(Consignment.parcels))
    ).all()
    manifest.consignment_count = len(rows)
    manifest.parcel_count = sum(len(row.parcels) for row in rows)
    manifest.weight_grams = sum(row.weight_grams for row in rows)
    manifest.cost_total = sum((row.cost or Decimal("0.00") for row in rows), Decimal("0.00"))
    manifest.currency = rows[0].currency
    session.flush()


def manifest_pdf(manifest: Manifest, *, tz: tzinfo) -> bytes:
    """The manifest as an A4 PDF, its close-out time shown in ``tz``."""
    from station.labels.manifest import ManifestSheet, render_manifest  # reportlab

    by = manifest.closed_by
    sheet = ManifestSheet(
        number=manifest.number,
        carrier=manifest.carrier_name or manifest.carrier,
        closed_at=manifest.closed_at.astimezone(tz),
        closed_by=(by.display_name or by.username) if by is not None else "",
        lines=tuple(_line(consignment) for consignment in manifest.consignments),
        cost_total=manifest.cost_total,
        currency=manifest.currency,
    )
    return render_manifest(sheet)


def _line(consignment: Consignment) -> ManifestLine:
    """One consignment as the manifest lists it."""
    from station.labels.manifest import ManifestLine

    receiver = _receiver(consignment)
    return ManifestLine(
        reference=consignment.reference,
        receiver=str(receiver.get("name") or ""),
        city=str(receiver.get("city") or ""),
        postcode=str(receiver.get("postcode") or ""),
        service=consignment.service_name or consignment.service_code,
        tickets=tuple(consignment.tickets),
        parcels=len(consignment.parcels),
        weight_grams=consignment.weight_grams,
    )


def _receiver(consignment: Consignment) -> dict[str, Any]:
    """The receiver as recorded with the shipment, else as printed on the first label."""
    recorded = (consignment.shipment or {}).get("receiver")
    if recorded:
        return dict(recorded)
    if consignment.labels:
        return dict(consignment.labels[0].get("receiver") or {})
    return {}
