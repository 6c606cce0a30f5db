"""Booking consignments, cost centres and presets on top of the carriers."""
