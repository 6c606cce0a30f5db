"""``/healthz`` and ``/metrics``: no sign-in, figures read from the database at scrape time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from station import create_app
from station.db import utcnow
from station.extensions import db
from station.models import (
    Cin7CallDay,
    Consignment,
    ConsignmentState,
    JobState,
    OutboxItem,
    OutboxKind,
    OutboxState,
    Printer,
    PrintJob,
)
from tests.builders import add_order
from tests.fakes.ports import free_port

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(text: str) -> Samples:
    """Every sample in a Prometheus text page, by name and sorted labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


class TestHealth:
    def test_a_reachable_database_is_ok_without_signing_in(self, client: FlaskClient) -> None:
        response = client.get("/healthz")

        assert response.status_code == 200
        assert response.get_json() == {"status": "ok"}
        assert response.headers["Cache-Control"] == "no-store"

    @pytest.mark.parametrize(
        "broken",
        [
            lambda tmp: f"sqlite:///{tmp / 'no-such-folder' / 'station.db'}",
            lambda tmp: f"postgresql+psycopg://station:hunter2@127.0.0.1:{free_port()}/station",
        ],
        ids=["sqlite", "postgres"],
    )
    def test_an_unreachable_database_answers_503_with_the_reason(
        self, tmp_path: Path, app_config: dict[str, Any], broken: Any
    ) -> None:
        app = create_app({**app_config, "DATABASE_URL": broken(tmp_path)})

        response = app.test_client().get("/healthz")

        assert response.status_code == 503
        assert response.get_json() == {
            "status": "unavailable",
            "reason": "the database did not answer (OperationalError)",
        }
        assert app.test_client().get("/metrics").status_code == 503


NOW = utcnow().replace(microsecond=0)


@pytest.fixture
def known_rows(app: Flask) -> Iterator[None]:
    """Outbox items, print jobs, Cin7 call counts and consignments with known timings."""
    with app.app_context():
        session = db.session
        order = add_order(session)
        for number, state in enumerate(
            [OutboxState.PENDING] * 2 + [OutboxState.FAILED] + [OutboxState.DONE] * 3
        ):
            session.add(
                OutboxItem(
                    kind=OutboxKind.DISPATCHED,
                    state=state,
                    dedupe_key=f"item-{number}",
                    order_id=order.id,
                    payload={},
                )
            )
        session.add(Cin7CallDay(day=NOW.date(), calls=123, throttled=4, failed=1))
        session.add(Cin7CallDay(day=date(2020, 1, 1), calls=4999, throttled=77, failed=0))
        printer = Printer(name="Bench 1", spec={"format": "zpl", "transport": "memory"})
        session.add(printer)
        session.add(job(printer, None, JobState.QUEUED, done=None))
        session.add(job(printer, None, JobState.SENDING, done=None))
        # waits: 0.3 s, 0.8 s (its first parcel), 12 s; the others do not count
        scanned = [
            (timedelta(hours=1), "ownlabel", ConsignmentState.CREATED, [0.3]),
            (timedelta(hours=2), "ownlabel", ConsignmentState.CREATED, [4.0, 0.8]),
            (timedelta(hours=3), "nzpost", ConsignmentState.VOIDED, [12.0]),
            (timedelta(hours=30), "ownlabel", ConsignmentState.CREATED, [0.1]),  # too old
            (timedelta(minutes=5), "nzpost", ConsignmentState.CREATED, [None]),  # not out yet
            (timedelta(minutes=1), "nzpost", ConsignmentState.PENDING, []),
            (timedelta(minutes=1), "nzpost", ConsignmentState.FAILED, []),
        ]
        for number, (ago, carrier, state, waits) in enumerate(scanned):
            at = NOW - ago
            consignment = Consignment(
                idempotency_key=f"key-{number}",
                state=state,
                carrier=carrier,
                service_code="ON",
                reference=f"SO-{number}",
                shipment={},
                scanned_at=at,
                created_at=at,
            )
            session.add(consignment)
            session.flush()
            for parcel, wait in enumerate(waits, 1):
                done = None if wait is None else at + timedelta(seconds=wait)
                key = f"consignment-{consignment.id}-parcel-{parcel}"
                first = job(printer, key, JobState.DONE if done else JobState.QUEUED, done)
                first.consignment_id, first.parcel = consignment.id, parcel
                session.add(first)
                if done:  # a quick reprint is not the packer's wait
                    session.add(job(printer, None, JobState.DONE, done - timedelta(seconds=0.2)))
        session.commit()
    yield


def job(printer: Printer, key: str | None, state: JobState, done: datetime | None) -> PrintJob:
    created = (done or NOW) - timedelta(seconds=0.01)
    return PrintJob(
        printer=printer,
        kind="label",
        format="zpl",
        payload=b"^XA^XZ",
        state=state,
        dedupe_key=key,
        created_at=created,
        done_at=done,
    )


def test_metrics_report_exact_figures_from_the_database(
    client: FlaskClient, known_rows: None
) -> None:
    response = client.get("/metrics")

    assert response.status_code == 200
    assert response.content_type == "text/plain; version=0.0.4; charset=utf-8"
    found = samples(response.get_data(as_text=True))
    outbox = {
        s: found[("station_outbox_items", (("state", s),))] for s in (e.value for e in OutboxState)
    }
    assert outbox == {"pending": 2, "sending": 0, "done": 3, "failed": 1, "cancelled": 0}
    jobs = {s: found[("station_print_jobs", (("state", s),))] for s in (e.value for e in JobState)}
    assert jobs == {"queued": 2, "sending": 1, "done": 10, "failed": 0}
    assert found[("station_cin7_calls_today", ())] == 123
    assert found[("station_cin7_throttled_today", ())] == 4
    assert found[("station_cin7_daily_budget", ())] == 5000
    assert found[("station_consignments_created_total", (("carrier", "nzpost"),))] == 2
    assert found[("station_consignments_created_total", (("carrier", "ownlabel"),))] == 3
    buckets = {
        labels[0][1]: value
        for (name, labels), value in found.items()
        if name == "station_scan_to_label_seconds_bucket"
    }
    assert buckets == {
        "0.05": 0, "0.1": 0, "0.25": 0, "0.5": 1, "1.0": 2,
        "2.5": 2, "5.0": 2, "10.0": 2, "+Inf": 3,
    }  # fmt: skip
    assert found[("station_scan_to_label_seconds_count", ())] == 3
    assert found[("station_scan_to_label_seconds_sum", ())] == pytest.approx(13.1)


def test_scrapes_leave_the_process_wide_registry_alone(client: FlaskClient) -> None:
    before = set(REGISTRY._names_to_collectors)

    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics").status_code == 200
    assert set(REGISTRY._names_to_collectors) == before
    assert not any(name.startswith("station_") for name in before)


class TestMetricsToken:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        return {**app_config, "METRICS_TOKEN": "scrape-me-0123"}

    def test_without_the_token_the_metrics_are_refused(self, client: FlaskClient) -> None:
        missing = client.get("/metrics")
        wrong = client.get("/metrics", headers={"Authorization": "Bearer scrape-me-9999"})

        assert missing.status_code == wrong.status_code == 401
        assert missing.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
        assert "station_outbox_items" not in wrong.get_data(as_text=True)

    def test_with_the_token_they_are_served(self, client: FlaskClient) -> None:
        response = client.get("/metrics", headers={"Authorization": "Bearer scrape-me-0123"})

        assert response.status_code == 200
        assert "station_outbox_items" in response.get_data(as_text=True)

    def test_health_needs_no_token(self, client: FlaskClient) -> None:
        assert client.get("/healthz").status_code == 200
