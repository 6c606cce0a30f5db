"""Finding and listing Station's copies of sales orders."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from station.listing import LIKE_ESCAPE, Paging, contains, fetch_page
from station.models import SalesOrder


@dataclass(frozen=True, slots=True)
class OrderPage(Paging):
    """One page of an order listing."""

    orders: list[SalesOrder]
    query: str


def list_orders(
    session: Session, *, query: str = "", page: int = 1, per_page: int = 50
) -> OrderPage:
    """Orders matching ``query`` (reference, name, company, email, postcode), newest edits first."""
    query = query.strip()[:100]
    stmt = select(SalesOrder)
    if query:
        like = contains(query)
        columns = (
            SalesOrder.reference,
            SalesOrder.customer_order_no,
            SalesOrder.company,
            SalesOrder.first_name,
            SalesOrder.last_name,
            SalesOrder.delivery_last_name,
            SalesOrder.email,
            SalesOrder.delivery_postal_code,
        )
        stmt = stmt.where(or_(*(column.ilike(like, escape=LIKE_ESCAPE) for column in columns)))
    rows, paging = fetch_page(
        session,
        stmt.order_by(SalesOrder.cin7_modified.desc(), SalesOrder.id.desc()),
        page=page,
        per_page=per_page,
    )
    return OrderPage(
        orders=rows, query=query, page=paging.page, per_page=per_page, total=paging.total
    )
