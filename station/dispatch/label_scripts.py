"""Before a label prints: will the bench's printer print the address as it is written?

A ZPL printer without a Unicode font (Settings on the printer form) draws Latin letters
only; Station transliterates the rest (``station.labels.script``). The packer is told at
the bench, before shipping, so a parcel to 東京 does not leave with a surprise.
"""

from __future__ import annotations

from printers.errors import PrinterRejected
from printers.transport import PrinterFormat
from station.addresses import Address
from station.dispatch.checks import receiver_of
from station.labels.layout import clean_text
from station.labels.script import transliterations
from station.models import Printer, SalesOrder
from station.printing.transports import printer_spec

SHOWN = 4  # words named in the notice; the rest are counted


def transliteration_notice(order: SalesOrder, printer: Printer | None) -> str | None:
    """The bench's warning when ``printer`` prints the order's address transliterated."""
    if printer is None:
        return None
    try:
        spec = printer_spec(printer)
    except PrinterRejected:
        return None  # a misconfigured printer is refused, with its reason, when it prints
    if spec.format is not PrinterFormat.ZPL or spec.unicode_font:
        return None
    changed = transliterations(clean_text(text) for text in _texts(receiver_of(order)))
    if not changed:
        return None
    named = ", ".join(f"{word} → {shown}" for word, shown in changed[:SHOWN])
    more = f" and {len(changed) - SHOWN} more" if len(changed) > SHOWN else ""
    return (
        f"The address is transliterated on {printer.name}: {named}{more}. "
        "Set the printer's Unicode font to print it as written."
    )


def _texts(receiver: Address) -> list[str]:
    """Every line of the receiver's address as the label prints it."""
    address = receiver.label_address()
    return [
        address.name,
        address.company,
        *address.lines,
        address.locality,
        address.country,
        address.phone,
    ]
