"""Label rendering and printing scenarios for ``make bench``."""

from __future__ import annotations

import tempfile
import time
from datetime import date
from typing import Any

from benchmarks.config import embedded_config
from benchmarks.samples import sample_shipment
from benchmarks.stats import percentiles

RENDERS = 300
PRINTS = 200


def sample_layout(n: int) -> Any:
    """A realistic 4x6 label with a QR code."""
    from station.addresses import Address
    from station.labels import LabelLayout

    return LabelLayout(
        sender=Address(
            name="Kōwhai Gifts Ltd",
            lines=("12 Carbine Road",),
            city="Auckland",
            postcode="1060",
            country="NZ",
        ),
        receiver=Address(
            name="Aroha Ngata",
            company="Harbour Café",
            lines=("1 Cuba Street", "Level 2"),
            city="Wellington",
            region="Wellington",
            postcode="6011",
            country="New Zealand",
            phone="+64 21 555 0101",
        ),
        service="OVERNIGHT",
        carrier="Own label",
        ticket=f"ST{100000 + n:08d}7",
        tracking_url=f"https://track.example.com/ST{100000 + n:08d}7",
        parcel_index=1,
        parcel_count=1,
        weight_grams=1250,
        reference=f"SO-{1000 + n}",
        printed_on=date(2026, 11, 25),
    )


def _time(fn: Any, count: int) -> dict[str, float | None]:
    samples = []
    for n in range(count):
        started = time.perf_counter()
        fn(n)
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def label_rendering() -> dict[str, Any]:
    """ZPL, PDF and PNG preview time per label (warm)."""
    from station.labels import render_pdf, render_zpl
    from station.labels.preview import render_png

    layouts = [sample_layout(n) for n in range(RENDERS)]
    pdf = render_pdf([layouts[0]])  # warm up fonts
    render_png(pdf)
    return {
        "labels": RENDERS,
        "zpl_203dpi": _time(lambda n: render_zpl(layouts[n]), RENDERS),
        "zpl_300dpi": _time(lambda n: render_zpl(layouts[n], dpi=300), RENDERS),
        "pdf_4x6": _time(lambda n: render_pdf([layouts[n]]), RENDERS),
        "png_preview_203dpi": _time(lambda n: render_png(pdf), RENDERS),
    }


def queue_to_tcp_printer() -> dict[str, Any]:
    """Render ZPL, record the job, and send it through the print queue to a TCP listener."""
    from flask_migrate import upgrade

    from printers.testing import ZebraListener
    from station import create_app
    from station.extensions import db
    from station.labels import render_zpl
    from station.models import Printer
    from station.printing.queue import drain_printer, queue_job
    from station.printing.transports import transport_for

    with tempfile.TemporaryDirectory() as folder, ZebraListener() as zebra:
        app = create_app(embedded_config(folder))
        with app.app_context():
            upgrade()
            printer = Printer(
                name="bench",
                spec={
                    "format": "zpl",
                    "transport": "tcp9100",
                    "host": "127.0.0.1",
                    "port": zebra.port,
                },
            )
            db.session.add(printer)
            db.session.commit()
            transport = transport_for(printer)

            def one(n: int) -> None:
                job = queue_job(
                    db.session, printer, render_zpl(sample_layout(n)), kind="label", format="zpl"
                )
                db.session.commit()
                drain_printer(db.session, printer, transport)
                assert job.state.value == "done"

            figures = _time(one, PRINTS)
            received = len(zebra.wait_for_jobs(PRINTS, timeout=30))
    return {"labels": PRINTS, "received_by_printer": received, "render_queue_send": figures}


def consignment_to_tcp_printer() -> dict[str, Any]:
    """Own-label consignment booked in the database → ZPL → job recorded → bytes at a TCP listener.

    The real path of one Enter at the bench: ``book_consignment`` (ticket counter row,
    consignment row), ``queue_consignment_labels`` (rendered, dedupe-keyed job), commit,
    then the print queue sends it.
    """
    from flask_migrate import upgrade

    from printers.testing import ZebraListener
    from station import create_app
    from station.extensions import db
    from station.models import Printer
    from station.printing.queue import drain_printer
    from station.printing.transports import transport_for
    from station.shipping.booking import book_consignment
    from station.shipping.carriers import own_label
    from station.shipping.labels import queue_consignment_labels

    with tempfile.TemporaryDirectory() as folder, ZebraListener() as zebra:
        app = create_app(embedded_config(folder))
        with app.app_context():
            upgrade()
            printer = Printer(
                name="bench",
                spec={
                    "format": "zpl",
                    "transport": "tcp9100",
                    "host": "127.0.0.1",
                    "port": zebra.port,
                    "check_status": False,
                },
            )
            db.session.add(printer)
            db.session.commit()
            transport = transport_for(printer)

            def one(n: int) -> None:
                consignment = book_consignment(
                    db.session, own_label(db.session), sample_shipment(n), key=f"bench-{n}"
                )
                queue_consignment_labels(db.session, consignment, printer)
                db.session.commit()
                drain_printer(db.session, printer, transport)

            figures = _time(one, PRINTS)
            received = len(zebra.wait_for_jobs(PRINTS, timeout=30))
    return {
        "consignments": PRINTS,
        "received_by_printer": received,
        "create_render_queue_send": figures,
    }
