"""The queries behind one report page or CSV file, each run at most once."""

from __future__ import annotations

from functools import cached_property

from sqlalchemy.orm import Session

from station.dispatch.checks import ShipRules
from station.reports import blocked, dispatches, freight
from station.reports.blocked import BlockedGroup, BlockedSummary
from station.reports.dispatches import Tally
from station.reports.freight import FreightLine
from station.reports.period import ReportQuery


class Sources:
    """What the tables of a report read, fetched on first use for ``query``."""

    def __init__(self, session: Session, query: ReportQuery, *, rules: ShipRules) -> None:
        self.session = session
        self.query = query
        self.rules = rules

    @cached_property
    def per_day(self) -> list[Tally]:
        """Dispatches per local day."""
        return dispatches.per_day(self.session, self.query)

    @cached_property
    def per_hour(self) -> list[Tally]:
        """Dispatches per local hour of the day."""
        return dispatches.per_hour(self.session, self.query)

    @cached_property
    def per_packer(self) -> list[Tally]:
        """Dispatches per packer."""
        return dispatches.per_packer(self.session, self.query)

    @cached_property
    def per_service(self) -> list[Tally]:
        """Dispatches per carrier and service."""
        return dispatches.per_service(self.session, self.query)

    @cached_property
    def freight_per_carrier(self) -> list[FreightLine]:
        """Freight cost and charge per carrier."""
        return freight.freight_per_carrier(self.session, self.query)

    @cached_property
    def freight_per_cost_centre(self) -> list[FreightLine]:
        """Freight cost and charge per cost centre."""
        return freight.freight_per_cost_centre(self.session, self.query)

    @cached_property
    def blocked(self) -> list[BlockedGroup]:
        """Orders the bench would refuse now, by check, every one of them (the CSV file)."""
        return blocked.blocked_now(self.session, self.rules)

    @cached_property
    def blocked_summary(self) -> BlockedSummary:
        """How many orders the bench would refuse now, by check (counted by the database)."""
        return blocked.blocked_summary(self.session, self.rules)

    @property
    def dispatch_count(self) -> int:
        """Dispatches in the period (after the carrier and packer filters)."""
        return sum(tally.count for tally in self.per_day)
