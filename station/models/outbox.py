"""The outbox: every write Station owes Cin7 (and the Shopify trigger), recorded before sending."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from station.db import Base, utcnow, value_enum
from station.models.order import SalesOrder
from station.models.shipping import Consignment
from station.queue import QueueRow, QueueStates


class OutboxKind(enum.Enum):
    """What an outbox item writes."""

    DISPATCHED = "dispatched"  # stage Dispatched + tracking on the Cin7 order
    FREIGHT = "freight"  # freightTotal + freightDescription, after the label printed
    SHOPIFY = "shopify"  # the Cin7 Shopify module's update link


class OutboxState(enum.Enum):
    """pending → sending → done; failed needs a person; cancelled by a void."""

    PENDING = "pending"
    SENDING = "sending"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class OutboxItem(QueueRow, Base):
    """One write owed to Cin7, delivered at most once after it succeeded.

    ``after`` names the item that must be done first (the Shopify trigger and the
    freight push wait for the Dispatched update of the same order).
    """

    __tablename__ = "outbox_item"
    queue_states = QueueStates(
        OutboxState.PENDING, OutboxState.SENDING, OutboxState.DONE, OutboxState.FAILED
    )
    __table_args__ = (Index("ix_outbox_item_state_next", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OutboxKind] = mapped_column(value_enum(OutboxKind))
    state: Mapped[OutboxState] = mapped_column(value_enum(OutboxState), default=OutboxState.PENDING)
    dedupe_key: Mapped[str] = mapped_column(String(96), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id"), index=True)
    consignment_id: Mapped[int | None] = mapped_column(ForeignKey("consignment.id"), index=True)
    after_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_item.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Sent by a worker that died before hearing the answer: check Cin7 before sending again.
    uncertain: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[SalesOrder] = relationship()
    consignment: Mapped[Consignment | None] = relationship()
    after: Mapped[OutboxItem | None] = relationship(remote_side=[id])


class BulkDispatch(Base):
    """A manager's bulk dispatch: many orders shipped with one preset and service.

    Each order goes out in ``parcel_count`` parcels of the preset, each weighing ``weight_grams``.

    Each order ships under the key ``bulk-<id>-<order id>``, so a run picked up again
    after a crash ships nothing twice; ``results`` keeps one entry per order handled.
    """

    __tablename__ = "bulk_dispatch"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    printer_id: Mapped[int] = mapped_column(ForeignKey("printer.id"))
    carrier_code: Mapped[str] = mapped_column(String(32))
    service_code: Mapped[str] = mapped_column(String(32))
    preset_id: Mapped[int | None] = mapped_column(ForeignKey("package_preset.id"))
    cost_centre_id: Mapped[int | None] = mapped_column(ForeignKey("cost_centre.id"))
    weight_grams: Mapped[int]  # each parcel's
    parcel_count: Mapped[int] = mapped_column(default=1, server_default="1")  # parcels per order
    order_ids: Mapped[list[int]] = mapped_column(JSON)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Confirm-first Cin7 stages (Awaiting Payment) the manager ticked to ship in this run
    confirmed_stages: Mapped[list[str]] = mapped_column(JSON, default=list)

    @property
    def total(self) -> int:
        """Orders in the run."""
        return len(self.order_ids)

    @property
    def shipped(self) -> int:
        """Orders shipped so far."""
        return sum(1 for r in self.results if r.get("ok"))

    @property
    def failures(self) -> list[dict[str, Any]]:
        """Orders that could not ship, with the reason."""
        return [r for r in self.results if not r.get("ok")]
