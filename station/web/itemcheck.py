"""Whether this bench verifies items: the packer's toggle, kept in the signed session cookie.

Off by default. The counts of the order being checked are not kept here but on the
order's bench hold (``station.dispatch.holds``): a cookie is re-sent with every response,
so a slower request started earlier could put back an older copy of the counts.
"""

from __future__ import annotations

from flask import session

ENABLED_KEY = "bench_verify_items"


def verifying() -> bool:
    """True when this bench verifies items for the next order it opens."""
    return bool(session.get(ENABLED_KEY))


def set_verifying(on: bool) -> None:
    """Turn item verification on or off for the orders this bench opens from now on."""
    session[ENABLED_KEY] = on
