"""The Cin7 Omni v1 client: httpx, paced by a shared limiter, retried with backoff.

Every HTTP attempt first takes a slot from the install's :class:`RateLimiter` and settles
it with the reply (the limiter counts the call as made until then). 429, 500, 502, 503,
504, timeouts and connection errors are retried (tenacity) with exponential backoff and
jitter, honouring ``Retry-After``; 400/401/403/404 are not retried, nor a host name that
does not exist (a mistyped address; a lookup that could not be made is retried). A POST (create) is
retried only when Cin7 cannot have acted on it (429, no connection), so a retry never
creates an order twice.

A caller that must not act past some moment (a job) passes a :class:`Deadline` (per call,
or for every call of the client): no attempt, first or retry, starts after it, and it
rather than ``total_wait`` bounds the waiting. For such a caller a 429 is not a failure
but the account's budget, shared with every other app on it, being spent for now: it does
not use up the attempts, and the waits after it grow from a second to a whole minute
window (``throttled_max_wait``) until the call gets through or the deadline comes. A call
without a deadline (a person's click) treats 429s as failed attempts, so it answers in
seconds. Replies are checked and mapped to typed values; failures surface as the
``Cin7Error`` tree.
"""

from __future__ import annotations

import functools
import json
import logging
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type
from tenacity.wait import wait_exponential, wait_random

from station.cin7 import mapping
from station.cin7.errors import (
    Cin7BadResponse,
    Cin7Error,
    Cin7Unavailable,
    after_failed,
    error_for_status,
)
from station.cin7.ratelimit import CallSlot, RateLimiter
from station.cin7.types import (
    Branch,
    ItemResult,
    Product,
    ProductOption,
    SalesOrder,
    StockRow,
)
from station.sitetime import SECONDS, said
from station.version import __version__

log = logging.getLogger(__name__)

MAX_ROWS = 250  # Cin7's largest page and largest batch
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
Sleep = Callable[[float], None]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try before giving up on a call."""

    attempts: int = 5  # attempts that failed (with a deadline, 429s do not count)
    base_wait: float = 0.5  # seconds; doubles each attempt, plus up to this much jitter
    max_wait: float = 30.0  # longest single wait; a longer Retry-After ends the retries
    # Most time spent waiting between the attempts of one call without a deadline (a
    # person's click); with a deadline (a job), the deadline bounds the waiting instead.
    total_wait: float = 120.0
    # Longest single wait after a 429 in a call with a deadline: Cin7's minute window,
    # plus jitter so that Station's workers do not all come back at once. Waits after 429s
    # without a Retry-After go 1, 2, 4, ... 64 s, then stay at about a minute.
    throttled_max_wait: float = 70.0
    throttled_first_wait: float = 1.0  # no Retry-After: at least until the next second window


# A person pressed a button and watches the page (Test connection, List branches): one
# retry, then the answer, rather than five attempts and up to 7.5 s of waiting.
A_PERSON_WAITS = RetryPolicy(attempts=2, total_wait=2.0)


@dataclass(frozen=True, slots=True)
class Deadline:
    """The last moment a call may start an attempt (its first or a retry), on the caller's clock.

    A caller whose right to act ends at some time (a claim another run may then take
    over) passes that time less the longest one attempt can take: the rate limiter's
    wait plus the HTTP timeout.
    """

    at: datetime
    clock: Callable[[], datetime]

    def seconds_left(self) -> float:
        """Seconds until the deadline (negative once it has passed)."""
        return (self.at - self.clock()).total_seconds()


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One HTTP attempt, for counting calls per day and 429s."""

    method: str
    path: str
    status: int | None
    seconds: float
    attempt: int
    error: str | None


@dataclass(frozen=True, slots=True)
class WebAnswer:
    """What a web URL (not the API) answered: its status, and where a redirect pointed."""

    status: int
    location: str | None = None


class _Transient(Exception):
    """A failure worth another attempt; ``error`` is what the caller gets if none succeeds."""

    def __init__(
        self, error: Cin7Error, *, retry_after: float | None = None, throttled: bool = False
    ) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after
        self.throttled = throttled


