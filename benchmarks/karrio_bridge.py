"""Consignment created → label bytes, own-label beside the Karrio bridge (karrio-generic)."""

from __future__ import annotations

import importlib.util
import time
from typing import Any

from benchmarks.samples import sample_shipment
from benchmarks.stats import percentiles

CONSIGNMENTS = 200

# karrio-generic prices from this sheet and draws its labels locally: no network.
GENERIC: dict[str, Any] = {
    "carrier": "generic",
    "settings": {
        "display_name": "Bench Post",
        "custom_carrier_name": "bench_post",
        "services": [
            {
                "service_name": "Overnight",
                "service_code": "ON",
                "currency": "NZD",
                "weight_unit": "KG",
                "max_weight": 25,
                "zones": [{"label": "NZ", "rate": 9.8, "country_codes": ["NZ"]}],
            }
        ],
    },
    "services": [{"code": "ON", "name": "Overnight", "max_weight_grams": 25_000}],
    "tracking_url_template": "https://track.example.com/{ticket}",
}


def _time(fn: Any, count: int) -> tuple[dict[str, float | None], int]:
    """Percentiles of ``fn(n)`` in ms, and the total bytes it returned."""
    samples, total = [], 0
    for n in range(count):
        started = time.perf_counter()
        total += len(fn(n))
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples), total


def consignment_label_bytes() -> dict[str, Any]:
    """ms from ``create`` to label bytes: own-label → ZPL, and the Karrio bridge with
    karrio-generic → Station's ZPL (carrier PDF made too) or the carrier's own ZPL."""
    from station.carriers import (
        InMemoryConsignmentStore,
        InMemoryTicketAllocator,
        OwnLabelCarrier,
        default_services,
        load_default_rate_card,
    )
    from station.labels import render_zpl

    own = OwnLabelCarrier(
        rate_card=load_default_rate_card(),
        services=default_services(),
        allocator=InMemoryTicketAllocator(),
        store=InMemoryConsignmentStore(),
    )
    render_zpl(own.create(sample_shipment(-1), "warm-up").labels[0])
    ownlabel, _ = _time(
        lambda n: render_zpl(own.create(sample_shipment(n), f"own-{n}").labels[0]), CONSIGNMENTS
    )
    report: dict[str, Any] = {"consignments": CONSIGNMENTS, "ownlabel_create_to_zpl": ownlabel}
    if importlib.util.find_spec("karrio") is None:
        report["karrio"] = "skipped: the karrio extra is not installed"
        return report

    from station.carriers.karrio import KarrioCarrier, KarrioConfig

    connect_started = time.perf_counter()
    pdf = KarrioCarrier(KarrioConfig.from_dict(GENERIC), InMemoryConsignmentStore())
    connect_ms = (time.perf_counter() - connect_started) * 1000
    zpl = KarrioCarrier(
        KarrioConfig.from_dict({**GENERIC, "label_format": "ZPL"}), InMemoryConsignmentStore()
    )
    for carrier in (pdf, zpl):
        carrier.create(sample_shipment(-1), "warm-up")  # fonts, barcode writer, templates

    station_zpl, _ = _time(
        lambda n: render_zpl(pdf.create(sample_shipment(n), f"k-{n}").labels[0]), CONSIGNMENTS
    )
    carrier_pdf, pdf_bytes = _time(
        lambda n: pdf.create(sample_shipment(n), f"p-{n}").carrier_label, CONSIGNMENTS
    )
    carrier_zpl, zpl_bytes = _time(
        lambda n: zpl.create(sample_shipment(n), f"z-{n}").carrier_label, CONSIGNMENTS
    )
    repeat, _ = _time(
        lambda n: render_zpl(pdf.create(sample_shipment(n), "k-0").labels[0]), CONSIGNMENTS
    )
    report.update(
        {
            "karrio_first_connect_ms": round(connect_ms, 1),
            "karrio_generic_create_to_station_zpl": station_zpl,
            "karrio_generic_create_to_carrier_pdf": carrier_pdf,
            "karrio_generic_carrier_pdf_bytes_each": pdf_bytes // CONSIGNMENTS,
            "karrio_generic_create_to_carrier_zpl": carrier_zpl,
            "karrio_generic_carrier_zpl_bytes_each": zpl_bytes // CONSIGNMENTS,
            "karrio_repeat_key_to_station_zpl": repeat,
        }
    )
    return report
