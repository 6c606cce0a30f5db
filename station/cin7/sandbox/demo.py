"""Deterministic demo sales orders over the demo catalogue (same seed and time, same data).

Old orders are mostly dispatched; recent ones mostly wait to be packed, so a demo
Station has a real backlog. Each order depends only on the seed and its id, so ids do
not follow creation time.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from station.cin7.sandbox.account import Account
from station.cin7.sandbox.catalogue import ensure_catalogue, retail_price
from station.cin7.sandbox.customers import AU_PLACES, NZ_PLACES, random_customer
from station.cin7.sandbox.schema import format_date

__all__ = ["AU_PLACES", "NZ_PLACES", "generate_orders", "seed_demo"]

# seed_demo's history: this share of orders is 30-60 days old, the rest from the last 28 days.
HISTORY_SHARE = 0.15
OPEN_STAGES = [
    "New",
    "New",
    "Awaiting Payment",
    "Processing",
    "Processing",
    "Fully Picked",
    "On Hold",
    "Declined",
]
LINE_COUNTS = [1, 1, 1, 2, 2, 3, 4, 5, 6]
QUANTITIES = [1, 1, 1, 2, 3, 5]
CARRIERS = {"New Zealand": ["NZ Post", "CourierPost", "Aramex"], "Australia": ["Australia Post"]}
GST = {"NZD": 1.15, "AUD": 1.10}
DEMO_ORDERS = 450  # what `make demo` seeds (README's "Try it" names some of them)
DEMO_SEED = 7


def seed_demo(
    state: Account,
    *,
    order_count: int = DEMO_ORDERS,
    seed: int = DEMO_SEED,
    now: datetime | None = None,
) -> None:
    """Fill ``state`` with branches, products, stock and ``order_count`` orders of the last 60 days.

    Of the default 450, over 300 are approved, open and less than 30 days old: what
    Station's default order selection shows.
    """
    now = now or datetime.fromtimestamp(state.clock(), UTC)
    history = round(order_count * HISTORY_SHARE)
    with state.lock:
        ensure_catalogue(state, seed=seed)
        recent_start = now - timedelta(days=28)
        generate_orders(state, order_count - history, seed=seed, start=recent_start, end=now)
        history_span = (now - timedelta(days=60), now - timedelta(days=31))
        generate_orders(
            state, history, seed=seed, start=history_span[0], end=history_span[1], now=now
        )


def generate_orders(
    state: Account,
    n: int,
    *,
    seed: int,
    start: datetime | None = None,
    end: datetime | None = None,
    now: datetime | None = None,
) -> list[int]:
    """Add ``n`` orders created between ``start`` and ``end`` (as seen at ``now``); returns their ids."""
    with state.lock:
        ensure_catalogue(state, seed=seed)
        end = end or datetime.fromtimestamp(state.clock(), UTC)
        start = start or end - timedelta(days=30)
        now = now or end
        span = max(0.0, (end - start).total_seconds())
        options = [(p, o) for p in state.products.values() for o in p["productOptions"]]
        ids = []
        for _ in range(n):
            order_id = state.next_order_id
            state.next_order_id += 1
            rng = random.Random(seed * 1_000_003 + order_id)  # an order depends on seed and id only
            when = start + timedelta(seconds=rng.random() * span)
            state.orders[order_id] = _order(rng, state, order_id, when, end, now, options)
            ids.append(order_id)
        return ids


def _order(
    rng: random.Random,
    state: Account,
    order_id: int,
    created: datetime,
    end: datetime,
    now: datetime,
    options: list[tuple[dict[str, Any], dict[str, Any]]],
) -> dict[str, Any]:
    customer = random_customer(rng, order_id)
    roll = rng.random()
    is_void, is_approved = roll < 0.03, roll >= 0.08
    age = now - created
    dispatch_chance = (
        0.85 if age > timedelta(days=30) else 0.08 if age > timedelta(days=7) else 0.02
    )
    dispatched_at = None
    if is_approved and not is_void and rng.random() < dispatch_chance:
        dispatched_at = min(end, created + timedelta(hours=rng.uniform(2, 72)))
    if dispatched_at is not None:
        stage = "Dispatched"
    elif is_void:
        stage = rng.choice(["Declined", "New", "On Hold"])
    elif not is_approved:
        stage = rng.choice(["New", "Awaiting Payment"])
    else:
        stage = rng.choice(OPEN_STAGES)
    modified = min(
        end, max(created, dispatched_at or created) + timedelta(minutes=rng.randrange(0, 600))
    )
    lines = [
        _line(rng, state, product, option, shipped=dispatched_at is not None)
        for product, option in rng.sample(options, min(len(options), rng.choice(LINE_COUNTS)))
    ]
    product_total = round(sum(li["qty"] * li["unitPrice"] for li in lines), 2)
    currency = customer["currencyCode"]
    freight = (
        rng.choice([0.0, 0.0, 6.5, 8.9, 12.0]) if currency == "NZD" else rng.choice([0.0, 19.95])
    )
    country = customer["deliveryCountry"]
    carrier = rng.choice(CARRIERS[country]) if dispatched_at else None
    source = rng.choice(["Shopify", "Shopify", "API", "Cin7"])
    return {
        "id": order_id,
        "reference": f"SO-{order_id}",
        "createdDate": format_date(created),
        "modifiedDate": format_date(modified),
        "status": "VOID" if is_void else "APPROVED" if is_approved else "DRAFT",
        "isApproved": is_approved,
        "isVoid": is_void,
        "stage": stage,
        "source": source,
        "branchId": _branch(rng, customer),
        "customerOrderNo": f"#{10000 + order_id}" if source == "Shopify" else None,
        "customFields": {"orders_1000": "Gift wrap"} if rng.random() < 0.1 else {},
        **customer,
        "productTotal": product_total,
        "total": round((product_total + freight) * GST[currency], 2),
        "freightTotal": freight,
        "freightDescription": "Standard courier" if freight else None,
        "dispatchedDate": format_date(dispatched_at) if dispatched_at else None,
        "trackingCode": _tracking(carrier, order_id) if carrier else None,
        "logisticsCarrier": carrier,
        "internalComments": "Customer asked about delivery time" if rng.random() < 0.05 else None,
        "estimatedDeliveryDate": (
            format_date(dispatched_at + timedelta(days=2)) if dispatched_at else None
        ),
        "lineItems": lines,
    }


def _line(
    rng: random.Random,
    state: Account,
    product: dict[str, Any],
    option: dict[str, Any],
    *,
    shipped: bool,
) -> dict[str, Any]:
    qty = rng.choice(QUANTITIES)
    line_id = state.next_line_id
    state.next_line_id += 1
    return {
        "id": line_id,
        "productId": product["id"],
        "productOptionId": option["id"],
        "code": option["code"],
        "name": product["name"],
        "option1": option["option1"],
        "option2": option["option2"],
        "option3": option["option3"],
        "barcode": option["barcode"],
        "sizeCodes": option["size"],
        "qty": qty,
        "qtyShipped": qty if shipped else 0,
        "unitPrice": retail_price(option),
        "stockControl": product["stockControl"],
        "stockMovements": _movements(rng, product, qty) if shipped else [],
    }


def _movements(rng: random.Random, product: dict[str, Any], qty: int) -> list[dict[str, Any]]:
    """What Cin7 recorded when a person dispatched batch or serial stock in Cin7 itself."""
    control = product["stockControl"]
    if control == "Serial":
        return [
            {"batch": None, "serial": f"SN{rng.randrange(10**8, 10**9)}", "quantity": 1}
            for _ in range(qty)
        ]
    if control == "Batch" and product["sizeRangeId"] is None:
        return [
            {
                "batch": f"B{rng.randrange(2601, 2612)}-{rng.randrange(10, 99)}",
                "serial": None,
                "quantity": qty,
            }
        ]
    return []


def _branch(rng: random.Random, customer: dict[str, Any]) -> int:
    """Sydney ships Australia; Christchurch mostly ships the South Island, Auckland the rest."""
    if customer["deliveryCountry"] == "Australia":
        return 3
    if (customer["deliveryPostalCode"] or "0")[0] in "789":
        return 2 if rng.random() < 0.8 else 1
    return 1 if rng.random() < 0.85 else 2


def _tracking(carrier: str, order_id: int) -> str:
    prefix = {"NZ Post": "NZP", "CourierPost": "CP", "Aramex": "AX", "Australia Post": "AP"}
    return f"{prefix[carrier]}{order_id:010d}"
