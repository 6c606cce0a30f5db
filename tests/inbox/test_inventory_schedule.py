"""The inventory sync's schedule: chosen in the settings, read at run time, and what it costs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from station import create_app
from station.cin7.mapping import format_cin7_datetime
from station.cin7.sandbox import SandboxServer
from station.db import utcnow
from station.extensions import db
from station.inbox.inventory_schedule import interval_label, last_sync_at, sync_cost, sync_due
from station.inbox.jobs import run_inventory_sync
from station.inbox.options import (
    LAST_INVENTORY_SYNC_KEY,
    OPTIONS_KEY,
    InboxOptions,
    load_options,
    save_inbox_settings,
    save_options,
)
from station.models import AuditEvent, InventoryLevel
from station.settings import settings_store
from tests.fakes.cin7 import sandbox_config
from tests.inbox.builders import calls

NOW = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)
ZERO = {k: Decimal(0) for k in ("available", "stock_on_hand", "incoming", "holding")}


@pytest.fixture
def app_config(app_config: dict[str, Any], sandbox: SandboxServer) -> dict[str, Any]:
    return {**app_config, **sandbox_config(sandbox)}


def test_the_schedule_wakes_every_quarter_hour(app_config: dict[str, Any]) -> None:
    huey = create_app({**app_config, "JOBS_IMMEDIATE": False}).extensions["station.jobs"].huey
    start = datetime(2026, 5, 1, 23, 0)

    due = [
        start + timedelta(minutes=m)
        for m in range(120)
        if any(
            t.name == "sync_inventory_periodic"
            for t in huey.read_periodic(start + timedelta(minutes=m))
        )
    ]

    assert len(due) == 8
    assert {later - earlier for earlier, later in pairwise(due)} == {timedelta(minutes=15)}


@pytest.mark.parametrize(
    ("minutes", "since_last", "due"),
    [
        (0, None, False),  # off
        (0, timedelta(days=3), False),
        (60, None, True),  # never synced
        (60, timedelta(minutes=44), False),
        (60, timedelta(minutes=59, seconds=30), True),  # the tick started earlier in its minute
        (60, timedelta(minutes=60), True),
        (15, timedelta(minutes=15), True),
        (1440, timedelta(hours=23, minutes=45), False),
        (1440, timedelta(hours=24), True),
    ],
)
def test_a_scheduled_sync_is_due_once_the_chosen_interval_has_passed(
    minutes: int, since_last: timedelta | None, due: bool
) -> None:
    last = None if since_last is None else NOW - since_last
    assert sync_due(minutes, last, now=NOW) is due


@pytest.mark.parametrize(
    ("saved", "minutes"),
    [
        ({}, 0),
        ({"inventory_sync": False}, 0),
        ({"inventory_sync": True}, 60),  # saved when "on" meant the hourly default
        ({"inventory_sync_minutes": 240}, 240),
        ({"inventory_sync_minutes": 45}, 60),  # not offered: the next longer one
        ({"inventory_sync_minutes": 100_000}, 1440),
        ({"inventory_sync_minutes": -5}, 0),
        ({"inventory_sync_minutes": "60"}, 0),
    ],
)
def test_saved_options_load_as_an_offered_interval(
    app: Flask, saved: dict[str, object], minutes: int
) -> None:
    with app.app_context():
        store = settings_store(db.session)
        store.set(OPTIONS_KEY, saved)
        assert load_options(store).inventory_sync_minutes == minutes


def test_intervals_read_as_people_say_them() -> None:
    labels = [interval_label(m) for m in (0, 15, 30, 60, 120, 1440)]
    assert labels == [
        "Off",
        "Every 15 min",
        "Every 30 min",
        "Every hour",
        "Every 2 h",
        "Every 24 h",
    ]


def test_the_schedule_reads_the_interval_at_each_run(app: Flask, sandbox: SandboxServer) -> None:
    with app.app_context():
        store = settings_store(db.session)
        save_options(store, InboxOptions(inventory_sync_minutes=60))
        db.session.commit()
        first = run_inventory_sync(scheduled=True)  # never synced: due
        again = run_inventory_sync(scheduled=True)  # a minute has not passed
    assert first is not None and again is None
    assert calls(sandbox.state, "GET", "Stock") == first["calls"]

    with app.app_context():
        store = settings_store(db.session)
        last = store.get(LAST_INVENTORY_SYNC_KEY)
        twenty_ago = format_cin7_datetime(utcnow() - timedelta(minutes=20))
        store.set(LAST_INVENTORY_SYNC_KEY, {**last, "at": twenty_ago})
        db.session.commit()
        still_waiting = run_inventory_sync(scheduled=True)  # 20 min of 60
        save_options(store, InboxOptions(inventory_sync_minutes=15))  # no restart
        db.session.commit()
        now_due = run_inventory_sync(scheduled=True)
        after = last_sync_at(settings_store(db.session))

    assert still_waiting is None and now_due is not None
    assert calls(sandbox.state, "GET", "Stock") == 2 * first["calls"]
    assert after is not None and utcnow() - after < timedelta(minutes=1)


def test_turning_the_schedule_off_stops_it(app: Flask, sandbox: SandboxServer) -> None:
    with app.app_context():
        save_options(settings_store(db.session), InboxOptions(inventory_sync_minutes=0))
        db.session.commit()
        assert run_inventory_sync(scheduled=True) is None
    assert calls(sandbox.state, "GET", "Stock") == 0


def test_the_cost_is_the_last_syncs_own_call_count(app: Flask, sandbox: SandboxServer) -> None:
    sandbox.state.stock = sandbox.state.stock * (600 // len(sandbox.state.stock) + 1)
    with app.app_context():
        summary = run_inventory_sync(scheduled=False)
        cost = sync_cost(db.session, settings_store(db.session))

    stock_calls = calls(sandbox.state, "GET", "Stock")
    assert summary is not None and stock_calls == summary["calls"] >= 3
    assert cost.measured and cost.calls_per_sync == stock_calls
    assert cost.calls_a_day(60) == 24 * stock_calls and cost.calls_a_day(0) == 0
    assert cost.calls_a_day(15) == 96 * stock_calls
    assert "as the last sync made them" in cost.basis


def test_before_any_sync_the_cost_is_estimated_from_the_levels_held(app: Flask) -> None:
    with app.app_context():
        empty = sync_cost(db.session, settings_store(db.session))
        db.session.add_all(
            InventoryLevel(sku=f"S{n}", sku_key=f"s{n}", branch_id=1, synced_at=NOW, **ZERO)
            for n in range(500)
        )
        db.session.flush()
        held = sync_cost(db.session, settings_store(db.session))

    assert (empty.calls_per_sync, empty.measured) == (1, False)
    assert (held.calls_per_sync, held.rows, held.measured) == (3, 500, False)  # 250, 250, 0
    assert "estimated from the 500 stock levels held" in held.basis


def test_a_failed_last_sync_leaves_the_cost_estimated(app: Flask) -> None:
    with app.app_context():
        store = settings_store(db.session)
        store.set(LAST_INVENTORY_SYNC_KEY, {"at": format_cin7_datetime(NOW), "error": "503"})
        assert not sync_cost(db.session, store).measured


def test_saving_the_interval_is_audited(app: Flask) -> None:
    with app.app_context():
        store = settings_store(db.session)
        save_inbox_settings(None, store, InboxOptions(inventory_sync_minutes=240))
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "settings.inbox.saved")
        ).one()
        assert load_options(store).inventory_sync_minutes == 240
        assert event.detail["inventory_sync_minutes"] == 240
