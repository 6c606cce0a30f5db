"""Packing benches driven over HTTP: each a thread with its own packer, printer and listener.

Each bench's browser signs in as its packer and chooses its printer once, before the
rounds (:func:`signed_in_benches`), and stays signed in across them, as a packer does
for a shift: a sign-in's deliberately slow password check is not a shipped order's cost.
In a round, each bench waits for the others, then for each of its orders: scan → Enter →
wait until the label's bytes reach its TCP listener. The time from the scan to the bytes
is one sample. Every wait has a deadline; a failed step is recorded and the bench goes on
with its next order.

A round runs flat out (each bench scans its next order as soon as the last label is
out: a stress test, far beyond a person's pace) or paced: each bench starts an order
every ``pace_s`` seconds on average (±30 %, seeded), from a random offset, as packers
who weigh and box between scans would. A bench that falls behind starts at once.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from benchmarks.stats import percentiles

PASSWORD = "bench password"
LABEL_TIMEOUT_S = 30.0
ROUND_DEADLINE_S = 150.0  # after this a bench starts no more orders (counted as not started)
HTTP_TIMEOUT_S = 60.0
KEY = re.compile(r'name="key" value="([^"]+)"')
ORDER_ID = re.compile(r'name="order_id" value="(\d+)"')


PACE_JITTER = 0.3  # a paced bench's gaps vary by this fraction either way
# A paced bench ships an order every 3 s: 1,200 an hour, several times what a person packs.
PACKER_PACE_S = 3.0


@dataclass(frozen=True, slots=True)
class Round:
    """``benches`` at once, each shipping ``orders_each``; paced every ``pace_s`` s (0: flat out).

    Each order goes out in ``parcels`` parcels (one consignment, a label per parcel).
    """

    benches: int
    orders_each: int
    pace_s: float = 0.0
    parcels: int = 1

    @property
    def name(self) -> str:
        """The round's key in the report: ``1_bench``, ``8_benches_paced_3s``, ``1_bench_3_parcels``."""
        name = "1_bench" if self.benches == 1 else f"{self.benches}_benches"
        name = f"{name}_paced_{self.pace_s:g}s" if self.pace_s else name
        return f"{name}_{self.parcels}_parcels" if self.parcels > 1 else name


def add_benches(session: Any, ports: Sequence[int]) -> list[int]:
    """Add a packer (``packer<n>``) and a Zebra on 127.0.0.1:``ports[n]`` per bench; printer ids."""
    from station.accounts import create_user
    from station.models import Printer, Role

    printers = []
    for n, port in enumerate(ports):
        create_user(session, f"packer{n}", PASSWORD, role=Role.PACKER)
        printer = Printer(
            name=f"Zebra {n}",
            bench=f"Bench {n}",
            spec={
                "format": "zpl",
                "transport": "tcp9100",
                "host": "127.0.0.1",
                "port": port,
                "check_status": False,
            },
        )
        session.add(printer)
        printers.append(printer)
    session.commit()
    return [printer.id for printer in printers]


@dataclass
class BenchRun:
    """What a round of benches did: a sample per shipped order, and what went wrong."""

    benches: int
    orders: int
    pace_s: float = 0.0
    timings_ms: list[float] = field(default_factory=list)
    after_enter_ms: list[float] = field(default_factory=list)  # Enter answered → label bytes
    wall_s: float = 0.0
    http_5xx: int = 0
    errors: list[str] = field(default_factory=list)
    not_started: int = 0

    def figures(self) -> dict[str, Any]:
        """The round's latency percentiles, throughput and failures, for the report."""
        return {
            "benches": self.benches,
            "orders": self.orders,
            "pace_s": self.pace_s or None,
            "scan_to_label_bytes": percentiles(self.timings_ms),
            "enter_answered_to_label_bytes": percentiles(self.after_enter_ms),
            "orders_per_minute": round(len(self.timings_ms) / self.wall_s * 60, 1)
            if self.wall_s
            else None,
            "http_5xx": self.http_5xx,
            "failed_orders": len(self.errors),
            "not_started": self.not_started,
            "errors": self.errors[:5],
        }


@contextmanager
def signed_in_benches(base_url: str, printer_ids: Sequence[int]) -> Iterator[list[Browser]]:
    """A browser per printer, bench n signed in as ``packer<n>`` with ``printer_ids[n]`` chosen.

    Raises ``RuntimeError`` when a bench cannot sign in or choose its printer. The
    browsers' connections are closed on leaving.
    """
    browsers: list[Browser] = []
    try:
        for n, printer_id in enumerate(printer_ids):
            browser = Browser(base_url)
            browsers.append(browser)
            steps = (
                ("/login", {"username": f"packer{n}", "password": PASSWORD}),
                ("/bench/printer", {"printer_id": str(printer_id)}),
            )
            for path, form in steps:
                try:
                    browser.post(path, dict(form))
                except _HttpFailed as exc:
                    raise RuntimeError(f"bench {n} could not sign in: {exc}") from exc
        yield browsers
    finally:
        for browser in browsers:
            browser.close()


