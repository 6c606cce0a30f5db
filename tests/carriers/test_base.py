"""Carrier values, the in-memory consignment store, and the package's import rules."""

from __future__ import annotations

import ast
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

import station.carriers
from station.carriers import InMemoryConsignmentStore, OwnLabelCarrier
from station.carriers.base import cents
from tests.carriers.samples import shipment

FORBIDDEN = (
    "flask",
    "flask_sqlalchemy",
    "sqlalchemy",
    "station.web",
    "station.models",
    "station.db",
)


@pytest.mark.parametrize(
    ("amount", "rounded"),
    [("1.005", "1.01"), ("1.004", "1.00"), ("2.675", "2.68"), ("-1.005", "-1.01"), ("7", "7.00")],
)
def test_cents_round_half_up(amount: str, rounded: str) -> None:
    assert cents(Decimal(amount)) == Decimal(rounded)


def test_store_put_replaces_the_result_under_its_key(carrier: OwnLabelCarrier) -> None:
    store = InMemoryConsignmentStore()
    result = carrier.create(shipment(), "key-1")
    store.put(result)
    voided = replace(result, voided_at=result.created_at)
    store.put(voided)
    assert store.get("key-1") == voided
    assert store.get("key-2") is None
    assert len(store) == 1


@pytest.mark.parametrize(
    "module", sorted(Path(station.carriers.__file__).parent.glob("*.py")), ids=lambda p: p.name
)
def test_carriers_import_no_web_or_database_code(module: Path) -> None:
    tree = ast.parse(module.read_text("utf-8"))
    imported = [
        name
        for node in ast.walk(tree)
        for name in (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
    ]
    bad = [
        name for name in imported if name.split(".")[0] in FORBIDDEN or name.startswith(FORBIDDEN)
    ]
    assert bad == []
