"""The one address type dispatch, carriers, shipping and labels share."""

from __future__ import annotations

from station.addresses import Address


def test_label_address_trims_and_drops_blank_lines() -> None:
    ship_to = Address(
        name=" Aroha Ngata ",
        company="",
        lines=("Flat 2", "  ", " 45 Queen Street"),
        city="Auckland",
        postcode="1010",
        country="NZ",
        phone="021 555 0101",
        email="aroha@example.com",
    )
    assert ship_to.label_address() == Address(
        name="Aroha Ngata",
        lines=("Flat 2", "45 Queen Street"),
        city="Auckland",
        postcode="1010",
        country="NZ",
        phone="021 555 0101",
    )


def test_a_tidy_address_without_email_prints_as_it_is() -> None:
    """A shipment's address and its label's are one type, so a tidy one compares equal."""
    receiver = Address("Aroha Ngata", lines=("45 Queen Street",), city="Auckland", country="NZ")
    assert receiver.label_address() == receiver
