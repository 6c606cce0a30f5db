"""Each check as SQL (``check_clauses``) agrees with the checks in Python, order by order.

The order list's filter and the reports count with the SQL; the bench refuses with the
Python. Every mix of a line's own stock control, its product's control and size grid,
and the line's size codes is tried, with the guard on and off.
"""

from __future__ import annotations

from itertools import product as every

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from station.dispatch.checks import ShipRules, check_clauses, failed_checks, products_of
from station.models import Product, SalesOrder
from tests.builders import add_order

OWN_CONTROLS = (None, "", "Batch", "FIFO", "serial numbers")
PRODUCTS = {  # product_id -> (stock control, size range)
    None: None,
    601: ("Batch", None),
    602: ("FIFO", None),
    603: ("Serial", 12),  # a size-grid product
    604: (None, None),
    699: None,  # a product Station has not synced
}
SIZE_CODES = (None, "", "S,M,L")


@pytest.fixture
def orders(ctx: Session) -> list[SalesOrder]:
    for cin7_id, known in PRODUCTS.items():
        if cin7_id is not None and known is not None:
            control, size_range = known
            ctx.add(
                Product(
                    cin7_id=cin7_id,
                    name=f"P{cin7_id}",
                    stock_control=control,
                    size_range_id=size_range,
                )
            )
    made = []
    for n, (own, product_id, codes) in enumerate(every(OWN_CONTROLS, PRODUCTS, SIZE_CODES)):
        order = add_order(ctx, 7000 + n)
        line = order.lines[0]
        line.stock_control, line.product_id, line.size_codes = own, product_id, codes
        made.append(order)
    add_order(ctx, 7900, is_void=True, stage="dispatched", delivery_city=" ").lines = []
    add_order(ctx, 7901, stage="On Hold", delivery_country=None)
    ctx.commit()
    return made


@pytest.mark.both_databases  # lower(), trim() and LIKE as each database has them
@pytest.mark.parametrize("guard", [True, False])
def test_every_check_in_sql_picks_the_orders_python_refuses_for_it(
    ctx: Session, orders: list[SalesOrder], guard: bool
) -> None:
    rules = ShipRules(block_batch_serial=guard)
    everyone = list(ctx.scalars(select(SalesOrder)))
    products = products_of(ctx, everyone)

    for check, clause in check_clauses(rules).items():
        in_sql = set(ctx.scalars(select(SalesOrder.reference).where(clause)))
        in_python = {o.reference for o in everyone if check in failed_checks(o, products, rules)}
        assert in_sql == in_python, check

    refused = {o.reference for o in everyone if failed_checks(o, products, rules)}
    assert (len(refused) > 2) is guard  # the mix does hold refused lines
