"""``sql_per_order``: the SQL statements one shipped order costs at the bench (issue 18: ≤ 25).

A packer scans an order and presses Enter through the test client (no server: only the
requests' own statements are counted, by ``station.ops.statements``, as the tests count
them). The orders are realistic: three lines of synced products, a default cost centre
with a markup, a carton preset, freight pushed at the charged amount, the own-label
carrier and a ZPL printer. Jobs are queued as in production, so the Enter request prints
the label itself and the Cin7 write-backs wait for a worker (not counted). One order is
shipped first to warm the process; then each order's scan, Enter and total are reported,
with BEGIN/COMMIT/ROLLBACK apart, on SQLite and on PostgreSQL (skipped when unreachable).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from decimal import Decimal
from typing import Any

from benchmarks.config import embedded_config

ORDERS = 10  # counted, after one warm-up order
GOAL = 25
PASSWORD = "bench password"
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')


def sql_per_order() -> dict[str, Any]:
    """Statements per shipped order (scan, Enter, total) on SQLite and on PostgreSQL."""
    from sqlalchemy.exc import SQLAlchemyError

    from benchmarks.services import PG_ADMIN_URL, fresh_postgres

    with tempfile.TemporaryDirectory() as folder:
        figures: dict[str, Any] = {"sqlite": _count(folder, f"sqlite:///{folder}/bench.db")}
    with ExitStack() as stack:
        try:
            url = stack.enter_context(fresh_postgres(PG_ADMIN_URL))
        except SQLAlchemyError as exc:
            figures["postgres"] = {"skipped": f"PostgreSQL is not reachable: {exc}".splitlines()[0]}
        else:
            figures["postgres"] = _count(stack.enter_context(tempfile.TemporaryDirectory()), url)
    return {"orders": ORDERS, "goal_total": GOAL, **figures}


def _count(folder: str, database_url: str) -> dict[str, Any]:
    from flask_migrate import upgrade

    from station import create_app
    from station.extensions import db
    from station.ops.statements import counting_statements

    app = create_app(
        embedded_config(
            folder, DATABASE_URL=database_url, WTF_CSRF_ENABLED=False, JOBS_IMMEDIATE=False
        )
    )
    with app.app_context():
        upgrade()
        setup = _setup(db.session, ORDERS + 1)
        engine = db.engine
    client = app.test_client()
    client.post("/login", data={"username": "packer", "password": PASSWORD})
    client.post("/bench/printer", data={"printer_id": str(setup["printer_id"])})
    ship = _shipper(client, setup)
    ship(setup["references"][0])  # warm: caches, the first connection, the templates
    per_order: list[dict[str, int]] = []
    with counting_statements(engine) as log:
        for reference in setup["references"][1:]:
            start = log.snapshot()
            fields = _scan(client, reference)
            scanned = log.since(start)
            ship(reference, fields)
            entered = log.since(start).since(scanned)
            per_order.append(
                {
                    "scan": scanned.count,
                    "enter": entered.count,
                    "total": scanned.count + entered.count,
                    "transactions": len(scanned.transactions) + len(entered.transactions),
                }
            )
    with app.app_context():
        db.engine.dispose()
    return {
        name: {"max": max(o[name] for o in per_order), "min": min(o[name] for o in per_order)}
        for name in ("scan", "enter", "total", "transactions")
    }


def _scan(client: Any, reference: str) -> dict[str, str]:
    response = client.post("/bench/scan", data={"scan": reference})
    page = response.get_data(as_text=True)
    fields = dict(HIDDEN.findall(page))
    if response.status_code != 200 or "key" not in fields:
        raise RuntimeError(f"scanning {reference} did not open it: {page[:300]}")
    return fields


def _shipper(client: Any, setup: dict[str, Any]) -> Callable[..., None]:
    def ship(reference: str, fields: dict[str, str] | None = None) -> None:
        response = client.post(
            "/bench/ship",
            data={
                **(fields or _scan(client, reference)),
                "weight": "1.25",
                "preset_id": str(setup["preset_id"]),
                "dimensions": "",
                "service": "ownlabel:ON",
                "cost_centre_id": str(setup["cost_centre_id"]),
            },
        )
        page = response.get_data(as_text=True)
        if response.status_code != 200 or "bench-shipped" not in page:
            raise RuntimeError(f"Enter on {reference} did not ship it: {page[:300]}")

    return ship


def _setup(session: Any, orders: int) -> dict[str, Any]:
    """A packer, a printer, a cost centre, a carton, two products and ``orders`` orders."""
    from datetime import UTC, datetime

    from station.accounts import create_user
    from station.dispatch.options import DispatchOptions, FreightPush, save_options
    from station.models import (
        CostCentre,
        OrderLine,
        PackagePreset,
        Printer,
        Product,
        ProductOption,
        Role,
        SalesOrder,
    )
    from station.settings import SettingsStore

    create_user(session, "packer", PASSWORD, role=Role.PACKER)
    save_options(SettingsStore(session), DispatchOptions(freight_push=FreightPush.CHARGED))
    centre = CostCentre(
        name="Retail", markup_percent=Decimal("12.5"), markup_fixed=Decimal("1.50"), is_default=True
    )
    preset = PackagePreset(
        name="Carton", length_mm=400, width_mm=300, height_mm=200, tare_grams=350
    )
    printer = Printer(
        name="Bench 1", bench="Bench 1", spec={"format": "zpl", "transport": "memory"}
    )
    tee = Product(cin7_id=77, name="Tee", style_code="TEE", stock_control="FIFO", weight_grams=220)
    tee.options = [ProductOption(cin7_id=7701, code="TEE-BLK-M", barcode="9400000000024")]
    mug = Product(cin7_id=78, name="Mug", style_code="MUG", stock_control="FIFO", weight_grams=400)
    session.add_all([centre, preset, printer, tee, mug])
    now = datetime.now(UTC)
    references = []
    for n in range(orders):
        reference = f"SO-{6001 + n}"
        session.add(
            SalesOrder(
                cin7_id=6001 + n,
                reference=reference,
                customer_order_no=f"PO-{6001 + n}",
                stage="New",
                is_approved=True,
                delivery_first_name="Aroha",
                delivery_address1="1 Cuba Street",
                delivery_city="Wellington",
                delivery_postal_code="6011",
                delivery_country="New Zealand",
                cin7_modified=now,
                lines=[
                    OrderLine(
                        position=1,
                        code="TEE-BLK-M",
                        name="Tee",
                        qty=Decimal(2),
                        product_id=77,
                        product_option_id=7701,
                        unit_price=Decimal("29.90"),
                    ),
                    OrderLine(
                        position=2,
                        code="MUG-1",
                        name="Mug",
                        qty=Decimal(1),
                        product_id=78,
                        barcode="9400000000017",
                        unit_price=Decimal("14.00"),
                    ),
                    OrderLine(position=3, code="CARD", name="Gift card", qty=Decimal(1)),
                ],
            )
        )
        references.append(reference)
    session.commit()
    return {
        "references": references,
        "printer_id": printer.id,
        "cost_centre_id": centre.id,
        "preset_id": preset.id,
    }
