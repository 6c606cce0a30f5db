"""The warehouse's clock for pages: the ``TIMEZONE`` setting as a time zone."""

from __future__ import annotations

from datetime import tzinfo

from flask import current_app

from station.shipping.cutoffs import zone_named


def warehouse_zone() -> tzinfo:
    """The time zone of the warehouse (``STATION_TIMEZONE``, Pacific/Auckland by default)."""
    return zone_named(current_app.config.get("TIMEZONE"))
