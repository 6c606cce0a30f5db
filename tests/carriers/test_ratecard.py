"""Rate cards: golden prices, zones by postcode, and CSV errors reported by line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from station.carriers import RateCard, RateCardInvalid, load_default_rate_card, load_rate_card
from station.carriers.errors import RateCardProblem
from station.carriers.ownlabel import default_services
from station.carriers.ratecard import PriceBand, ZoneRange, default_rate_card_text


class TestParcelCost:
    @pytest.mark.parametrize(
        ("service", "zone", "grams", "expected"),
        [
            pytest.param("ON", "AKL", 1, "6.50", id="lightest"),
            pytest.param("ON", "AKL", 1000, "6.50", id="band-edge-is-inclusive"),
            pytest.param("ON", "AKL", 1001, "9.80", id="one-gram-over-moves-up-a-band"),
            pytest.param("ON", "AKL", 10_000, "14.00", id="heaviest-band"),
            pytest.param("ON", "AKL", 10_001, "15.20", id="one-gram-over-costs-a-whole-kg"),
            pytest.param("ON", "AKL", 11_000, "15.20", id="exactly-one-kg-over"),
            pytest.param("ON", "AKL", 11_001, "16.40", id="second-started-kg"),
            pytest.param("ON", "AKL", 25_000, "32.00", id="fifteen-kg-over"),
            pytest.param("ON", "SI", 10_500, "22.13", id="per-kg-1.125-rounds-half-up"),
            pytest.param("ON", "SI", 12_000, "23.25", id="two-kg-at-1.125"),
            pytest.param("EC", "AKL", 1500, "5.13", id="base-5.125-rounds-half-up"),
            pytest.param("ON", "SYD", 800, "24.00", id="au-zone"),
            pytest.param("ON", "SYD", 6000, "54.50", id="au-per-kg"),
        ],
    )
    def test_golden_prices(
        self, card: RateCard, service: str, zone: str, grams: int, expected: str
    ) -> None:
        cost = card.parcel_cost(service, zone, grams, rural=False)
        assert cost == Decimal(expected)
        assert cost is not None and cost.as_tuple().exponent == -2

    @pytest.mark.parametrize(
        ("service", "zone", "grams", "expected"),
        [
            ("ON", "AKL", 500, "11.40"),
            ("ON", "AKL", 12_000, "21.30"),
            ("EC", "AKL", 1500, "10.03"),  # 5.125 + 4.90 = 10.025, rounded once
        ],
    )
    def test_rural_adds_the_surcharge_per_parcel(
        self, card: RateCard, service: str, zone: str, grams: int, expected: str
    ) -> None:
        assert card.parcel_cost(service, zone, grams, rural=True) == Decimal(expected)

    @pytest.mark.parametrize(
        ("service", "zone", "grams"),
        [
            pytest.param("ON", "PER", 5001, id="heaviest-band-without-per-kg"),
            pytest.param("EC", "SI", 500, id="service-not-priced-to-zone"),
            pytest.param("XX", "AKL", 500, id="unknown-service"),
            pytest.param("ON", "AKL", 0, id="zero-grams"),
        ],
    )
    def test_unpriced_weights_have_no_cost(
        self, card: RateCard, service: str, zone: str, grams: int
    ) -> None:
        assert card.parcel_cost(service, zone, grams, rural=False) is None


class TestZones:
    @pytest.mark.parametrize(
        ("country", "postcode", "zone"),
        [
            ("NZ", "2000", "AKL"),
            ("AU", "2000", "SYD"),
            ("NZ", "0600", "AKL"),
            ("NZ", "600", "AKL"),  # a spreadsheet dropped the leading zero
            ("nz", " 2699 ", "AKL"),
            ("NZ", "9999", "SI"),
            ("AU", "6199", "PER"),
            ("AU", "2250", None),
            ("NZ", "0599", None),
            ("NZ", "ABCD", None),
            ("NZ", "10100", None),
            ("US", "2000", None),
        ],
    )
    def test_zone_for_postcode(
        self, card: RateCard, country: str, postcode: str, zone: str | None
    ) -> None:
        assert card.zone_for(country, postcode) == zone


class TestLoading:
    def test_golden_card_parses_to_whole_structure(self, card: RateCard) -> None:
        assert card.zones == (
            ZoneRange("AKL", "NZ", 600, 2699),
            ZoneRange("SI", "NZ", 7000, 9999),
            ZoneRange("SYD", "AU", 2000, 2249),
            ZoneRange("PER", "AU", 6000, 6199),
        )
        assert card.bands_for("ON", "SI") == (
            PriceBand("ON", "SI", 1000, Decimal("9.75")),
            PriceBand("ON", "SI", 10_000, Decimal("21.00"), Decimal("1.125")),
        )
        assert card.rural_surcharge == Decimal("4.90")
        assert card.currency == "NZD"
        assert card.services() == {"ON", "EC"}

    def test_spreadsheet_quirks_are_accepted(self) -> None:
        text = (
            "\ufeffZone,Country,Postcode_From,Postcode_To,,\r\n"
            "# a comment row\r\n"
            ",,,\r\n"
            "akl,nz,600,2699,,\r\n"
            "service,zone,max_weight_grams,base_price\r\n"
            "on,akl,1000,$6.50,,\r\n"
        )
        card = load_rate_card(text)
        assert card.zones == (ZoneRange("AKL", "NZ", 600, 2699),)
        assert card.bands == (PriceBand("ON", "AKL", 1000, Decimal("6.50")),)
        assert card.rural_surcharge == Decimal("0.00")
        assert card.currency == "NZD"

    def test_every_row_error_is_reported_with_its_line(self) -> None:
        text = "\n".join(
            [
                "ON,AKL,1000,6.50",  # 1
                "zone,country,postcode_from,postcode_to",  # 2
                "AKL,NZ,0600,2699",  # 3
                "BAD ZONE,NZ,0100,0200",  # 4
                "HAM,US,3000,3999",  # 5
                "WLG,NZ,6000,59X9",  # 6
                "CHC,NZ,8000,7000",  # 7
                "NSH,NZ,2000,2100",  # 8
                "AKL,AU,3000,3100",  # 9
                "SYD,AU,2000",  # 10
                "service,zone,max_weight_grams,base_price,per_kg_over",  # 11
                "ON,AKL,1000,6.50,1.00",  # 12
                "ON,AKL,1000,7.00",  # 13
                "ON,AKL,5000,9.80,1.20",  # 14
                "ON,NOWHERE,1000,5.00",  # 15
                "ON,AKL,heavy,abc,-1",  # 16
                "setting,value",  # 17
                "rural_surcharge,lots",  # 18
                "colour,blue",  # 19
                "currency,NZD",  # 20
                "currency,AUD",  # 21
                "currency",  # 22
            ]
        )
        with pytest.raises(RateCardInvalid) as caught:
            load_rate_card(text, known_services={"ON", "EC"})
        assert caught.value.problems == (
            "line 1: expected a section header (zone,…  service,…  setting,value)",
            "line 4: zone 'BAD ZONE' must be letters, digits, '-' or '_'",
            "line 5: country 'US' must be one of NZ, AU",
            "line 6: postcode_to '59X9' is not a 4-digit postcode",
            "line 7: postcode_from 8000 is after postcode_to 7000",
            "line 8: NZ postcodes 2000–2100 overlap zone AKL 0600–2699 (line 3)",
            "line 9: zone AKL is already used for NZ (line 3)",
            "line 10: expected 4 values (zone,country,postcode_from,postcode_to), got 3",
            "line 12: per_kg_over only applies to the heaviest ON band to AKL (up to 5000 g, line 14)",
            "line 13: ON to AKL up to 1000 g is already priced on line 12",
            "line 15: zone 'NOWHERE' is not defined in the zone section",
            "line 16: max_weight_grams 'heavy' must be a whole number above 0",
            "line 16: base_price 'abc' must be an amount under 100000 like 6.50",
            "line 16: per_kg_over '-1' must be an amount under 100000 like 1.20",
            "line 18: rural_surcharge 'lots' must be an amount under 100000 like 4.90",
            "line 19: unknown setting 'colour' (known: currency, rural_surcharge)",
            "line 21: currency is already set on line 20",
            "line 22: expected 2 values (setting,value), got 1",
        )
        assert str(caught.value).startswith("the rate card has errors: line 1: expected")

    def test_each_problem_names_its_line_and_column(self) -> None:
        text = (
            "zone,country,postcode_from,postcode_to\n"
            "AKL,US,0600,2699\n"
            "service,zone,max_weight_grams,base_price\n"
            "ON,AKL,heavy,6.50\n"
            "ON,AKL\n"
        )
        with pytest.raises(RateCardInvalid) as caught:
            load_rate_card(text)
        assert caught.value.rows == (
            RateCardProblem(2, "country", "country 'US' must be one of NZ, AU"),
            RateCardProblem(
                4, "max_weight_grams", "max_weight_grams 'heavy' must be a whole number above 0"
            ),
            RateCardProblem(
                5,
                "",
                "expected 4–5 values (service,zone,max_weight_grams,base_price,per_kg_over), got 2",
            ),
            RateCardProblem(0, "", "the rate card has no zones"),
            RateCardProblem(0, "", "the rate card has no prices"),
        )

    @pytest.mark.parametrize(
        ("row", "problem"),
        [
            ("OM,AKL,1000,6.50", "line 4: unknown service OM (known: EC, ON)"),
            ("ON,AKL,0,6.50", "line 4: max_weight_grams '0' must be a whole number above 0"),
            (
                "ON,AKL,1000,-6.50",
                "line 4: base_price '-6.50' must be an amount under 100000 like 6.50",
            ),
            (
                "ON,AKL,1000,NaN",
                "line 4: base_price 'NaN' must be an amount under 100000 like 6.50",
            ),
            (
                "ON,AKL,1000,1e3",
                "line 4: base_price '1e3' must be an amount under 100000 like 6.50",
            ),
            (
                "ON,AKL,1000," + "9" * 40 + ".99",  # would overflow the cents it is rounded to
                f"line 4: base_price '{'9' * 40}.99' must be an amount under 100000 like 6.50",
            ),
            (
                "ON,AKL,1000,6.50,1.00001",
                "line 4: per_kg_over '1.00001' must be an amount under 100000 like 1.20",
            ),
            ("O N,AKL,1000,6.50", "line 4: service 'O N' must be 1–10 letters or digits"),
            (
                "ON,AKL,1000,6.50,1.00,9",
                "line 4: expected 4–5 values "
                "(service,zone,max_weight_grams,base_price,per_kg_over), got 6",
            ),
        ],
    )
    def test_one_bad_price_row(self, row: str, problem: str) -> None:
        text = f"zone,country,postcode_from,postcode_to\nAKL,NZ,0600,2699\nservice,zone,max_weight_grams,base_price\n{row}\n"
        with pytest.raises(RateCardInvalid) as caught:
            load_rate_card(text, known_services=("ON", "EC"))
        assert problem in caught.value.problems

    def test_a_card_without_zones_or_prices_says_so(self) -> None:
        with pytest.raises(RateCardInvalid) as caught:
            load_rate_card("# nothing yet\n")
        assert caught.value.problems == (
            "the rate card has no zones",
            "the rate card has no prices",
        )

    def test_one_range_inside_a_wider_one_is_an_overlap(self) -> None:
        text = (
            "zone,country,postcode_from,postcode_to\n"
            "WIDE,NZ,0100,5000\n"
            "MID,NZ,1000,1500\n"
            "LATE,NZ,4000,4500\n"
            "service,zone,max_weight_grams,base_price\n"
            "ON,WIDE,1000,1\n"
        )
        with pytest.raises(RateCardInvalid) as caught:
            load_rate_card(text)
        assert caught.value.problems == (
            "line 3: NZ postcodes 1000–1500 overlap zone WIDE 0100–5000 (line 2)",
            "line 4: NZ postcodes 4000–4500 overlap zone WIDE 0100–5000 (line 2)",
        )

    def test_unreadable_csv_is_reported_with_its_line(self) -> None:
        text = 'zone,country,postcode_from,postcode_to\nAKL,NZ,0600,2699\n"' + "x" * 200_000
        with pytest.raises(RateCardInvalid) as caught:
            load_rate_card(text)
        assert caught.value.problems == (
            "line 3: not readable as CSV (field larger than field limit (131072))",
            "the rate card has no prices",
        )


class TestDefaultRateCard:
    def test_loads_and_names_only_default_services(self) -> None:
        codes = {service.code for service in default_services()}
        card = load_rate_card(default_rate_card_text(), known_services=codes)
        assert card == load_default_rate_card()
        assert card.services() == codes

    @pytest.mark.parametrize(("country", "first"), [("NZ", 100), ("AU", 200)])
    def test_every_postcode_is_zoned_and_every_zone_priced_up_to_each_limit(
        self, country: str, first: int
    ) -> None:
        card = load_default_rate_card()
        zones = {card.zone_for(country, f"{n:04d}") for n in range(first, 10_000)}
        assert None not in zones
        assert len(zones) >= 3
        for zone in zones:
            assert zone is not None
            for service in default_services():
                for grams in (1, service.max_weight_grams):
                    assert card.parcel_cost(service.code, zone, grams, rural=True) is not None
