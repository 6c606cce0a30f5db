"""Packing slips for Station's orders (the barcode on them opens the order at the bench)."""

from __future__ import annotations

from datetime import date

from station.addresses import Address
from station.labels import PackingSlip, PackingSlipLine
from station.labels.layout import barcode_problems
from station.models import SalesOrder


def packing_slip(order: SalesOrder, *, today: date) -> PackingSlip:
    """The packing slip of ``order``: delivery address and every line to pack."""
    name = " ".join(p for p in (order.delivery_first_name, order.delivery_last_name) if p)
    ship_to = Address(
        name=name or order.customer_name,
        company=order.delivery_company or "",
        lines=tuple(line for line in (order.delivery_address1, order.delivery_address2) if line),
        city=order.delivery_city or "",
        region=order.delivery_state or "",
        postcode=order.delivery_postal_code or "",
        country=order.delivery_country or "",
        phone=order.phone or order.mobile or "",
    )
    lines = tuple(
        PackingSlipLine(
            sku=line.code or "",
            name=line.name or "",
            qty=line.qty,
            options=" / ".join(o for o in (line.option1, line.option2, line.option3) if o),
        )
        for line in order.lines
    )
    # The bench opens an order by its reference or its Cin7 id: a reference a Code 128
    # cannot carry (accents, too long) is printed as text and the barcode holds the id.
    fits = not barcode_problems("reference", order.reference)
    return PackingSlip(
        reference=order.reference,
        barcode="" if fits else str(order.cin7_id),
        ship_to=ship_to,
        lines=lines,
        printed_on=today,
        notes=order.delivery_instructions,
    )


def packing_slip_pdf(order: SalesOrder, *, today: date) -> bytes:
    """The packing slip of ``order`` as an A4 PDF."""
    from station.labels.pdf import render_packing_slip  # reportlab: only where a PDF is drawn

    return render_packing_slip(packing_slip(order, today=today))
