"""Cin7 records as Station sees them: frozen values read from Cin7's JSON by ``mapping``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class SalesOrderLine:
    """One line of a Cin7 sales order."""

    id: int | None
    product_id: int | None
    product_option_id: int | None
    code: str | None
    name: str | None
    option1: str | None
    option2: str | None
    option3: str | None
    barcode: str | None
    size_codes: str | None
    qty: Decimal
    qty_shipped: Decimal
    unit_price: Decimal | None
    stock_control: str | None


@dataclass(frozen=True, slots=True)
class SalesOrder:
    """A Cin7 sales order with the fields Station uses."""

    id: int
    reference: str | None
    created_date: datetime | None
    modified_date: datetime
    status: str | None
    is_approved: bool
    is_void: bool
    stage: str | None
    source: str | None
    branch_id: int | None
    customer_order_no: str | None
    first_name: str | None
    last_name: str | None
    company: str | None
    email: str | None
    phone: str | None
    mobile: str | None
    delivery_first_name: str | None
    delivery_last_name: str | None
    delivery_company: str | None
    delivery_address1: str | None
    delivery_address2: str | None
    delivery_city: str | None
    delivery_state: str | None
    delivery_postal_code: str | None
    delivery_country: str | None
    delivery_instructions: str | None
    currency_code: str | None
    product_total: Decimal | None
    total: Decimal | None
    freight_total: Decimal | None
    freight_description: str | None
    dispatched_date: datetime | None
    tracking_code: str | None
    logistics_carrier: str | None
    internal_comments: str | None
    lines: tuple[SalesOrderLine, ...]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class ProductOption:
    """A sellable option (SKU) of a Cin7 product."""

    id: int
    product_id: int | None
    code: str | None
    barcode: str | None
    option1: str | None
    option2: str | None
    option3: str | None
    size: str | None
    weight: Decimal | None  # kilograms
    stock_available: Decimal | None
    stock_on_hand: Decimal | None


@dataclass(frozen=True, slots=True)
class Product:
    """A Cin7 product and its options."""

    id: int
    name: str | None
    style_code: str | None
    stock_control: str | None
    size_range_id: int | None
    weight: Decimal | None  # kilograms
    options: tuple[ProductOption, ...]


@dataclass(frozen=True, slots=True)
class StockRow:
    """Stock of one product option at one branch."""

    product_id: int | None
    product_option_id: int | None
    code: str | None
    barcode: str | None
    branch_id: int | None
    branch_name: str | None
    available: Decimal
    stock_on_hand: Decimal
    open_sales: Decimal
    incoming: Decimal
    holding: Decimal
    modified_date: datetime | None


@dataclass(frozen=True, slots=True)
class Branch:
    """A Cin7 branch (warehouse, store, 3PL)."""

    id: int
    company: str | None
    is_active: bool
    branch_type: str | None
    address1: str | None
    city: str | None
    post_code: str | None
    country: str | None


@dataclass(frozen=True, slots=True)
class ItemResult:
    """Cin7's answer for one item of a batch POST or PUT."""

    index: int
    success: bool
    id: int | None
    code: str | None
    errors: tuple[str, ...]
