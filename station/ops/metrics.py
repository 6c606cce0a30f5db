"""Prometheus metrics read from the database at scrape time.

Every number comes from the tables, not from counters in a process, so any gunicorn
worker on any host gives the same answer. Each scrape builds its own
``CollectorRegistry``: the process-wide default registry is never touched, so several
apps (and tests) in one process do not clash.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from station.cin7.budget import DAILY_BUDGET
from station.dispatch.timeline import scan_to_label_seconds
from station.models import Cin7CallDay, Consignment, JobState, OutboxItem, OutboxState, PrintJob
from station.ops.counts import E, counts_by_state
from station.shipping.records import BOOKED

# What generate_latest writes: the Prometheus text format 0.0.4.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LATENCY_WINDOW = timedelta(hours=24)


class StationCollector(Collector):
    """Reads outbox, print queue, Cin7 budget and consignment figures from ``session``."""

    def __init__(self, session: Session, *, now: datetime) -> None:
        self._session = session
        self._now = now

    def collect(self) -> Iterator[Metric]:
        """One metric family per figure, read now."""
        yield self._by_state(
            "station_outbox_items",
            "Cin7 write-backs in the outbox, by state.",
            OutboxItem.state,
            OutboxState,
        )
        yield self._by_state(
            "station_print_jobs",
            "Print jobs by state; queued plus sending is the queue depth.",
            PrintJob.state,
            JobState,
        )
        yield from self._cin7_calls()
        yield self._consignments()
        yield latency_histogram(
            scan_to_label_seconds(self._session, since=self._now - LATENCY_WINDOW)
        )

    def _by_state(
        self, name: str, documentation: str, column: InstrumentedAttribute[E], states: type[E]
    ) -> GaugeMetricFamily:
        family = GaugeMetricFamily(name, documentation, labels=["state"])
        for state, count in counts_by_state(self._session, column, states).items():
            family.add_metric([state.value], count)
        return family

    def _cin7_calls(self) -> Iterable[Metric]:
        day = self._session.get(Cin7CallDay, self._now.date())
        yield GaugeMetricFamily(
            "station_cin7_calls_today",
            "Cin7 API calls made today (UTC day), every attempt counted.",
            value=day.calls if day else 0,
        )
        yield GaugeMetricFamily(
            "station_cin7_throttled_today",
            "Cin7 API calls answered 429 (rate limited) today (UTC day).",
            value=day.throttled if day else 0,
        )
        yield GaugeMetricFamily(
            "station_cin7_daily_budget",
            "Cin7 API calls an account may make per day.",
            value=DAILY_BUDGET,
        )

    def _consignments(self) -> CounterMetricFamily:
        rows = self._session.execute(
            select(Consignment.carrier, func.count())
            .where(Consignment.state.in_(BOOKED))
            .group_by(Consignment.carrier)
            .order_by(Consignment.carrier)
        )
        family = CounterMetricFamily(
            "station_consignments_created",
            "Consignments booked with a carrier (voided ones included), by carrier.",
            labels=["carrier"],
        )
        for carrier, count in rows:
            family.add_metric([carrier], count)
        return family


def latency_histogram(seconds: Sequence[float]) -> HistogramMetricFamily:
    """The scan-to-label histogram over the given waits (cumulative buckets, +Inf last)."""
    buckets = [(str(bound), sum(1 for s in seconds if s <= bound)) for bound in LATENCY_BUCKETS]
    buckets.append(("+Inf", len(seconds)))
    return HistogramMetricFamily(
        "station_scan_to_label_seconds",
        "Seconds from the bench scan to the first label sent to the printer, over the "
        "consignments scanned in the last 24 hours (a sliding window: counts can fall).",
        buckets=buckets,
        sum_value=sum(seconds),
    )


def render_metrics(session: Session, *, now: datetime) -> bytes:
    """The metrics in Prometheus text format, read from the database now."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StationCollector(session, now=now))
    return generate_latest(registry)
