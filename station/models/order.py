"""Station's local copy of Cin7 sales orders, their lines, and the products they use."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from station.db import Base, utcnow
from station.text import search_fold

Money = Numeric(14, 2)
Quantity = Numeric(14, 4)


class SalesOrder(Base):
    """A Cin7 sales order as last synced, keyed by its Cin7 id."""

    __tablename__ = "sales_order"
    __table_args__ = (
        Index("ix_sales_order_stage_modified", "stage", "cin7_modified"),
        Index("ix_sales_order_cin7_modified", "cin7_modified"),
        # The search's LIKE '%term%' on PostgreSQL (pg_trgm; see its migration).
        Index(
            "ix_sales_order_search_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cin7_id: Mapped[int] = mapped_column(unique=True)
    reference: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str | None] = mapped_column(String(32))
    stage: Mapped[str | None] = mapped_column(String(64))
    is_approved: Mapped[bool] = mapped_column(default=False)
    is_void: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str | None] = mapped_column(String(64))
    branch_id: Mapped[int | None] = mapped_column(index=True)
    customer_order_no: Mapped[str | None] = mapped_column(String(128))
    first_name: Mapped[str | None] = mapped_column(String(128))
    last_name: Mapped[str | None] = mapped_column(String(128))
    company: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255), index=True)
    phone: Mapped[str | None] = mapped_column(String(64))
    mobile: Mapped[str | None] = mapped_column(String(64))
    delivery_first_name: Mapped[str | None] = mapped_column(String(128))
    delivery_last_name: Mapped[str | None] = mapped_column(String(128))
    delivery_company: Mapped[str | None] = mapped_column(String(255))
    delivery_address1: Mapped[str | None] = mapped_column(String(255))
    delivery_address2: Mapped[str | None] = mapped_column(String(255))
    delivery_city: Mapped[str | None] = mapped_column(String(128))
    delivery_state: Mapped[str | None] = mapped_column(String(128))
    delivery_postal_code: Mapped[str | None] = mapped_column(String(32), index=True)
    delivery_country: Mapped[str | None] = mapped_column(String(64))
    delivery_instructions: Mapped[str | None] = mapped_column(Text)
    currency_code: Mapped[str | None] = mapped_column(String(8))
    total: Mapped[Decimal | None] = mapped_column(Money)
    freight_total: Mapped[Decimal | None] = mapped_column(Money)
    freight_description: Mapped[str | None] = mapped_column(String(255))
    dispatched_date: Mapped[datetime | None]
    tracking_code: Mapped[str | None] = mapped_column(String(255))
    logistics_carrier: Mapped[str | None] = mapped_column(String(128))
    internal_comments: Mapped[str | None] = mapped_column(Text)
    cin7_created: Mapped[datetime | None] = mapped_column(index=True)
    cin7_modified: Mapped[datetime]
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)
    line_count: Mapped[int] = mapped_column(default=0)
    # SEARCH_FIELDS lower-cased in one column, kept current on every write (see below).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.position"
    )

    @property
    def customer_name(self) -> str:
        """The name people know the customer by: company, else first and last name."""
        person = " ".join(p for p in (self.first_name, self.last_name) if p)
        return self.company or person

    @property
    def destination(self) -> str:
        """City, postcode and country of the delivery address, as one line."""
        parts = (self.delivery_city, self.delivery_postal_code, self.delivery_country)
        return ", ".join(p for p in parts if p)


SEARCH_FIELDS = (
    "reference",
    "customer_order_no",
    "company",
    "first_name",
    "last_name",
    "delivery_first_name",
    "delivery_last_name",
    "delivery_company",
    "email",
    "delivery_postal_code",
)


def search_text_of(values: Any) -> str:
    """The search text of an order (or of a mapping of its fields): what the list search reads.

    Folded in Python (:func:`station.text.search_fold`: case and accents) so "TUHOE" finds
    "Tūhoe" on SQLite as on PostgreSQL.
    """
    get = values.get if isinstance(values, dict) else lambda f: getattr(values, f, None)
    return " ".join(search_fold(str(get(f))) for f in SEARCH_FIELDS if get(f))


@event.listens_for(SalesOrder, "before_insert")
@event.listens_for(SalesOrder, "before_update")
def _keep_search_text(_mapper: Any, _connection: Any, order: SalesOrder) -> None:
    order.search_text = search_text_of(order)


class OrderLine(Base):
    """One line of a sales order."""

    __tablename__ = "order_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("sales_order.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    cin7_line_id: Mapped[int | None]
    product_id: Mapped[int | None] = mapped_column(index=True)
    product_option_id: Mapped[int | None]
    code: Mapped[str | None] = mapped_column(String(128), index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    option1: Mapped[str | None] = mapped_column(String(128))
    option2: Mapped[str | None] = mapped_column(String(128))
    option3: Mapped[str | None] = mapped_column(String(128))
    barcode: Mapped[str | None] = mapped_column(String(64), index=True)
    size_codes: Mapped[str | None] = mapped_column(String(255))
    qty: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    qty_shipped: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    unit_price: Mapped[Decimal | None] = mapped_column(Money)
    stock_control: Mapped[str | None] = mapped_column(String(32))

    order: Mapped[SalesOrder] = relationship(back_populates="lines")


class Product(Base):
    """A Cin7 product: what the batch/serial guard and the scale need to know."""

    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    cin7_id: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str | None] = mapped_column(String(255))
    style_code: Mapped[str | None] = mapped_column(String(128))
    stock_control: Mapped[str | None] = mapped_column(String(32))
    size_range_id: Mapped[int | None]
    weight_grams: Mapped[int | None]
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)

    options: Mapped[list[ProductOption]] = relationship(
        back_populates="product", cascade="all, delete-orphan"
    )


class ProductOption(Base):
    """A sellable option (SKU) of a product."""

    __tablename__ = "product_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    cin7_id: Mapped[int] = mapped_column(unique=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str | None] = mapped_column(String(128), index=True)
    barcode: Mapped[str | None] = mapped_column(String(64), index=True)
    size: Mapped[str | None] = mapped_column(String(64))
    weight_grams: Mapped[int | None]

    product: Mapped[Product] = relationship(back_populates="options")
