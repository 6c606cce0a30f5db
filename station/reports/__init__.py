"""Reports for managers: dispatches, freight cost against charge, blocked orders; charts, CSV."""
