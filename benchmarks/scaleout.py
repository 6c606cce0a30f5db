"""Scale-out: the bench over HTTP on PostgreSQL + Redis, gunicorn and two job workers.

Station as production runs it, every part its own process on loopback: gunicorn with
``GUNICORN_WORKERS`` sync workers, two ``station worker`` processes (two threads each)
consuming a Redis queue, a fresh PostgreSQL database, and the Cin7 sandbox
(``station sandbox``, Cin7's limits on). The bench process syncs the sandbox's orders
once, then drives 1, 8 and 32 benches at once (benchmarks.driver), each with its own packer
and its own TCP listener standing in for its Zebra. The Enter request sends the label
itself (recorded and claimed first, as the queue does) and leaves the Cin7 write-backs
to the job workers; 8 benches run once flat out and once at a packer's pace
(``PACKER_PACE_S``).

After the rounds it waits (bounded) for the workers to deliver every Cin7 write-back,
then checks that each order shipped once: one consignment, one label, one Dispatched
update and one freight push in the sandbox's request log. Both workers run with
``--no-periodic`` so the Cin7 calls counted are the write-backs; the bench asks for a
delivery pass every ``NUDGE_S`` seconds while items remain, as the once-a-minute
periodic pass would. Peak RSS per process is read from ``/proc/<pid>/status``.
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from benchmarks.config import LOOPBACK
from benchmarks.cpu import per_order_ms, read_cpu, service_roots, wait_until_idle
from benchmarks.driver import (
    PACKER_PACE_S,
    Round,
    add_benches,
    drive_benches,
    signed_in_benches,
)
from benchmarks.processes import (
    Children,
    child_pids,
    free_port,
    peak_rss_mb,
    station_command,
    station_env,
    wait_until,
)
from benchmarks.services import (
    REDIS_URL,
    ServiceMissing,
    fresh_postgres,
    redis_namespace,
    require_services,
)
from benchmarks.tally import open_outbox_items, tally_cin7

ROUNDS: tuple[Round, ...] = (
    Round(1, 20),
    Round(8, 15),
    Round(8, 12, pace_s=PACKER_PACE_S),
    Round(32, 5),
)
GUNICORN_WORKERS = 4
STATION_WORKERS = 2
THREADS_PER_WORKER = 2
START_TIMEOUT_S = 60.0
WRITEBACK_DEADLINE_S = 120.0
NUDGE_S = 5.0


def scale_out() -> dict[str, Any]:
    """1, 8 and 32 benches at once on PostgreSQL + Redis, gunicorn and two job workers."""
    return run_scale_out(ROUNDS)


def run_scale_out(rounds: Sequence[Round]) -> dict[str, Any]:
    """Run ``rounds`` one after another; figures, or why it was skipped."""
    from printers.testing import ZebraListener

    try:
        require_services()
    except ServiceMissing as exc:
        print(f"  skipped: {exc}", flush=True)
        return {"skipped": str(exc)}
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="station-bench-")))
        database_url = stack.enter_context(fresh_postgres())
        prefix = stack.enter_context(redis_namespace())
        most = max(each.benches for each in rounds)
        listeners = [stack.enter_context(ZebraListener()) for _ in range(most)]
        return _Cluster(folder, database_url, prefix, stack).run(rounds, listeners)


class _Cluster:
    """One run: the bench process's own app, the child processes, and the listeners."""

    def __init__(self, folder: Path, database_url: str, prefix: str, stack: ExitStack) -> None:
        from station import create_app
        from station.cin7.sandbox import DEMO_API_KEY, DEMO_USERNAME

        self.sandbox_port, self.web_port = free_port(), free_port()
        self.settings = {
            "INSTANCE_PATH": str(folder / "instance"),
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "REDIS_PREFIX": prefix,
            "SECRET_KEY": f"bench-{uuid.uuid4().hex}",
            "CIN7_BASE_URL": f"http://127.0.0.1:{self.sandbox_port}/api",
            "CIN7_USERNAME": DEMO_USERNAME,
            "CIN7_API_KEY": DEMO_API_KEY,
            **{key: str(value) for key, value in LOOPBACK.items()},
            "LOG_LEVEL": "WARNING",
        }
        self.app = create_app(dict(self.settings))
        self.stack = stack
        stack.callback(self._dispose)
        env = station_env({**self.settings, "WTF_CSRF_ENABLED": "false"})
        self.children = stack.enter_context(Children(folder, env))

    def run(self, rounds: Sequence[Round], listeners: Sequence[Any]) -> dict[str, Any]:
        """Set up, drive every round (bench n prints to ``listeners[n]``), wait, check, measure."""
        needed = sum(each.benches * each.orders_each for each in rounds)
        # about two orders in five of the demo mix are ready to ship (the rest are old,
        # dispatched, void, unapproved or on hold): three times what the rounds need
        self._start_sandbox(orders=max(100, needed * 3))
        printer_ids, references, sync_s = self._prepare(listeners, needed)
        self._start_station()
        cpu_groups = self._cpu_groups()
        warming_s = wait_until_idle(cpu_groups["web"])  # workers still warming up: not orders'
        settled = read_cpu(cpu_groups)
        browsers = self.stack.enter_context(
            signed_in_benches(self._base_url, printer_ids[: max(each.benches for each in rounds)])
        )
        signed_in = read_cpu(cpu_groups)
        figures: dict[str, Any] = {"setup": self._setup_figures(sync_s, warming_s)}
        figures["sign_in"] = {  # once per bench, as at a shift's start: not an order's cost
            "benches": len(browsers),
            "cpu_ms_each": round(
                signed_in.since(settled).get("total", 0) * 1000 / len(browsers), 1
            ),
        }
        shipping_began = time.time()
        first = before = signed_in
        cpu: dict[str, Any] = {"rounds": {}}
        offset = 0
        for each in rounds:
            count = each.orders_each
            mine = references[offset : offset + each.benches * count]
            offset += each.benches * count
            split = [mine[n * count : (n + 1) * count] for n in range(each.benches)]
            run = drive_benches(browsers, listeners, split, pace_s=each.pace_s)
            figures[each.name] = run.figures()
            after = read_cpu(cpu_groups)
            cpu["rounds"][each.name] = per_order_ms(after.since(before), len(mine))
            before = after
            self.children.check_alive()
        shipped_s = time.time() - shipping_began
        writeback_s, left = self._await_writebacks()
        figures["writeback"] = {
            "seconds_after_last_round": round(writeback_s, 2),
            "end_to_end_seconds": round(shipped_s + writeback_s, 2),
            "outbox_items_left": left,
        }
        # Every round and the Cin7 write-backs after them: what a shipped order costs.
        cpu["whole_run"] = per_order_ms(read_cpu(cpu_groups).since(first), needed)
        figures["cpu_per_order_ms"] = cpu
        figures["peak_rss_mb"] = self._peak_rss()
        figures |= self._check(references, listeners, since=shipping_began)
        return figures

    @property
    def _base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def _start_sandbox(self, *, orders: int) -> None:
        port = str(self.sandbox_port)
        self.children.start(
            "sandbox", station_command("sandbox", "--port", port, "--orders", str(orders))
        )
        self.sandbox_orders = orders
        self._wait_for_http(f"http://127.0.0.1:{port}/_sandbox/requests", "the Cin7 sandbox")

    def _prepare(self, listeners: Sequence[Any], needed: int) -> tuple[list[int], list[str], float]:
        """Migrate, add benches and dispatch options, sync; the shippable orders' references."""
        from flask_migrate import upgrade
        from sqlalchemy import select

        from station.cin7.jobs import run_order_sync
        from station.dispatch.checks import ShipRules, Verdict, verdict_clause
        from station.dispatch.options import DispatchOptions, FreightPush, save_options
        from station.extensions import db
        from station.models import SalesOrder
        from station.settings import settings_store

        with self.app.app_context():
            upgrade()
            save_options(
                settings_store(db.session),
                DispatchOptions(block_batch_serial=False, freight_push=FreightPush.COST),
            )
            printer_ids = add_benches(db.session, [listener.port for listener in listeners])
            began = time.perf_counter()
            synced = run_order_sync(trigger="bench")
            sync_s = time.perf_counter() - began
            references = list(
                db.session.scalars(
                    select(SalesOrder.reference)
                    .where(verdict_clause(Verdict.READY, ShipRules(block_batch_serial=False)))
                    .order_by(SalesOrder.id)
                    .limit(needed)
                )
            )
            db.session.remove()
        if synced is None or len(references) < needed:
            raise RuntimeError(
                f"the sync gave {len(references)} shippable orders, {needed} needed: {synced}"
            )
        return printer_ids, references, sync_s

    def _start_station(self) -> None:
        import gunicorn

        # gunicorn 27 opens a control socket in ~/.gunicorn unless told not to
        quiet = ["--no-control-socket"] if gunicorn.version_info >= (27,) else []
        self.children.start(
            "gunicorn",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(GUNICORN_WORKERS),
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--graceful-timeout",
                "5",
                "--config",
                "python:station.serving",  # each worker warms up before its first request
                *quiet,
                "station:create_app()",
            ],
        )
        for n in range(1, STATION_WORKERS + 1):
            self.children.start(
                f"worker-{n}",
                station_command("worker", "--workers", str(THREADS_PER_WORKER), "--no-periodic"),
            )
        self._wait_for_http(f"{self._base_url}/login", "Station under gunicorn")

    def _wait_for_http(self, url: str, what: str) -> None:
        import httpx

        def answers() -> bool:
            self.children.check_alive()
            try:
                return httpx.get(url, timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(answers, timeout=START_TIMEOUT_S, what=what)

    def _setup_figures(self, sync_s: float, warming_s: float) -> dict[str, Any]:
        return {
            "database": "PostgreSQL",
            "queue_and_limiter": "Redis",
            "gunicorn_workers": GUNICORN_WORKERS,
            "gunicorn_worker_class": "sync",
            "station_workers": STATION_WORKERS,
            "threads_per_station_worker": THREADS_PER_WORKER,
            "sandbox_orders": self.sandbox_orders,
            "sync_seconds": round(sync_s, 2),
            "web_settled_seconds": round(warming_s, 2),  # until the workers' warm-up was over
        }

    def _await_writebacks(self) -> tuple[float, int]:
        """Wait until the outbox is empty (at most WRITEBACK_DEADLINE_S); seconds, items left."""
        from station.extensions import db
        from station.jobs import jobs

        began = time.monotonic()
        nudged = began
        with self.app.app_context():
            while (left := open_outbox_items(db.session)) and (
                time.monotonic() - began < WRITEBACK_DEADLINE_S
            ):
                db.session.remove()
                self.children.check_alive()
                if time.monotonic() - nudged >= NUDGE_S:
                    jobs().deliver_outbox()
                    nudged = time.monotonic()
                time.sleep(0.5)
            db.session.remove()
        return time.monotonic() - began, left

    def _cpu_groups(self) -> dict[str, list[int]]:
        """Station's processes by role, and the database and Redis servers it runs on."""
        started = self.children.started
        return {
            "web": [started["gunicorn"].pid],
            "workers": [started[f"worker-{n}"].pid for n in range(1, STATION_WORKERS + 1)],
            "postgres": service_roots("postgres"),
            "redis": service_roots("redis-server"),
        }

    def _peak_rss(self) -> dict[str, float | None]:
        """VmHWM of every child process (gunicorn's workers found as its children), in MB.

        ``gunicorn_max_per_worker`` is the largest web worker's peak: a host's memory is
        sized by it, GUNICORN_WORKERS times over.
        """
        started = self.children.started
        master = started["gunicorn"].pid
        peaks = {"gunicorn_master": peak_rss_mb(master)}
        for n, pid in enumerate(child_pids(master), start=1):
            peaks[f"gunicorn_worker_{n}"] = peak_rss_mb(pid)
        for name in (f"worker-{n}" for n in range(1, STATION_WORKERS + 1)):
            peaks[f"station_{name.replace('-', '_')}"] = peak_rss_mb(started[name].pid)
        peaks["cin7_sandbox"] = peak_rss_mb(started["sandbox"].pid)
        measured = {k: v for k, v in peaks.items() if v is not None}
        workers = [v for k, v in measured.items() if k.startswith("gunicorn_worker_")]
        peaks["gunicorn_max_per_worker"] = max(workers, default=None)
        peaks["gunicorn_total"] = round(
            sum(v for k, v in measured.items() if k.startswith("gunicorn")), 1
        )
        peaks["all_processes_total"] = round(sum(measured.values()), 1)
        return peaks

    def _check(
        self, references: Sequence[str], listeners: Sequence[Any], *, since: float
    ) -> dict[str, Any]:
        """Each order shipped once, in the database, at the listeners and in Cin7."""
        import httpx
        from sqlalchemy import func, select

        from station.cin7.sandbox import LoggedRequest
        from station.extensions import db
        from station.models import Consignment, OutboxItem, OutboxState, PrintJob, SalesOrder

        with self.app.app_context():
            per_order = dict(
                db.session.execute(
                    select(SalesOrder.cin7_id, func.count(Consignment.id))
                    .join(Consignment, Consignment.order_id == SalesOrder.id)
                    .where(SalesOrder.reference.in_(references))
                    .group_by(SalesOrder.cin7_id)
                ).all()
            )
            print_jobs = db.session.scalar(select(func.count()).select_from(PrintJob))
            failed = db.session.scalar(
                select(func.count()).where(OutboxItem.state == OutboxState.FAILED)
            )
            db.session.remove()
        log = httpx.get(f"http://127.0.0.1:{self.sandbox_port}/_sandbox/requests", timeout=30)
        calls = [LoggedRequest(**entry) for entry in log.json()]
        writebacks = tally_cin7([call for call in calls if call.t >= since])
        shipped = len(per_order)
        labels = sum(len(listener.jobs) for listener in listeners)
        twice = sum(n - 1 for n in per_order.values())
        return {
            "cin7": {
                "sync_calls": sum(1 for call in calls if call.t < since),
                "writeback_calls": writebacks.calls,
                "calls_per_order": round(writebacks.calls / shipped, 3) if shipped else None,
                "throttled_429": writebacks.throttled_429,
                "busiest_second": writebacks.busiest_second,
                "busiest_minute": writebacks.busiest_minute,
                "limits": "3 a second, 60 a minute",
            },
            "correctness": {
                "orders": len(references),
                "orders_shipped": shipped,
                "consignments": sum(per_order.values()),
                "print_jobs": print_jobs,
                "labels_received": labels,
                "orders_dispatched_in_cin7": len(writebacks.dispatched),
                "orders_freight_pushed": len(writebacks.freight),
                "not_dispatched_in_cin7": len(set(per_order) - set(writebacks.dispatched)),
                "outbox_items_failed": failed,
                "duplicates": twice + max(0, labels - shipped) + writebacks.repeats,
            },
        }

    def _dispose(self) -> None:
        from station.extensions import db

        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