def drive_benches(
    browsers: Sequence[Browser],
    listeners: Sequence[Any],
    references: Sequence[Sequence[str]],
    *,
    pace_s: float = 0.0,
    parcels: int = 1,
    label_timeout: float = LABEL_TIMEOUT_S,
    deadline: float = ROUND_DEADLINE_S,
    seed: int = 7,
) -> BenchRun:
    """Run one bench per entry of ``references`` at once, bench n shipping ``references[n]``.

    Bench n ships in ``browsers[n]`` (signed in, see :func:`signed_in_benches`) on its
    printer, whose bytes arrive at ``listeners[n]`` (labels already there from earlier
    rounds are not counted).
    With ``pace_s`` each bench starts an order that often (see the module's note). Each
    order is ``parcels`` parcels: its sample ends when the last of its labels arrived. A
    label later than ``label_timeout`` seconds fails its order; ``deadline`` seconds
    after the start no bench begins another order.
    """
    run = BenchRun(benches=len(references), orders=sum(len(r) for r in references), pace_s=pace_s)
    lock = threading.Lock()
    start = threading.Barrier(len(references))

    def bench(n: int) -> None:
        session = _Tallied(browsers[n], run, lock)
        try:
            already = len(listeners[n].jobs)
            start.wait(timeout=HTTP_TIMEOUT_S)
            stop_at = time.perf_counter() + deadline
            starts = start_times(time.perf_counter(), len(references[n]), pace_s, seed=seed + n)
            for i, reference in enumerate(references[n]):
                time.sleep(max(0.0, starts[i] - time.perf_counter()))
                began = time.perf_counter()
                if began > stop_at:
                    with lock:
                        run.not_started += len(references[n]) - i
                    break
                labels = already + (i + 1) * parcels
                shipped = _ship(session, reference, listeners[n], labels, parcels, label_timeout)
                done = time.perf_counter()
                with lock:
                    if isinstance(shipped, str):
                        run.errors.append(f"{reference}: {shipped}")
                    else:
                        run.timings_ms.append((done - began) * 1000)
                        run.after_enter_ms.append((done - shipped) * 1000)
        except (threading.BrokenBarrierError, _HttpFailed) as exc:
            with lock:
                run.errors.append(f"bench {n} stopped: {exc or 'another bench failed'}")
            start.abort()

    threads = [threading.Thread(target=bench, args=(n,)) for n in range(len(references))]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.wall_s = time.perf_counter() - began
    return run


def start_times(now: float, count: int, pace_s: float, *, seed: int) -> list[float]:
    """When a bench may start each of its ``count`` orders: all now, or paced from an offset."""
    if not pace_s:
        return [now] * count
    jitter = random.Random(seed)
    at = now + jitter.uniform(0, pace_s)
    starts = []
    for _ in range(count):
        starts.append(at)
        at += pace_s * jitter.uniform(1 - PACE_JITTER, 1 + PACE_JITTER)
    return starts


def _ship(
    session: _Tallied, reference: str, listener: Any, labels: int, parcels: int, timeout: float
) -> float | str:
    """Scan, Enter ``parcels`` parcel rows, wait for the ``labels``-th label.

    When Enter was answered, or what went wrong.
    """
    try:
        page = session.post("/bench/scan", {"scan": reference})
        key, order_id = KEY.search(page), ORDER_ID.search(page)
        if not key or not order_id:
            return "the scan showed no ship form"
        session.post(
            "/bench/ship",
            {
                "order_id": order_id.group(1),
                "key": key.group(1),
                "weight": ["1.2"] * parcels,
                "service": "ownlabel:ON",
            },
        )
        answered = time.perf_counter()
        listener.wait_for_jobs(labels, timeout=timeout)
    except (_HttpFailed, TimeoutError) as exc:
        return str(exc)
    return answered


class _HttpFailed(Exception):
    """A bench request got no answer (``status`` None) or a 4xx/5xx."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Browser:
    """One bench's browser: a cookie jar kept from its sign-in on."""

    def __init__(self, base_url: str) -> None:
        import httpx

        self._http = httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT_S)
        self._errors: tuple[type[Exception], ...] = (httpx.HTTPError,)

    def post(self, path: str, data: dict[str, str | list[str]]) -> str:
        """POST a form; the page, or _HttpFailed for no answer or a 4xx/5xx."""
        try:
            response = self._http.post(path, data=data)
        except self._errors as exc:
            raise _HttpFailed(f"POST {path}: {type(exc).__name__} {exc}") from exc
        if response.status_code >= 400:
            raise _HttpFailed(f"POST {path}: HTTP {response.status_code}", response.status_code)
        return response.text

    def close(self) -> None:
        """Close the connections."""
        self._http.close()


class _Tallied:
    """A browser in a round: each 5xx answer is counted in ``run`` and fails the step."""

    def __init__(self, browser: Browser, run: BenchRun, lock: threading.Lock) -> None:
        self._browser, self._run, self._lock = browser, run, lock

    def post(self, path: str, data: dict[str, str | list[str]]) -> str:
        """POST a form; the page, or _HttpFailed for no answer or a 4xx/5xx."""
        try:
            return self._browser.post(path, data)
        except _HttpFailed as exc:
            if exc.status is not None and exc.status >= 500:
                with self._lock:
                    self._run.http_5xx += 1
            raise
