"""The bench's item check between requests, kept in the signed session cookie.

Whether this bench verifies items (the packer's toggle, off by default), and the counts of
the one order being checked. The cookie is signed, so the counts the server reads back
are the ones it wrote; the server checks them against the order again at ship time.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import session

ENABLED_KEY = "bench_verify_items"
COUNTS_KEY = "bench_item_counts"


def verifying() -> bool:
    """True when this bench verifies items for the next order it opens."""
    return bool(session.get(ENABLED_KEY))


def set_verifying(on: bool) -> None:
    """Turn item verification on or off for the orders this bench opens from now on."""
    session[ENABLED_KEY] = on


def begin(order_id: int) -> None:
    """Start counting the items of ``order_id`` from nothing (any earlier count is dropped)."""
    save(order_id, {})


def forget() -> None:
    """No order is being checked at this bench."""
    session.pop(COUNTS_KEY, None)


def counts_for(order_id: int) -> dict[int, int] | None:
    """Scans so far by line id, or None when ``order_id`` is not being checked here."""
    saved = session.get(COUNTS_KEY)
    if not saved or saved.get("order_id") != order_id:
        return None
    return {int(line_id): int(count) for line_id, count in saved["counts"].items()}


def save(order_id: int, counts: Mapping[int, int]) -> None:
    """Keep the counts of ``order_id`` for the next scan."""
    session[COUNTS_KEY] = {
        "order_id": order_id,
        "counts": {str(line_id): count for line_id, count in counts.items()},
    }
