"""The sync selection: the filter that narrows a full sync, checked against Cin7's grammar."""

from __future__ import annotations

from datetime import UTC, datetime

from station.cin7.sandbox.where import parse_where
from station.cin7.selection import OrderSelection

NOW = datetime(2026, 5, 15, 3, 0, tzinfo=UTC)


def test_first_sync_filter_narrows_by_window_dispatch_branch_and_stage() -> None:
    selection = OrderSelection(
        window_days=14, branch_ids=(1, 3), stages=("New", "Fully Picked", "Bob's")
    )

    assert selection.first_sync_filter(NOW) == (
        "createdDate >= '2026-05-01T03:00:00Z' AND dispatchedDate IS NULL "
        "AND branchId IN (1, 3) AND stage IN ('New', 'Fully Picked', 'Bob''s')"
    )


def test_first_sync_filter_without_branches_or_stages_keeps_only_window_and_dispatch() -> None:
    selection = OrderSelection(window_days=14, include_dispatched=True)

    assert selection.first_sync_filter(NOW) == "createdDate >= '2026-05-01T03:00:00Z'"


def test_first_sync_filter_picks_the_orders_the_selection_keeps() -> None:
    selection = OrderSelection(window_days=14, branch_ids=(2,), stages=("Bob's",))
    keeps = parse_where(selection.first_sync_filter(NOW))
    order = {
        "createdDate": "2026-05-10T00:00:00Z",
        "dispatchedDate": None,
        "branchId": 2,
        "stage": "Bob's",
    }

    assert keeps(order)
    assert not keeps({**order, "stage": "New"})
    assert not keeps({**order, "branchId": 1})
    assert not keeps({**order, "createdDate": "2026-04-30T00:00:00Z"})
    assert not keeps({**order, "dispatchedDate": "2026-05-11T00:00:00Z"})
