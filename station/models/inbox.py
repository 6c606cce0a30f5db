"""The inbox: shop orders waiting for (or sent to) Cin7, their folders, events and API tokens."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from station.db import Base, utcnow, value_enum
from station.models.order import Quantity
from station.models.outbox import OutboxState
from station.queue import QueueRow, QueueStates


class InboxSource(enum.StrEnum):
    """How an order came into the inbox."""

    API = "api"
    CSV = "csv"
    SHOPIFY = "shopify"


class InboxEventKind(enum.StrEnum):
    """What happened to an inbox order; the ``not_submitted_*`` and submit kinds are rule events."""

    IMPORTED = "imported"
    MOVED = "moved"
    SCHEDULED = "scheduled"
    BEFORE_SUBMIT = "before_submit"
    AFTER_SUBMIT = "after_submit"
    NOT_SUBMITTED_ERROR = "not_submitted_error"
    NOT_SUBMITTED_INVALID_SKU = "not_submitted_invalid_sku"
    NOT_SUBMITTED_NO_PRODUCTS = "not_submitted_no_products"
    SHIPPED = "shipped"
    CANCELED = "canceled"
    NOTE_ADDED = "note_added"
    TAGGED = "tagged"


class InboxFolder(Base):
    """A folder of inbox orders; the default ones carry a ``slug`` and cannot be removed."""

    __tablename__ = "inbox_folder"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    slug: Mapped[str | None] = mapped_column(String(16), unique=True)  # "new", "errors" ...
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    orders: Mapped[list[InboxOrder]] = relationship(back_populates="folder")


class InboxOrder(Base):
    """A shop's order as it came in, what Station added to it, and where it is now.

    ``source_payload`` is what the shop sent, untouched; the other JSON fields are the
    checked, normalised order (see ``station.inbox.orders``). ``content_hash`` is the
    hash of that normalised order: the same order sent twice has the same hash.
    """

    __tablename__ = "inbox_order"
    __table_args__ = (
        UniqueConstraint("shop", "shop_order_id", name="uq_inbox_order_shop_order"),
        Index("ix_inbox_order_folder", "folder_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop: Mapped[str] = mapped_column(String(64))
    shop_order_id: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str] = mapped_column(String(64))  # the number people see, e.g. "#1001"
    source: Mapped[str] = mapped_column(String(16))  # an InboxSource value
    source_payload: Mapped[Any] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(255))
    customer: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    shipping_address: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    checkout: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    shipping_method: Mapped[str | None] = mapped_column(String(128))
    currency_code: Mapped[str | None] = mapped_column(String(8))
    delivery_instructions: Mapped[str | None] = mapped_column(Text)
    folder_id: Mapped[int] = mapped_column(ForeignKey("inbox_folder.id"))
    cin7_id: Mapped[int | None] = mapped_column(index=True)
    cin7_reference: Mapped[str | None] = mapped_column(String(64))
    # Written (and committed) before the first POST to Cin7; sent as the order's reference,
    # so a retry finds the order Cin7 may already have made instead of making another.
    submission_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    # Set while one worker submits the order, so a second one (a double click) keeps off.
    submitting_since: Mapped[datetime | None]
    # Set when the order is scheduled to Cin7, cleared when a submission run made or refused
    # it: a scheduled order no job took up (scheduled by a rule inside another job, or
    # lost with a worker) is found by the periodic sweep, and submitted as ``scheduled_by``.
    scheduled_at: Mapped[datetime | None] = mapped_column(index=True)
    scheduled_by: Mapped[str | None] = mapped_column(String(80))
    # When Station sends the order again by itself, after Cin7 (not the order) failed;
    # ``submit_failures`` counts those failures in a row, to wait longer each time.
    resubmit_at: Mapped[datetime | None]
    submit_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    submitted_at: Mapped[datetime | None]
    # What the shipment check read back from Cin7.
    shipped_at: Mapped[datetime | None]  # Cin7's dispatchedDate
    tracking_code: Mapped[str | None] = mapped_column(String(255))
    logistics_carrier: Mapped[str | None] = mapped_column(String(128))
    canceled_at: Mapped[datetime | None]  # when Station saw the order void in Cin7
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    folder: Mapped[InboxFolder] = relationship(back_populates="orders")
    events: Mapped[list[InboxEvent]] = relationship(
        back_populates="order",
        cascade="all, delete-orphan",
        order_by="[InboxEvent.at, InboxEvent.id]",
    )

    @property
    def customer_name(self) -> str:
        """Company, else first and last name, from the customer or the shipping address."""
        for part in (self.customer, self.shipping_address):
            person = " ".join(p for p in (part.get("first_name"), part.get("last_name")) if p)
            if part.get("company") or person:
                return part.get("company") or person
        return ""


class InboxEvent(Base):
    """Something that happened to an inbox order: imported, moved, submitted, refused."""

    __tablename__ = "inbox_event"
    __table_args__ = (Index("ix_inbox_event_order", "order_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("inbox_order.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))  # an InboxEventKind value
    message: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor_username: Mapped[str] = mapped_column(String(64), default="")

    order: Mapped[InboxOrder] = relationship(back_populates="events")


class ApiToken(Base):
    """A shop's token for ``POST /api/v1/orders``; only its SHA-256 is kept."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    shop: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class ShopifyDelivery(Base):
    """A Shopify webhook delivery already taken, by its ``X-Shopify-Webhook-Id``."""

    __tablename__ = "shopify_delivery"

    webhook_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    shop: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class InboxProductSetting(Base):
    """What to do with one SKU when an order goes to Cin7: leave it out, or send another SKU."""

    __tablename__ = "inbox_product_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(128))  # as the manager typed it
    sku_key: Mapped[str] = mapped_column(String(128), unique=True)  # lower-cased, for matching
    do_not_send: Mapped[bool] = mapped_column(default=False)
    send_as: Mapped[str | None] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InventoryLevel(Base):
    """Cin7's stock of one SKU at one branch, as the last inventory sync read it."""

    __tablename__ = "inventory_level"
    __table_args__ = (
        UniqueConstraint("sku_key", "branch_id", name="uq_inventory_level_sku_branch"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(128))
    sku_key: Mapped[str] = mapped_column(String(128))  # lower-cased, for matching
    branch_id: Mapped[int] = mapped_column(default=0)  # 0 when Cin7 names no branch
    branch_name: Mapped[str | None] = mapped_column(String(255))
    available: Mapped[Decimal] = mapped_column(Quantity)
    stock_on_hand: Mapped[Decimal] = mapped_column(Quantity)
    incoming: Mapped[Decimal] = mapped_column(Quantity)
    holding: Mapped[Decimal] = mapped_column(Quantity)
    synced_at: Mapped[datetime]


class InboxRule(Base):
    """An Order Desk-style rule: on an event, if the order matches, do the actions in turn.

    ``conditions`` is a list of ``{"field", "operator", "value"}`` and ``actions`` a list of
    ``{"action", "argument"}``; ``station.inbox.rules`` reads and runs them.
    """

    __tablename__ = "inbox_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(40), index=True)  # an InboxEventKind value
    match_all: Mapped[bool] = mapped_column(default=True)  # False: any condition will do
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InboxRuleRun(Base):
    """One rule fired on one order: what it did, or why it stopped."""

    __tablename__ = "inbox_rule_run"
    __table_args__ = (Index("ix_inbox_rule_run_order", "order_id", "fired_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("inbox_rule.id", ondelete="SET NULL"))
    rule_name: Mapped[str] = mapped_column(String(64))  # kept when the rule is deleted
    order_id: Mapped[int] = mapped_column(ForeignKey("inbox_order.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(40))
    fired_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(String(16))  # a RuleOutcome value
    detail: Mapped[str] = mapped_column(Text, default="")

    order: Mapped[InboxOrder] = relationship()


class InboxWebhook(QueueRow, Base):
    """A webhook call a rule owes: the order as it was when the rule fired, sent at most once.

    Written in the same transaction as the rule's log, then posted by a job with retries;
    ``delivery_id`` goes with every attempt as the ``Idempotency-Key`` header, so a
    receiver that sees it twice (an answer lost on the way back) can tell.
    """

    __tablename__ = "inbox_webhook"
    queue_states = QueueStates(
        OutboxState.PENDING, OutboxState.SENDING, OutboxState.DONE, OutboxState.FAILED
    )
    __table_args__ = (Index("ix_inbox_webhook_state_next", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("inbox_order.id", ondelete="CASCADE"), index=True
    )
    queued_by: Mapped[str] = mapped_column(String(80))  # "rule: <name>"
    url: Mapped[str] = mapped_column(Text)
    delivery_id: Mapped[str] = mapped_column(String(36), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[OutboxState] = mapped_column(value_enum(OutboxState), default=OutboxState.PENDING)
    status_code: Mapped[int | None]  # the receiver's last answer
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[InboxOrder] = relationship()


class InboxImport(Base):
    """A CSV import, run as a job: the file until it is done, how far it got, what it did."""

    __tablename__ = "inbox_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    data: Mapped[bytes | None] = mapped_column(LargeBinary)  # dropped when the import ends
    orders_total: Mapped[int] = mapped_column(default=0)
    orders_done: Mapped[int] = mapped_column(default=0)  # committed with those orders
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
