"""Writing what Cin7 says about orders and products into Station's tables."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.cin7.types import Product as Cin7Product
from station.cin7.types import ProductOption as Cin7Option
from station.cin7.types import SalesOrder as Cin7Order
from station.db import utcnow
from station.models import OrderLine, Product, ProductOption, SalesOrder

# Order fields Station keeps under the same name as on the Cin7 value.
_SAME_NAME_FIELDS = (
    "reference", "status", "stage", "is_approved", "is_void", "source", "branch_id",
    "customer_order_no", "first_name", "last_name", "company", "email", "phone", "mobile",
    "delivery_first_name", "delivery_last_name", "delivery_company", "delivery_address1",
    "delivery_address2", "delivery_city", "delivery_state", "delivery_postal_code",
    "delivery_country", "delivery_instructions", "currency_code", "total", "freight_total",
    "freight_description", "dispatched_date", "tracking_code", "logistics_carrier",
    "internal_comments",
)  # fmt: skip
_LINE_TEXT_FIELDS = (
    "code", "name", "option1", "option2", "option3", "barcode", "size_codes", "stock_control",
)  # fmt: skip


def _limits(model: type[SalesOrder] | type[OrderLine], names: Iterable[str]) -> dict[str, int]:
    """The longest text each named column holds (Text columns have no limit)."""
    columns = model.__table__.columns
    return {n: columns[n].type.length for n in names if getattr(columns[n].type, "length", None)}


_ORDER_LIMITS = _limits(SalesOrder, _SAME_NAME_FIELDS)
_LINE_LIMITS = _limits(OrderLine, _LINE_TEXT_FIELDS)


def unstorable(order: Cin7Order) -> str | None:
    """Why Station's tables cannot hold ``order`` (a text longer than its column), or None.

    Checked before writing, so the answer names the Cin7 field and is the same on SQLite
    (which would store the text whole) as on PostgreSQL (which would refuse the row).
    """
    values = {name: getattr(order, name) for name in _ORDER_LIMITS}
    values["reference"] = order.reference or str(order.id)  # as write_order stores it
    checks = [(name, value, _ORDER_LIMITS[name]) for name, value in values.items()]
    for number, line in enumerate(order.lines, start=1):
        checks += [(f"line {number} {n}", getattr(line, n), cap) for n, cap in _LINE_LIMITS.items()]
    for name, value, limit in checks:
        if value is not None and len(value) > limit:
            return (
                f"{_cin7_name(name)} is {len(value)} characters long; Station keeps at most "
                f"{limit}. Shorten it in Cin7 and the next sync stores the order."
            )
    return None


def _cin7_name(name: str) -> str:
    """``delivery_address1`` as Cin7 spells it: ``deliveryAddress1`` (a line's prefix kept)."""
    prefix, _, field = name.rpartition(" ")
    first, *rest = field.split("_")
    return f"{prefix} " * bool(prefix) + first + "".join(part.capitalize() for part in rest)


def local_orders(session: Session, cin7_ids: Iterable[int]) -> dict[int, SalesOrder]:
    """Station's copies of these Cin7 orders, by Cin7 id."""
    ids = list(cin7_ids)
    if not ids:
        return {}
    rows = session.scalars(select(SalesOrder).where(SalesOrder.cin7_id.in_(ids)))
    return {row.cin7_id: row for row in rows}


def is_current(local: SalesOrder, order: Cin7Order) -> bool:
    """True when the local copy already reflects this version of the Cin7 order."""
    return local.cin7_modified == order.modified_date


def write_order(session: Session, order: Cin7Order, local: SalesOrder | None) -> SalesOrder:
    """Create or overwrite the local copy of ``order``, lines included."""
    row = local or SalesOrder(cin7_id=order.id)
    for name in _SAME_NAME_FIELDS:
        setattr(row, name, getattr(order, name))
    row.reference = order.reference or str(order.id)
    row.cin7_created = order.created_date
    row.cin7_modified = order.modified_date
    row.synced_at = utcnow()
    row.lines = [
        OrderLine(
            position=i,
            cin7_line_id=line.id,
            product_id=line.product_id,
            product_option_id=line.product_option_id,
            code=line.code,
            name=line.name,
            option1=line.option1,
            option2=line.option2,
            option3=line.option3,
            barcode=line.barcode,
            size_codes=line.size_codes,
            qty=line.qty or Decimal(0),
            qty_shipped=line.qty_shipped or Decimal(0),
            unit_price=line.unit_price,
            stock_control=line.stock_control,
        )
        for i, line in enumerate(order.lines)
    ]
    row.line_count = len(order.lines)
    session.add(row)
    return row


def missing_product_ids(session: Session, product_ids: Iterable[int | None]) -> list[int]:
    """Product ids used by order lines that Station has no record of yet."""
    wanted = {pid for pid in product_ids if pid}
    if not wanted:
        return []
    known = set(session.scalars(select(Product.cin7_id).where(Product.cin7_id.in_(wanted))))
    return sorted(wanted - known)


def write_products(session: Session, products: Iterable[Cin7Product]) -> int:
    """Create or update products and their options; returns how many were written."""
    count = 0
    for product in products:
        row = session.scalar(select(Product).where(Product.cin7_id == product.id))
        row = row or Product(cin7_id=product.id)
        row.name = product.name
        row.style_code = product.style_code
        row.stock_control = product.stock_control
        row.size_range_id = product.size_range_id
        row.weight_grams = _grams(product.weight)
        row.synced_at = utcnow()
        existing = {opt.cin7_id: opt for opt in row.options}
        row.options = [
            _write_option(existing.get(opt.id) or ProductOption(cin7_id=opt.id), opt)
            for opt in product.options
        ]
        session.add(row)
        count += 1
    return count


def _write_option(row: ProductOption, option: Cin7Option) -> ProductOption:
    row.code = option.code
    row.barcode = option.barcode
    row.size = option.size
    row.weight_grams = _grams(option.weight)
    return row


def _grams(kilograms: Decimal | float | None) -> int | None:
    """Cin7 keeps weights in kilograms; Station keeps whole grams."""
    if kilograms is None:
        return None
    return int((Decimal(str(kilograms)) * 1000).to_integral_value())
