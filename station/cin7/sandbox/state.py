"""The sandbox's in-memory Cin7 account: records, request log, limits and faults."""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from station.cin7.sandbox.demo import generate_orders
from station.cin7.sandbox.schema import TRACKING_CODE_MAX, cin7_now, format_date

API_PREFIX = "/api/v1/"


@dataclass(frozen=True, slots=True)
class Limits:
    """Cin7's per-account call limits the sandbox enforces with 429.

    Whether real Cin7 sends ``Retry-After`` with a 429 is unverified, so the sandbox's
    429s carry it only with ``retry_after=True`` (a client must cope without it).
    """

    per_second: int = 3
    per_minute: int = 60
    per_day: int = 5000
    retry_after: bool = False

    @classmethod
    def unlimited(cls) -> Limits:
        """Limits no test will reach."""
        return cls(per_second=1_000_000, per_minute=1_000_000, per_day=1_000_000_000)


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request the sandbox answered (rejected ones too); ``t`` is when the rate limits
    counted it (an API call) or when it was answered (anything else)."""

    t: float
    method: str
    path: str
    query: dict[str, str]
    status: int
    body: Any | None = None


@dataclass(frozen=True, slots=True)
class PlannedFault:
    """How the sandbox answers one API call: a status, a body that is not JSON, or a delay."""

    kind: Literal["status", "malformed", "slow"]
    status: int = 0
    retry_after: int | None = None
    seconds: float = 0.0


class Faults:
    """Failures tests switch on; planned ones apply to the next API calls, in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._planned: deque[PlannedFault] = deque()
        self._failing_items: dict[int, str] = {}
        self._random_rate = 0.0
        self._random_statuses: tuple[int, ...] = (429, 500)
        self._random_retry_after: int | None = None
        self._rng = random.Random(0)

    def fail_next(self, status: int, count: int = 1, retry_after: int | None = None) -> None:
        """Answer the next ``count`` API calls with ``status`` (429 bursts, 500s, 503s)."""
        if not 400 <= status <= 599:
            raise ValueError(f"a failure status is 4xx or 5xx, not {status}")
        self._plan(PlannedFault("status", status, retry_after), count)

    def malformed_next(self, count: int = 1) -> None:
        """Answer the next ``count`` API calls with 200 and a body that is not JSON."""
        self._plan(PlannedFault("malformed"), count)

    def slow_next(self, seconds: float, count: int = 1) -> None:
        """Delay the next ``count`` API calls by ``seconds`` before answering normally."""
        if seconds < 0:
            raise ValueError("a delay cannot be negative")
        self._plan(PlannedFault("slow", seconds=seconds), count)

    def fail_items(self, *order_ids: int, message: str = "Simulated Cin7 validation error") -> None:
        """Make these order ids fail inside batch PUTs (the other items succeed)."""
        with self._lock:
            self._failing_items.update({oid: message for oid in order_ids})

    def random(
        self,
        rate: float,
        statuses: Sequence[int] = (429, 500),
        seed: int = 0,
        retry_after: int | None = None,
    ) -> None:
        """Fail each API call with probability ``rate`` (deterministic RNG).

        The failures carry ``Retry-After`` only when ``retry_after`` is given.
        """
        if not 0.0 <= rate <= 1.0 or not statuses:
            raise ValueError("rate is between 0 and 1 and at least one status is needed")
        with self._lock:
            self._random_rate = rate
            self._random_statuses = tuple(statuses)
            self._random_retry_after = retry_after
            self._rng = random.Random(seed)

    def clear(self) -> None:
        """Switch every fault off."""
        with self._lock:
            self._planned.clear()
            self._failing_items.clear()
            self._random_rate = 0.0

    def next_fault(self) -> PlannedFault | None:
        """The fault for the API call being answered now, if any (planned ones first)."""
        with self._lock:
            if self._planned:
                return self._planned.popleft()
            if self._random_rate and self._rng.random() < self._random_rate:
                status = self._rng.choice(self._random_statuses)
                return PlannedFault("status", status, self._random_retry_after)
            return None

    def item_error(self, order_id: int) -> str | None:
        """The planned error for this order in a batch PUT, if any."""
        with self._lock:
            return self._failing_items.get(order_id)

    def _plan(self, fault: PlannedFault, count: int) -> None:
        if count < 0:
            raise ValueError("count cannot be negative")
        with self._lock:
            self._planned.extend([fault] * count)


