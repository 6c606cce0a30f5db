"""What can go wrong rating, creating, voiding or tracking a consignment.

CarrierError (a StationError)
 ├── CarrierUnavailable    the carrier cannot be reached (network, outage); try again later
 ├── CarrierMisconfigured  a service, ticket range or tracking URL template is invalid;
 │                         carries ``problems``
 ├── RateCardInvalid       an uploaded rate card CSV has errors; carries every
 │                         problem as ``rows`` (line, column, message) and ``problems``
 ├── ShipmentRefused       the shipment cannot be sent as given; carries every ``problems``
 │                         entry (missing address fields, weight over the service max, ...)
 ├── TicketRangeExhausted  a service has used every ticket number in its range
 ├── VoidRefused           a consignment cannot be voided (window passed, already voided)
 └── UnsupportedOperation  the carrier does not offer this operation at all

``str()`` is always a message a packer or manager can act on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from station.errors import StationError


class CarrierError(StationError):
    """A carrier operation failed; ``str()`` says what happened and what to do."""


class CarrierUnavailable(CarrierError):
    """The carrier could not be reached or did not answer; the shipment may be retried."""


class _ProblemsError(CarrierError):
    """A carrier error that lists every problem found, so they are fixed in one go."""

    def __init__(self, summary: str, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__(f"{summary}: {'; '.join(self.problems)}" if self.problems else summary)


class CarrierMisconfigured(_ProblemsError):
    """A carrier's services, ticket ranges or tracking URL template are invalid."""

    def __init__(self, what: str, problems: Iterable[str]) -> None:
        self.what = what
        super().__init__(f"{what} is misconfigured", problems)


@dataclass(frozen=True, slots=True)
class RateCardProblem:
    """One rate card problem: its line (0: the whole file), column ("": the whole row), message."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class RateCardInvalid(_ProblemsError):
    """A rate card CSV has errors: ``rows`` by line and column, ``problems`` as 'line N: ...'."""

    def __init__(self, rows: Iterable[RateCardProblem]) -> None:
        self.rows: tuple[RateCardProblem, ...] = tuple(rows)
        super().__init__("the rate card has errors", (str(row) for row in self.rows))


class ShipmentRefused(_ProblemsError):
    """The shipment cannot be sent as given; ``problems`` lists everything to fix."""

    def __init__(self, reference: str, problems: Iterable[str]) -> None:
        self.reference = reference
        super().__init__(f"shipment {reference or '(no reference)'} refused", problems)


class TicketRangeExhausted(CarrierError):
    """Every ticket number in a service's range has been issued."""

    def __init__(self, range_key: str, first: int, last: int, *, service: str = "") -> None:
        self.range_key = range_key
        self.first = first
        self.last = last
        self.service = service
        who = f"{service} tickets" if service else "Tickets"
        super().__init__(
            f"{who} are used up: every number in {first}–{last} has been issued "
            f"(range {range_key}); load a new ticket range from the carrier"
        )


class VoidRefused(CarrierError):
    """The consignment cannot be voided: its window has passed or it is already void."""


class UnsupportedOperation(CarrierError):
    """The carrier does not offer this operation (e.g. tracking for own-label tickets)."""

    def __init__(self, carrier: str, operation: str) -> None:
        self.carrier = carrier
        self.operation = operation
        super().__init__(f"{carrier} does not support {operation}")
