"""Ticket numbers for the own-label carrier: ranges, allocation and the check digit.

A ticket is ``prefix + zero-padded number + check digit + suffix``, e.g. ``ON100000003``.
Prefix and suffix are 0–4 capital letters, so the digits in the middle can always be
found again. The check digit is the **Luhn mod-10** digit (ISO/IEC 7812-1, the one on
payment cards) computed over the zero-padded number: it catches every single mistyped
digit and almost every swap of two neighbouring digits (all but 09 ↔ 90). Leading zeros
do not change a Luhn digit, so the padding width never matters to ``check_ticket``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Protocol

from station.carriers.errors import CarrierMisconfigured, TicketRangeExhausted

_AFFIX = re.compile(r"[A-Z]{0,4}")
_TICKET = re.compile(r"[A-Z]{0,4}([0-9]{2,19})[A-Z]{0,4}")
_MAX_DIGITS = 18


def luhn_check_digit(digits: str) -> int:
    """The Luhn mod-10 check digit to append to the ASCII digits ``digits``."""
    if not re.fullmatch(r"[0-9]+", digits):
        raise ValueError(f"Luhn needs digits 0-9, not {digits!r}")
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # the digit next to the check digit is doubled
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return (10 - total % 10) % 10


def luhn_valid(digits: str) -> bool:
    """True when the last of ``digits`` is the Luhn check digit of the rest."""
    if not re.fullmatch(r"[0-9]{2,}", digits):
        return False
    return luhn_check_digit(digits[:-1]) == int(digits[-1])


def check_ticket(ticket: str) -> bool:
    """True when ``ticket`` is shaped like an own-label ticket and its check digit is right."""
    match = _TICKET.fullmatch(ticket)
    return bool(match) and luhn_valid(match.group(1))


@dataclass(frozen=True, slots=True)
class TicketRange:
    """Ticket numbers ``first``..``last`` (inclusive) that the carrier allotted to a service.

    ``digits`` is the zero-padded width of the number (default: as wide as ``last``).
    Raises ``CarrierMisconfigured`` listing every problem.
    """

    prefix: str
    first: int
    last: int
    suffix: str = ""
    digits: int | None = None

    def __post_init__(self) -> None:
        problems = ticket_range_problems(
            self.prefix, self.first, self.last, self.suffix, self.digits
        )
        if problems:
            raise CarrierMisconfigured(f"ticket range {self.prefix}…{self.suffix}", problems)

    @property
    def width(self) -> int:
        """How many digits the number is padded to (the check digit comes after)."""
        return self.digits or len(str(self.last))

    @property
    def size(self) -> int:
        """How many tickets the range holds."""
        return self.last - self.first + 1

    @property
    def spec(self) -> str:
        """The range as written by carriers, e.g. 'ON10000000-19999999'."""
        return f"{self.prefix}{self.first:0{self.width}d}-{self.last:0{self.width}d}{self.suffix}"

    def ticket(self, number: int) -> str:
        """The ticket for ``number``: prefix, padded number, Luhn digit, suffix."""
        if not self.first <= number <= self.last:
            raise ValueError(f"{number} is outside ticket range {self.spec}")
        body = f"{number:0{self.width}d}"
        return f"{self.prefix}{body}{luhn_check_digit(body)}{self.suffix}"

    def overlaps(self, other: TicketRange) -> bool:
        """True when the two ranges could print the same ticket."""
        return (
            self.prefix == other.prefix
            and self.suffix == other.suffix
            and self.first <= other.last
            and other.first <= self.last
        )


def ticket_range_problems(
    prefix: str, first: int, last: int, suffix: str, digits: int | None
) -> list[str]:
    """Everything wrong with a ticket range definition (empty when it is usable)."""
    problems = []
    for what, affix in (("prefix", prefix), ("suffix", suffix)):
        if not _AFFIX.fullmatch(affix):
            problems.append(f"ticket {what} {affix!r} must be 0–4 capital letters A–Z")
    if first < 0:
        problems.append(f"first ticket number {first} cannot be negative")
    if last < first:
        problems.append(f"last ticket number {last} is before the first, {first}")
    needed = len(str(max(last, 0)))
    if digits is not None and not needed <= digits <= _MAX_DIGITS:
        problems.append(f"ticket digits must be {needed}–{_MAX_DIGITS} to fit {last}, not {digits}")
    elif needed > _MAX_DIGITS:
        problems.append(f"last ticket number {last} is longer than {_MAX_DIGITS} digits")
    return problems


class TicketAllocator(Protocol):
    """Hands out ticket numbers; each number of a range is issued at most once.

    Real implementations must be atomic across processes (a row lock or an
    ``UPDATE ... RETURNING`` on a counter row keyed by ``range_key``).
    """

    def next_number(self, range_key: str, first: int, last: int) -> int:
        """The next unissued number in ``first..last``; raises ``TicketRangeExhausted``."""
        ...


class InMemoryTicketAllocator:
    """A ``TicketAllocator`` in a dict (tests and demos): counts up from ``first``."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}
        self._lock = threading.Lock()

    def next_number(self, range_key: str, first: int, last: int) -> int:
        """The next unissued number in ``first..last``; raises ``TicketRangeExhausted``."""
        with self._lock:
            number = max(self._next.get(range_key, first), first)
            if number > last:
                raise TicketRangeExhausted(range_key, first, last)
            self._next[range_key] = number + 1
            return number


def issue_ticket(
    allocator: TicketAllocator, ticket_range: TicketRange, *, range_key: str, service: str
) -> str:
    """Take the next number of ``ticket_range`` and return its ticket.

    Raises ``TicketRangeExhausted`` naming ``service`` when the range is used up.
    """
    try:
        number = allocator.next_number(range_key, ticket_range.first, ticket_range.last)
    except TicketRangeExhausted as exc:
        raise TicketRangeExhausted(
            range_key, ticket_range.first, ticket_range.last, service=service
        ) from exc
    return ticket_range.ticket(number)
