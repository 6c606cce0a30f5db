"""Consignments and what they are made from: cost centres, presets, ticket counters, manifests."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from station.db import Base, utcnow, value_enum
from station.models.order import Money, SalesOrder
from station.models.user import User

Percent = Numeric(7, 3)
LIVE_OUTGOING = "state IN ('pending', 'created') AND NOT is_return"


class CostCentre(Base):
    """Who pays for freight and how much is charged on: cost × (1 + percent/100) + fixed."""

    __tablename__ = "cost_centre"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    markup_percent: Mapped[Decimal] = mapped_column(Percent, default=Decimal("0"))
    markup_fixed: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    is_default: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PackagePreset(Base):
    """A box or satchel the benches use: outside size in mm and empty weight in grams."""

    __tablename__ = "package_preset"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    length_mm: Mapped[int]
    width_mm: Mapped[int]
    height_mm: Mapped[int]
    tare_grams: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TicketCounter(Base):
    """The next unissued number of a numbered series: a service's tickets, a carrier's manifests."""

    __tablename__ = "ticket_counter"

    range_key: Mapped[str] = mapped_column(String(96), primary_key=True)
    next_number: Mapped[int] = mapped_column(BigInteger)


class ConsignmentState(enum.Enum):
    """pending (recorded, carrier not yet answered) → created → voided; or failed."""

    PENDING = "pending"
    CREATED = "created"
    VOIDED = "voided"
    FAILED = "failed"


class Consignment(Base):
    """One shipment booked with a carrier: its parcels, tickets, cost and charge.

    The row is written before the carrier is asked (``pending``) under a unique
    ``idempotency_key``, so a retry after a crash finds it instead of booking twice.
    """

    __tablename__ = "consignment"
    __table_args__ = (
        Index("ix_consignment_created_at", "created_at"),
        # One live (pending or created) outgoing consignment per order, whatever races.
        Index(
            "uq_consignment_live_order",
            "order_id",
            unique=True,
            sqlite_where=text(LIVE_OUTGOING),
            postgresql_where=text(LIVE_OUTGOING),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[ConsignmentState] = mapped_column(
        value_enum(ConsignmentState),
        default=ConsignmentState.PENDING,
    )
    is_return: Mapped[bool] = mapped_column(default=False)
    carrier: Mapped[str] = mapped_column(String(32))
    service_code: Mapped[str] = mapped_column(String(32))
    service_name: Mapped[str] = mapped_column(String(64), default="")
    reference: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("sales_order.id"), index=True)
    cost_centre_id: Mapped[int | None] = mapped_column(ForeignKey("cost_centre.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    cost: Mapped[Decimal | None] = mapped_column(Money)
    charged: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="NZD")
    tracking_url: Mapped[str] = mapped_column(String(500), default="")
    shipment: Mapped[dict[str, Any]] = mapped_column(JSON)  # the request, to retry exactly
    labels: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    scanned_at: Mapped[datetime | None]  # when the bench opened the order (the timeline's start)
    # Carrier outage: the packer queued it; it is booked (and printed here) once the carrier answers
    queued_at: Mapped[datetime | None]
    printer_id: Mapped[int | None] = mapped_column(ForeignKey("printer.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    booked_at: Mapped[datetime | None]
    voided_at: Mapped[datetime | None]
    return_of_id: Mapped[int | None] = mapped_column(ForeignKey("consignment.id"), index=True)
    manifest_id: Mapped[int | None] = mapped_column(ForeignKey("manifest.id"), index=True)

    parcels: Mapped[list[ConsignmentParcel]] = relationship(
        back_populates="consignment",
        order_by="ConsignmentParcel.position",
        cascade="all, delete-orphan",
    )
    order: Mapped[SalesOrder | None] = relationship()
    cost_centre: Mapped[CostCentre | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    return_of: Mapped[Consignment | None] = relationship(remote_side="Consignment.id")
    manifest: Mapped[Manifest | None] = relationship(back_populates="consignments")

    @property
    def tickets(self) -> list[str]:
        """The parcels' ticket numbers, in parcel order (empty until booked)."""
        return [p.ticket for p in self.parcels if p.ticket]

    @property
    def weight_grams(self) -> int:
        """The parcels' total weight."""
        return sum(p.weight_grams for p in self.parcels)


class ConsignmentParcel(Base):
    """One parcel of a consignment and the ticket number its label carries."""

    __tablename__ = "consignment_parcel"

    id: Mapped[int] = mapped_column(primary_key=True)
    consignment_id: Mapped[int] = mapped_column(ForeignKey("consignment.id"), index=True)
    position: Mapped[int]  # 1..n
    weight_grams: Mapped[int]
    length_mm: Mapped[int | None]
    width_mm: Mapped[int | None]
    height_mm: Mapped[int | None]
    package: Mapped[str | None] = mapped_column(String(64))
    ticket: Mapped[str | None] = mapped_column(String(48), index=True)

    consignment: Mapped[Consignment] = relationship(back_populates="parcels")


class Manifest(Base):
    """One carrier's end-of-day close-out: the consignments handed over, with their totals.

    A consignment joins at most one manifest (``Consignment.manifest_id``); the totals are
    counted when the manifest is closed and never change afterwards.
    """

    __tablename__ = "manifest"

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier: Mapped[str] = mapped_column(String(32), index=True)
    carrier_name: Mapped[str] = mapped_column(String(64), default="")  # as named at close-out
    number: Mapped[str] = mapped_column(String(48), unique=True)
    closed_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    consignment_count: Mapped[int] = mapped_column(default=0)
    parcel_count: Mapped[int] = mapped_column(default=0)
    weight_grams: Mapped[int] = mapped_column(BigInteger, default=0)
    cost_total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    currency: Mapped[str] = mapped_column(String(3), default="NZD")

    closed_by: Mapped[User | None] = relationship()
    consignments: Mapped[list[Consignment]] = relationship(
        back_populates="manifest", order_by="Consignment.id"
    )


class OrderHold(Base):
    """An order open at one bench: other benches see who holds it and cannot ship it."""

    __tablename__ = "order_hold"

    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    bench: Mapped[str] = mapped_column(String(64), default="")
    held_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    # Items scanned so far by order line id ({"12": 1}); None when this bench does not
    # verify items. Kept here, not in the browser's cookie, which any slower request
    # (a favicon, a print job's status) can overwrite with an older copy.
    item_counts: Mapped[dict[str, int] | None] = mapped_column(JSON, default=None)

    user: Mapped[User] = relationship()
