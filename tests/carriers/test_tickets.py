"""Ticket numbers: the Luhn check digit, ranges, allocation and running out."""

from __future__ import annotations

import pytest

from station.carriers import (
    CarrierMisconfigured,
    InMemoryTicketAllocator,
    TicketRange,
    TicketRangeExhausted,
    check_ticket,
)
from station.carriers.tickets import issue_ticket, luhn_check_digit, luhn_valid


class TestLuhn:
    def test_known_vector(self) -> None:
        # The worked example in ISO/IEC 7812-1 write-ups (Wikipedia, "Luhn algorithm").
        assert luhn_check_digit("7992739871") == 3
        assert luhn_valid("79927398713")

    @pytest.mark.parametrize("payload", ["7", "1234", "10000000", "999999999999999999"])
    def test_leading_zeros_do_not_change_the_digit(self, payload: str) -> None:
        assert luhn_check_digit("000" + payload) == luhn_check_digit(payload)

    @pytest.mark.parametrize("digits", ["", "12a", "١٢٣", " 12"])
    def test_only_ascii_digits_have_a_check_digit(self, digits: str) -> None:
        with pytest.raises(ValueError):
            luhn_check_digit(digits)


class TestCheckTicket:
    @pytest.mark.parametrize(
        "ticket",
        [
            "ON100000009",
            "EC000000018",
            "79927398713",
            "ON100000009NZ",
            "ABCD0000075WXYZ",
        ],
    )
    def test_valid_tickets(self, ticket: str) -> None:
        assert check_ticket(ticket)

    @pytest.mark.parametrize(
        "ticket",
        [
            pytest.param("ON100000008", id="wrong-check-digit"),
            pytest.param("EC000000081", id="last-two-digits-swapped"),
            pytest.param("ON010000009", id="neighbours-swapped"),
            pytest.param("ON100000709", id="one-digit-mistyped"),
            pytest.param("on100000009", id="lowercase-prefix"),
            pytest.param("ONXYZ100000009", id="prefix-too-long"),
            pytest.param("ON 100000009", id="space"),
            pytest.param("ON10000000٩", id="non-ascii-digit"),
            pytest.param("ON1", id="no-room-for-a-check-digit"),
            pytest.param("ON", id="no-digits"),
            pytest.param("", id="empty"),
        ],
    )
    def test_invalid_tickets(self, ticket: str) -> None:
        assert not check_ticket(ticket)

    def test_luhn_cannot_see_a_09_90_swap(self) -> None:
        # The one adjacent swap Luhn misses, as documented in station.carriers.tickets.
        assert check_ticket("ON100000009") and check_ticket("ON100000090")


class TestTicketRange:
    @pytest.mark.parametrize(
        ("ticket_range", "number", "ticket"),
        [
            (TicketRange("ON", 10_000_000, 19_999_999), 10_000_000, "ON100000009"),
            (TicketRange("EC", 0, 99_999_999), 1, "EC000000018"),
            (TicketRange("AB", 1, 999, digits=6), 7, "AB0000075"),
            (TicketRange("", 1, 99, suffix="NZ"), 5, "059NZ"),
        ],
    )
    def test_ticket_is_prefix_padded_number_check_digit_suffix(
        self, ticket_range: TicketRange, number: int, ticket: str
    ) -> None:
        assert ticket_range.ticket(number) == ticket
        assert check_ticket(ticket)

    def test_numbers_outside_the_range_are_not_tickets(self) -> None:
        with pytest.raises(ValueError, match="outside ticket range ON1000-1999"):
            TicketRange("ON", 1000, 1999).ticket(2000)

    @pytest.mark.parametrize(
        ("kwargs", "problem"),
        [
            ({"prefix": "on"}, "ticket prefix 'on' must be 0–4 capital letters A–Z"),
            ({"prefix": "ABCDE"}, "ticket prefix 'ABCDE' must be 0–4 capital letters A–Z"),
            ({"prefix": "O1"}, "ticket prefix 'O1' must be 0–4 capital letters A–Z"),
            ({"suffix": "nz"}, "ticket suffix 'nz' must be 0–4 capital letters A–Z"),
            ({"first": -1}, "first ticket number -1 cannot be negative"),
            ({"last": 99}, "last ticket number 99 is before the first, 100"),
            ({"digits": 2}, "ticket digits must be 3–18 to fit 999, not 2"),
            ({"digits": 19}, "ticket digits must be 3–18 to fit 999, not 19"),
        ],
    )
    def test_bad_ranges_are_refused(self, kwargs: dict[str, object], problem: str) -> None:
        fields: dict[str, object] = {"prefix": "ON", "first": 100, "last": 999}
        fields.update(kwargs)
        with pytest.raises(CarrierMisconfigured) as caught:
            TicketRange(**fields)  # type: ignore[arg-type]
        assert caught.value.problems == (problem,)

    def test_every_range_problem_is_listed(self) -> None:
        with pytest.raises(CarrierMisconfigured) as caught:
            TicketRange("on", 5, 1, suffix="x")
        assert len(caught.value.problems) == 3

    @pytest.mark.parametrize(
        ("other", "overlaps"),
        [
            (TicketRange("ON", 1999, 2999), True),
            (TicketRange("ON", 2000, 2999), False),
            (TicketRange("EC", 1000, 1999), False),
            (TicketRange("ON", 1000, 1999, suffix="NZ"), False),
        ],
    )
    def test_overlap_means_the_same_ticket_could_be_printed(
        self, other: TicketRange, overlaps: bool
    ) -> None:
        assert TicketRange("ON", 1000, 1999).overlaps(other) is overlaps


class TestAllocation:
    def test_numbers_count_up_from_first_per_range(self) -> None:
        allocator = InMemoryTicketAllocator()
        taken = [allocator.next_number("a", 5, 9) for _ in range(3)]
        assert taken == [5, 6, 7]
        assert allocator.next_number("b", 100, 200) == 100
        assert allocator.next_number("a", 5, 9) == 8

    def test_issue_ticket_formats_the_allocated_number(self) -> None:
        allocator = InMemoryTicketAllocator()
        tickets = TicketRange("T", 1, 3)
        issued = [issue_ticket(allocator, tickets, range_key="k", service="Test") for _ in range(3)]
        assert issued == [tickets.ticket(1), tickets.ticket(2), tickets.ticket(3)]
        assert all(check_ticket(ticket) for ticket in issued)

    def test_an_exhausted_range_names_the_service_and_range(self) -> None:
        allocator = InMemoryTicketAllocator()
        tickets = TicketRange("T", 1, 2)
        for _ in range(2):
            issue_ticket(allocator, tickets, range_key="ownlabel:T:T1-2", service="Overnight")
        with pytest.raises(TicketRangeExhausted) as caught:
            issue_ticket(allocator, tickets, range_key="ownlabel:T:T1-2", service="Overnight")
        error = caught.value
        assert (error.service, error.range_key, error.first, error.last) == (
            "Overnight",
            "ownlabel:T:T1-2",
            1,
            2,
        )
        assert str(error) == (
            "Overnight tickets are used up: every number in 1–2 has been issued "
            "(range ownlabel:T:T1-2); load a new ticket range from the carrier"
        )

    def test_an_exhausted_range_stays_exhausted(self) -> None:
        allocator = InMemoryTicketAllocator()
        allocator.next_number("k", 1, 1)
        for _ in range(2):
            with pytest.raises(TicketRangeExhausted):
                allocator.next_number("k", 1, 1)
