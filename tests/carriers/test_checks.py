"""Carrier-neutral shipment checks: address fields, parcel weights, rural addresses."""

from __future__ import annotations

import pytest

from station.carriers import Parcel
from station.carriers.checks import address_problems, parcel_problems, rural_from_address
from tests.carriers.samples import address


class TestAddressProblems:
    def test_a_complete_address_has_none(self) -> None:
        assert address_problems(address(), "receiver") == []

    @pytest.mark.parametrize(
        ("changes", "problem"),
        [
            ({"name": ""}, "receiver name is missing"),
            ({"city": "  "}, "receiver city is missing"),
            ({"lines": ()}, "receiver address line is missing"),
            ({"lines": ("", "  ")}, "receiver address line is missing"),
            ({"postcode": ""}, "receiver postcode is missing"),
            ({"postcode": "12345"}, "receiver postcode '12345' is not a 4-digit postcode"),
            ({"country": ""}, "receiver country is missing"),
            ({"country": "GB"}, "receiver country 'GB' is not served (NZ or AU)"),
        ],
    )
    def test_each_missing_field(self, changes: dict[str, object], problem: str) -> None:
        assert address_problems(address(**changes), "receiver") == [problem]

    @pytest.mark.parametrize(("postcode", "country"), [("870", "AU"), (" 1010 ", "nz")])
    def test_lost_leading_zeros_and_case_are_forgiven(self, postcode: str, country: str) -> None:
        assert address_problems(address(postcode=postcode, country=country), "receiver") == []


@pytest.mark.parametrize(
    ("weight", "problems"),
    [
        (1, []),
        (0, ["parcel 2 weight must be more than 0 g, not 0 g"]),
        (-1, ["parcel 2 weight must be more than 0 g, not -1 g"]),
        (2.0, ["parcel 2 weight must be whole grams, not 2.0"]),
        (True, ["parcel 2 weight must be whole grams, not True"]),
    ],
)
def test_parcel_weights_are_whole_grams_above_zero(weight: int, problems: list[str]) -> None:
    assert parcel_problems(2, Parcel(weight)) == problems


@pytest.mark.parametrize(
    ("lines", "city", "country", "rural"),
    [
        (("12 Kahikatea Road", "RD 2"), "Raglan", "NZ", True),
        (("12 Kahikatea Road, RD2",), "Raglan", "NZ", True),
        (("Rural Delivery 12",), "Raglan", "NZ", True),
        (("12 Kahikatea Road",), "RD 1 Raglan", "NZ", True),
        (("45 Queen Street",), "Auckland", "NZ", False),
        (("12 Lord Street",), "Auckland", "NZ", False),
        (("3 Third Road",), "Auckland", "NZ", False),
        (("12 Kahikatea Road", "RD 2"), "Perth", "AU", False),
    ],
)
def test_rural_delivery_is_read_from_nz_addresses(
    lines: tuple[str, ...], city: str, country: str, rural: bool
) -> None:
    assert rural_from_address(address(lines=lines, city=city, country=country)) is rural
