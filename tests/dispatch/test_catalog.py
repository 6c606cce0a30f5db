"""The bench's catalog (printers, presets, cost centres): kept per process, never stale.

Two apps on one database stand in for two processes: one edits through the ORM as the
settings pages do, the other's next transaction reads the change.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from station import create_app
from station.dispatch.catalog import bench_catalog
from station.extensions import db
from station.models import CostCentre, PackagePreset, Printer, PrintJob
from station.shipping.costs import make_default
from tests.fakes.statements import counting

pytestmark = pytest.mark.both_databases


@pytest.fixture
def other(app: Flask, app_config: dict[str, Any]) -> Iterator[Flask]:
    """A second process on the same database (its own catalog copy)."""
    with app.app_context():
        db.session.add_all(
            [
                Printer(name="Bench 1", spec={"format": "zpl", "transport": "memory"}),
                PackagePreset(name="Carton", length_mm=400, width_mm=300, height_mm=200),
                CostCentre(name="Retail", markup_percent=Decimal(10), is_default=True),
                CostCentre(name="Trade", markup_percent=Decimal(0)),
            ]
        )
        db.session.commit()
    yield create_app(app_config)


def names(app: Flask) -> tuple[list[str], list[str], list[str], str | None]:
    with app.app_context():
        catalog = bench_catalog(db.session)
        default = next((c.name for c in catalog.cost_centres if c.is_default), None)
        seen = (
            [p.name for p in catalog.printers],
            [p.name for p in catalog.presets],
            [c.name for c in catalog.cost_centres],
            default,
        )
        db.session.remove()
    return seen


def test_a_change_in_another_process_is_read_by_the_next_transaction(
    app: Flask, other: Flask
) -> None:
    assert names(app) == (["Bench 1"], ["Carton"], ["Retail", "Trade"], "Retail")
    with other.app_context():
        db.session.scalars(select(Printer)).one().name = "Packing 1"
        preset = db.session.scalars(select(PackagePreset)).one()
        preset.active = False
        db.session.add(Printer(name="Bench 2", spec={"format": "zpl", "transport": "memory"}))
        make_default(
            db.session, db.session.scalars(select(CostCentre).filter_by(name="Trade")).one()
        )
        db.session.commit()

    assert names(app) == (["Bench 2", "Packing 1"], [], ["Retail", "Trade"], "Trade")


def test_a_deleted_row_leaves_the_catalog(app: Flask, other: Flask) -> None:
    names(app)
    with other.app_context():
        db.session.delete(db.session.scalars(select(CostCentre).filter_by(name="Trade")).one())
        db.session.commit()

    assert names(app)[2] == ["Retail"]


def test_a_current_copy_costs_no_statement_and_a_print_job_does_not_renew_it(
    app: Flask, other: Flask
) -> None:
    names(app)
    with app.app_context():
        printer = bench_catalog(db.session).printers[0]
        db.session.add(
            PrintJob(printer=printer, kind="label", description="x", format="zpl", payload=b"x")
        )
        db.session.commit()
        db.session.remove()
    with counting(app) as log, app.app_context():
        catalog = bench_catalog(db.session)
        assert db.session.get(PackagePreset, catalog.presets[0].id) is catalog.presets[0]
        db.session.remove()

    # The settings (the version with them) and nothing else: the rows come from the copy.
    assert len(log.statements) == 1 and "FROM setting" in log.statements[0], log.describe()


def test_a_bench_prints_on_its_printer_while_active_else_on_the_first_added(
    app: Flask, other: Flask
) -> None:
    with other.app_context():
        db.session.add(Printer(name="A bench 0", spec={"format": "zpl", "transport": "memory"}))
        db.session.commit()
        first, second = (p.id for p in db.session.scalars(select(Printer).order_by(Printer.id)))
    with app.app_context():
        catalog = bench_catalog(db.session)
        assert catalog.printer(second).name == "A bench 0"
        assert catalog.printer(second) is catalog.printers[0]  # one row per printer
        assert catalog.printer(None).name == catalog.printer(999).name == "Bench 1"
        db.session.remove()
    with other.app_context():
        db.session.get(Printer, first).active = False
        db.session.get(Printer, second).active = False
        db.session.commit()
    with app.app_context():
        assert bench_catalog(db.session).printer(first) is None
        db.session.remove()


def test_a_row_a_form_named_comes_from_the_copy_and_a_retired_one_from_the_database(
    app: Flask, other: Flask
) -> None:
    with other.app_context():
        trade = db.session.scalars(select(CostCentre).filter_by(name="Trade")).one()
        trade.active = False
        db.session.commit()
        retail_id, trade_id = db.session.scalars(select(CostCentre.id).order_by(CostCentre.name))
    names(app)
    with counting(app) as log, app.app_context():
        catalog = bench_catalog(db.session)
        retail = catalog.get(CostCentre, retail_id)
        settings_only = len(log.statements)
        retired = catalog.get(CostCentre, trade_id)
        missing = catalog.get(CostCentre, 999)

        assert retail is not None and retail.name == "Retail" and settings_only == 1
        assert db.session.get(CostCentre, retail_id) is retail
        assert retired is not None and retired.name == "Trade" and not retired.active
        assert missing is None and len(log.statements) == 3
        db.session.remove()
