"""What the demo data needs of a sandbox account: its records, clock, lock and next ids.

``demo`` and ``catalogue`` fill any such account; ``state.SandboxState`` is the one the
sandbox serves. Naming the shape here lets ``SandboxState.add_orders`` use the demo data
without the demo data importing the state back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol


class Account(Protocol):
    """A Cin7 account in memory, as the demo data fills it (every change under ``lock``)."""

    orders: dict[int, dict[str, Any]]
    products: dict[int, dict[str, Any]]
    stock: list[dict[str, Any]]
    branches: list[dict[str, Any]]
    clock: Callable[[], float]
    lock: threading.RLock
    next_order_id: int
    next_line_id: int