@functools.cache
def _tls() -> ssl.SSLContext:
    """The verifying TLS context every client shares: loading the CA bundle takes 20-80 ms."""
    return httpx.create_ssl_context()


class Cin7Client:
    """Talks to one Cin7 account (or a Cin7-compatible server such as the sandbox).

    ``http`` has the Cin7 base URL (everything before ``/v1/``) and the Basic auth set;
    ``web`` (no auth) fetches the Shopify trigger URL. ``calls_made`` counts HTTP attempts.
    """

    def __init__(
        self,
        http: httpx.Client,
        *,
        limiter: RateLimiter,
        retry: RetryPolicy = RetryPolicy(),
        observer: Callable[[CallRecord], None] | None = None,
        sleep: Sleep = time.sleep,
        web: httpx.Client | None = None,
        deadline: Deadline | None = None,
    ) -> None:
        self._http = http
        self._deadline = deadline
        self._web = web or httpx.Client(
            timeout=http.timeout, headers={"User-Agent": _agent()}, verify=_tls()
        )
        self._limiter = limiter
        self._retry = retry
        self._observer = observer
        self._sleep = sleep
        self.calls_made = 0

    @classmethod
    def connect(
        cls,
        base_url: str,
        username: str,
        api_key: str,
        *,
        limiter: RateLimiter,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        observer: Callable[[CallRecord], None] | None = None,
        retry: RetryPolicy = RetryPolicy(),
        event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
        sleep: Sleep = time.sleep,
        deadline: Deadline | None = None,
    ) -> Cin7Client:
        """A client for ``base_url`` (everything before ``/v1/``) with Basic auth.

        ``deadline`` applies to every call (a job's time): none starts or retries after it.
        """
        http = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            auth=httpx.BasicAuth(username, api_key),
            headers={"Accept": "application/json", "User-Agent": _agent()},
            timeout=timeout,
            transport=transport,
            event_hooks=dict(event_hooks or {}),
            verify=_tls(),
        )
        web = httpx.Client(
            timeout=timeout, transport=transport, headers={"User-Agent": _agent()}, verify=_tls()
        )
        return cls(
            http,
            limiter=limiter,
            retry=retry,
            observer=observer,
            sleep=sleep,
            web=web,
            deadline=deadline,
        )

    @property
    def host(self) -> str:
        """The host this client calls, for messages."""
        return self._http.base_url.host

    def close(self) -> None:
        """Close the HTTP connection pools."""
        self._http.close()
        self._web.close()

    def __enter__(self) -> Cin7Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Reads ---------------------------------------------------------------------------

    def list_page(
        self,
        resource: str,
        *,
        page: int = 1,
        rows: int = MAX_ROWS,
        where: str | None = None,
        order: str | None = None,
        fields: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """One page of ``GET v1/<resource>``: a list of JSON objects (empty past the end).

        ``rows`` is capped at 250. Raises Cin7BadResponse unless Cin7 sends a JSON array
        of objects.
        """
        params: dict[str, str | int] = {"page": max(1, page), "rows": _rows(rows)}
        if where:
            params["where"] = where
        if order:
            params["order"] = order
        if fields:
            params["fields"] = ",".join(fields)
        body = self._call("GET", f"v1/{resource}", params=params)
        if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
            raise Cin7BadResponse(
                f"Cin7 answered GET v1/{resource} with something other than a list of "
                f"records ({mapping.json_kind(body)})"
            )
        return body

    def iter_pages(
        self,
        resource: str,
        *,
        where: str | None = None,
        order: str | None = None,
        rows: int = MAX_ROWS,
        fields: Sequence[str] | None = None,
        expected_total: int | None = None,
        max_pages: int = 10_000,
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages 1, 2, ... of ``GET v1/<resource>``, each non-empty, until the list ends.

        The list ends at the first page shorter than ``rows`` (capped at 250). Cin7 gives
        no total, so a list that is an exact multiple of ``rows`` long costs one more call
        that answers ``[]``; a caller that knows how many records to expect passes
        ``expected_total`` and paging stops once that many have come (1,000 records at 250
        rows: exactly 4 calls). Page numbers shift when records change while paging: for
        a sync, page by a ``where`` on ``modifiedDate`` instead. Raises Cin7BadResponse
        when ``max_pages`` full pages came back or a page repeats the previous one (a
        server ignoring ``page``).
        """
        size = _rows(rows)
        seen = 0
        previous: list[dict[str, Any]] | None = None
        for number in range(1, max_pages + 1):
            page = self.list_page(
                resource, page=number, rows=size, where=where, order=order, fields=fields
            )
            if page and page == previous:
                raise Cin7BadResponse(
                    f"Cin7 answered page {number} of v1/{resource} with page {number - 1} "
                    "again; stopped paging."
                )
            if page:
                yield page
            seen += len(page)
            if len(page) < size or (expected_total is not None and seen >= expected_total):
                return
            previous = page
        raise Cin7BadResponse(
            f"Cin7 kept sending full pages of v1/{resource} past page {max_pages}; stopped "
            "paging. Narrow the filter or raise max_pages."
        )

    def sales_orders(
        self,
        *,
        where: str | None = None,
        order: str | None = "modifiedDate ASC",
        rows: int = MAX_ROWS,
        page: int = 1,
    ) -> list[SalesOrder]:
        """One page of sales orders."""
        items = self.list_page("SalesOrders", page=page, rows=rows, where=where, order=order)
        return [mapping.sales_order_from_json(item) for item in items]

    def sales_order(self, order_id: int) -> SalesOrder | None:
        """One sales order by Cin7 id, or None when Cin7 has none (404 or a null body)."""
        body = self._call("GET", f"v1/SalesOrders/{int(order_id)}", missing_ok=True)
        return None if body is None else mapping.sales_order_from_json(body)

    def products(
        self, *, where: str | None = None, rows: int = MAX_ROWS, page: int = 1
    ) -> list[Product]:
        """One page of products with their options."""
        items = self.list_page("Products", page=page, rows=rows, where=where, order="id ASC")
        return [mapping.product_from_json(item) for item in items]

    def product_options(
        self, *, where: str | None = None, rows: int = MAX_ROWS, page: int = 1
    ) -> list[ProductOption]:
        """One page of product options (SKUs), e.g. ``where="code IN ('A','B')"``."""
        items = self.list_page("ProductOptions", page=page, rows=rows, where=where, order="id ASC")
        return [mapping.product_option_from_json(item) for item in items]

    def stock(
        self, *, where: str | None = None, rows: int = MAX_ROWS, page: int = 1
    ) -> list[StockRow]:
        """One page of stock rows (one per option per branch)."""
        items = self.list_page("Stock", page=page, rows=rows, where=where)
        return [mapping.stock_row_from_json(item) for item in items]

    def branches(self, *, rows: int = MAX_ROWS, page: int = 1) -> list[Branch]:
        """One page of branches."""
        items = self.list_page("Branches", page=page, rows=rows, order="id ASC")
        return [mapping.branch_from_json(item) for item in items]

    # Writes --------------------------------------------------------------------------

    def update_sales_orders(self, items: Sequence[Mapping[str, Any]]) -> list[ItemResult]:
        """PUT changes to many orders (250 per call); one result per item, in order.

        Read every result: Cin7 answers 200 even when some items failed.
        """
        return self._batch("PUT", items)

    def create_sales_orders(
        self, items: Sequence[Mapping[str, Any]], *, deadline: Deadline | None = None
    ) -> list[ItemResult]:
        """POST new orders (250 per call); one result per item, in order.

        Not retried once Cin7 may have acted on it: a 5xx or read timeout raises
        Cin7Unavailable saying so, and the caller checks Cin7 before sending again. No
        attempt starts after ``deadline``: the error of the last attempt is raised instead
        (Cin7Unavailable when none was made).
        """
        return self._batch("POST", items, deadline=deadline)

    def _batch(
        self,
        method: str,
        items: Sequence[Mapping[str, Any]],
        *,
        deadline: Deadline | None = None,
    ) -> list[ItemResult]:
        results: list[ItemResult] = []
        for start in range(0, len(items), MAX_ROWS):
            chunk = [dict(item) for item in items[start : start + MAX_ROWS]]
            body = self._call(method, "v1/SalesOrders", json_body=chunk, deadline=deadline)
            chunk_results = mapping.item_results_from_json(body, len(chunk))
            results += [replace(r, index=start + r.index) for r in chunk_results]
        return results

    def get_url(self, url: str) -> WebAnswer:
        """GET an absolute web URL (the Shopify trigger): its HTTP status and any redirect.

        No Basic auth, no pacing, not counted, not retried (the outbox retries), redirects
        not followed (a 3xx comes back as it is, with its ``Location``). Raises
        Cin7Unavailable when the host cannot be reached in time.
        """
        target = httpx.URL(url)
        if not target.is_absolute_url:
            raise ValueError("the Shopify trigger URL must be absolute (https://...)")
        try:
            response = self._web.get(target, follow_redirects=False)
        except httpx.TransportError as exc:
            raise Cin7Unavailable(  # the outbox says whether it is tried again
                f"Could not reach {target.host} for the Shopify trigger ({type(exc).__name__})."
            ) from exc
        log.info("shopify trigger %s%s -> %s", target.host, target.path, response.status_code)
        return WebAnswer(response.status_code, response.headers.get("Location"))

    # The one place API calls happen --------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        missing_ok: bool = False,
        deadline: Deadline | None = None,
    ) -> Any:
        deadline = _earlier(deadline, self._deadline)
        if deadline is not None and deadline.seconds_left() < 0:
            raise Cin7Unavailable(
                f"Station did not call {method} {path}: it had to start by "
                f"{said(deadline.at, SECONDS)}, and that time has passed."
            )
        tally = _Tally(waits_out=deadline is not None)
        retrying = Retrying(
            stop=lambda state: self._stop(state, deadline, tally),
            wait=lambda state: self._wait(state, tally),
            retry=retry_if_exception_type(_Transient),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    number = attempt.retry_state.attempt_number
                    return self._attempt(method, path, params, json_body, missing_ok, number, tally)
        except _Transient as exc:
            raise exc.error from exc.__cause__
        raise AssertionError("unreachable: tenacity either returns or raises")

    def _stop(self, state: RetryCallState, deadline: Deadline | None, tally: _Tally) -> bool:
        """Stop after the last failed attempt (with a deadline, 429s aside), before a wait
        longer than allowed, or when the next attempt would start after the caller's
        deadline (without one: past the total wait)."""
        spared = tally.throttled if tally.waits_out else 0
        if state.attempt_number - spared >= self._retry.attempts:
            return True
        if state.upcoming_sleep > self._longest(state, tally):
            return True  # Cin7 asked for a longer pause than one call may wait
        if deadline is not None:
            return deadline.seconds_left() < state.upcoming_sleep
        return state.idle_for + state.upcoming_sleep > self._retry.total_wait

    def _longest(self, state: RetryCallState, tally: _Tally) -> float:
        """The longest single wait allowed now: a minute window after a 429 in a call with
        a deadline, else ``max_wait``."""
        if tally.waits_out and _throttled(state):
            return self._retry.throttled_max_wait
        return self._retry.max_wait

    def _wait(self, state: RetryCallState, tally: _Tally) -> float:
        """Cin7's Retry-After when given; else exponential backoff with jitter, from a
        second after a 429 (up to a minute window in a call with a deadline)."""
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Transient) and exc.retry_after is not None:
            return exc.retry_after
        policy = self._retry
        if _throttled(state):
            longest = self._longest(state, tally)
            first = policy.throttled_first_wait
            # Doubling from the first wait; the jitter keeps apart the waits of workers
            # throttled together.
            backoff = wait_exponential(multiplier=first, min=first, max=longest) + wait_random(
                0, first
            )
            return min(backoff(state), longest)
        base = policy.base_wait
        backoff = wait_exponential(multiplier=base, max=policy.max_wait) + wait_random(0, base)
        return min(backoff(state), policy.max_wait)

    def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
        missing_ok: bool,
        number: int,
        tally: _Tally,
    ) -> Any:
        slot = self._limiter.acquire()
        self.calls_made += 1
        started = time.perf_counter()
        try:
            response = self._http.request(method, path, params=params, json=json_body)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:  # never reached Cin7
            self._observe(method, path, None, started, number, type(exc).__name__)
            host = self._http.base_url.host
            if _no_such_host(exc):  # asking again gets the same answer
                raise Cin7Unavailable(
                    f"Cannot reach Cin7 at {host}: no host has that name. "
                    "Check the API address in Settings → Cin7."
                ) from exc
            raise _Transient(Cin7Unavailable(f"Cannot reach Cin7 at {host}: {exc}")) from exc
        except httpx.TransportError as exc:  # the request may have reached Cin7
            self._observe(method, path, None, started, number, type(exc).__name__)
            what = "did not answer in time" if isinstance(exc, httpx.TimeoutException) else "failed"
            error = Cin7Unavailable(f"Cin7 {what} for {method} {path}{after_failed(method)}.")
            if method == "POST":
                raise error from exc
            raise _Transient(error) from exc
        finally:
            self._settle(slot)  # whatever came back, Cin7 can count the call no later
        self._observe(method, path, response.status_code, started, number, None)
        if response.status_code == 429:
            tally.throttled += 1
        return self._read(response, method, path, missing_ok)

    def _settle(self, slot: CallSlot) -> None:
        """Tell the limiter the call has its reply; the call itself never fails for it."""
        try:
            self._limiter.settle(slot)
        except Exception as exc:  # a lost Redis or database: the slot then expires by itself
            log.warning("could not settle a Cin7 call slot: %s", exc)

    def _read(self, response: httpx.Response, method: str, path: str, missing_ok: bool) -> Any:
        status = response.status_code
        if status == 404 and missing_ok:
            return None
        if status >= 400:
            header = response.headers.get("Retry-After")
            after = mapping.parse_retry_after(header, now=datetime.now(UTC))
            detail = mapping.error_detail(response.text)
            error = error_for_status(
                status, method=method, path=path, detail=detail, retry_after=after
            )
            # A refused call (429) was not acted on; a failed one may have been (not a POST).
            if status == 429 or (status in RETRIED_STATUSES and method != "POST"):
                raise _Transient(error, retry_after=after, throttled=status == 429)
            raise error
        if not response.content.strip():
            return None
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise Cin7BadResponse(
                f"Cin7 answered {method} {path} with malformed JSON "
                f"({len(response.content)} bytes of {_content_type(response)})"
            ) from None

    def _observe(
        self,
        method: str,
        path: str,
        status: int | None,
        started: float,
        attempt: int,
        error: str | None,
    ) -> None:
        record = CallRecord(method, path, status, time.perf_counter() - started, attempt, error)
        log.debug(
            "cin7 %s %s -> %s (%.3f s, attempt %d)",
            method,
            path,
            status or error,
            record.seconds,
            attempt,
        )
        if self._observer is not None:
            self._observer(record)


class _Tally:
    """What one call's attempts met so far. With a deadline (``waits_out``), 429s do not
    use up its attempts."""

    def __init__(self, *, waits_out: bool) -> None:
        self.waits_out = waits_out
        self.throttled = 0


# The resolver's answer that the name does not exist, as opposed to a lookup that failed.
_NO_SUCH_NAME = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}


def _no_such_host(exc: BaseException) -> bool:
    """Whether a connection failed because the host's name does not exist."""
    cause: BaseException | None = exc
    for _ in range(8):  # httpx's error, httpcore's, then the resolver's
        if cause is None:
            return False
        if isinstance(cause, socket.gaierror):
            return cause.errno in _NO_SUCH_NAME
        cause = cause.__cause__ or cause.__context__
    return False


def _throttled(state: RetryCallState) -> bool:
    """Whether the attempt just made was refused with 429."""
    exc = state.outcome.exception() if state.outcome else None
    return isinstance(exc, _Transient) and exc.throttled


def _earlier(a: Deadline | None, b: Deadline | None) -> Deadline | None:
    """The deadline that comes first (either may be None)."""
    if a is None or b is None:
        return a or b
    return a if a.seconds_left() <= b.seconds_left() else b


def _content_type(response: httpx.Response) -> str:
    """The answer's media type, for a message that must not quote the answer itself."""
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return kind[:60] if kind.isprintable() and kind else "an unnamed type"


def _agent() -> str:
    return f"Station/{__version__}"


def _rows(rows: int) -> int:
    return max(1, min(rows, MAX_ROWS))