@dataclass
class SandboxState:
    """A Cin7 account in memory; every change goes through ``lock``."""

    orders: dict[int, dict[str, Any]] = field(default_factory=dict)
    products: dict[int, dict[str, Any]] = field(default_factory=dict)
    stock: list[dict[str, Any]] = field(default_factory=list)
    branches: list[dict[str, Any]] = field(default_factory=list)
    requests: list[LoggedRequest] = field(default_factory=list)
    shopify_hits: list[dict[str, Any]] = field(default_factory=list)
    faults: Faults = field(default_factory=Faults)
    clock: Callable[[], float] = time.time
    lock: threading.RLock = field(default_factory=threading.RLock)
    next_order_id: int = 1001
    next_line_id: int = 50_001
    # Lists serve rows that tie on every ``order`` key in an order unrelated to id, as Cin7
    # may: a client that pages on modifiedDate alone then sees repeats and gaps.
    unordered_ties: bool = False

    def order_by_reference(self, reference: str) -> dict[str, Any] | None:
        """The order with this reference, if any."""
        with self.lock:
            return next((o for o in self.orders.values() if o.get("reference") == reference), None)

    def touch_order(self, order_id: int, **changes: Any) -> dict[str, Any]:
        """Apply camelCase ``changes`` to an order and move its ``modifiedDate`` to now.

        Raises KeyError for an unknown order. Nothing is validated: this is how a test
        plays a person editing the order in Cin7.
        """
        with self.lock:
            order = self.orders[order_id]
            order.update(changes)
            order["modifiedDate"] = cin7_now(self.clock)
            return order

    def dispatch_order(
        self,
        order_id: int,
        *,
        tracking_code: str,
        carrier: str,
        dispatched: datetime | None = None,
    ) -> dict[str, Any]:
        """Dispatch an order as the warehouse would in Cin7, with its tracking code and carrier.

        The stage becomes Dispatched, ``dispatchedDate`` is ``dispatched`` (default: the
        clock), every line is shipped in full and ``modifiedDate`` moves to now. Raises
        KeyError for an unknown order and ValueError for a tracking code longer than Cin7
        keeps.
        """
        if len(tracking_code) > TRACKING_CODE_MAX:
            raise ValueError(f"trackingCode must be at most {TRACKING_CODE_MAX} characters")
        with self.lock:
            order = self.orders[order_id]
            for line in order.get("lineItems") or []:
                line["qtyShipped"] = line.get("qty", 0)
            return self.touch_order(
                order_id,
                stage="Dispatched",
                dispatchedDate=format_date(dispatched) if dispatched else cin7_now(self.clock),
                trackingCode=tracking_code,
                logisticsCarrier=carrier,
            )

    def add_orders(self, n: int, *, seed: int = 99, start: datetime | None = None) -> list[int]:
        """Generate ``n`` more realistic orders (products and branches are added if missing)."""
        with self.lock:
            return generate_orders(self, n, seed=seed, start=start)

    def api_calls(self, since: float | None = None) -> list[LoggedRequest]:
        """The logged requests to ``/api/v1`` (optionally only those at or after ``since``)."""
        with self.lock:
            return [
                r
                for r in self.requests
                if r.path.startswith(API_PREFIX) and (since is None or r.t >= since)
            ]

    def log(self, entry: LoggedRequest) -> None:
        """Record one answered request."""
        with self.lock:
            self.requests.append(entry)
