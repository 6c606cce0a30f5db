"""Shipments and label layouts as JSON, so a consignment row can replay or reprint them."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from station.addresses import Address
from station.carriers.base import Parcel, Shipment
from station.labels.layout import LabelLayout


def shipment_to_json(shipment: Shipment) -> dict[str, Any]:
    """``shipment`` as plain JSON values (tuples become lists)."""
    return asdict(shipment)


def shipment_from_json(data: dict[str, Any]) -> Shipment:
    """The ``Shipment`` that ``shipment_to_json`` wrote."""
    return Shipment(
        sender=_address(data["sender"]),
        receiver=_address(data["receiver"]),
        parcels=tuple(Parcel(**parcel) for parcel in data["parcels"]),
        service_code=data["service_code"],
        reference=data["reference"],
        rural=data.get("rural"),
    )


def layout_to_json(layout: LabelLayout) -> dict[str, Any]:
    """One label layout as plain JSON values."""
    data = asdict(layout)
    data["printed_on"] = layout.printed_on.isoformat()
    return data


def layout_from_json(data: dict[str, Any]) -> LabelLayout:
    """The ``LabelLayout`` that ``layout_to_json`` wrote."""
    return LabelLayout(
        **{
            **data,
            "sender": _address(data["sender"]),
            "receiver": _address(data["receiver"]),
            "printed_on": date.fromisoformat(data["printed_on"]),
        }
    )


def _address(data: dict[str, Any]) -> Address:
    return Address(**{**data, "lines": tuple(data.get("lines", ()))})
