"""Finding and listing Station's copies of sales orders."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from station.models import SalesOrder
from station.paging import Paged


@dataclass(frozen=True, slots=True)
class OrderPage(Paged):
    """One page of an order listing."""

    orders: list[SalesOrder]
    query: str


def list_orders(
    session: Session, *, query: str = "", page: int = 1, per_page: int = 50
) -> OrderPage:
    """Orders matching ``query`` (reference, name, company, email, postcode), newest edits first."""
    query = query.strip()[:100]
    page = max(1, page)
    stmt = select(SalesOrder)
    if query:
        like = f"%{_escape_like(query)}%"
        stmt = stmt.where(
            or_(
                SalesOrder.reference.ilike(like, escape="\\"),
                SalesOrder.customer_order_no.ilike(like, escape="\\"),
                SalesOrder.company.ilike(like, escape="\\"),
                SalesOrder.first_name.ilike(like, escape="\\"),
                SalesOrder.last_name.ilike(like, escape="\\"),
                SalesOrder.delivery_last_name.ilike(like, escape="\\"),
                SalesOrder.email.ilike(like, escape="\\"),
                SalesOrder.delivery_postal_code.ilike(like, escape="\\"),
            )
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(SalesOrder.cin7_modified.desc(), SalesOrder.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return OrderPage(orders=list(rows), page=page, per_page=per_page, total=total, query=query)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
