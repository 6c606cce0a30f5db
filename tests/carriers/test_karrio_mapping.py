"""Mapping between Station's values and Karrio's models: literal data in, literal data out."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from station.addresses import Address
from station.carriers import Parcel, Rate, Service, TrackingEvent
from station.carriers.karrio import mapping
from tests.carriers.samples import SENDER, address, shipment

SERVICES = (Service("ON", "Overnight", 25_000), Service("EC", "Economy"))


def quote(
    service: str, total: object, *, currency: str = "NZD", transit_days: object = None
) -> SimpleNamespace:
    """A Karrio ``RateDetails`` as the mapping reads it."""
    return SimpleNamespace(
        service=service, total_charge=total, currency=currency, transit_days=transit_days
    )


def details(
    tracking_number: str, meta: dict[str, object] | None = None, **extra: object
) -> SimpleNamespace:
    """A Karrio ``ShipmentDetails`` as the mapping reads it."""
    return SimpleNamespace(tracking_number=tracking_number, meta=meta or {}, **extra)


class TestRequests:
    def test_rate_request_in_karrio_units_and_shapes(self) -> None:
        sent = shipment(
            1200,
            receiver=address(lines=("Flat 2", "  ", "45 Queen Street"), company="Harbour Café"),
        )
        sent = type(sent)(
            sent.sender,
            sent.receiver,
            (
                *sent.parcels,
                Parcel(250, length_mm=330, width_mm=250, height_mm=45, package="A4 satchel"),
            ),
            "ON",
            "SO-1042",
        )
        assert mapping.rate_request(sent, ["ON", "EC"]) == {
            "shipper": {
                "person_name": "Auckland Warehouse",
                "company_name": "Kete & Co",
                "address_line1": "12 Carbine Road",
                "city": "Auckland",
                "postal_code": "1060",
                "country_code": "NZ",
            },
            "recipient": {
                "person_name": "Aroha Ngata",
                "company_name": "Harbour Café",
                "address_line1": "Flat 2",
                "address_line2": "45 Queen Street",
                "city": "Auckland",
                "state_code": "Auckland",
                "postal_code": "1010",
                "country_code": "NZ",
                "phone_number": "021 555 0101",
                "email": "aroha@example.com",
            },
            "parcels": [
                {"weight": 1.2, "weight_unit": "KG"},
                {
                    "weight": 0.25,
                    "weight_unit": "KG",
                    "length": 33.0,
                    "width": 25.0,
                    "height": 4.5,
                    "dimension_unit": "CM",
                },
            ],
            "services": ["ON", "EC"],
            "reference": "SO-1042",
        }

    def test_shipment_request_names_the_service_and_label_format(self) -> None:
        request = mapping.shipment_request(shipment(1, service="EC"), label_format="ZPL")
        assert (request["service"], request["label_type"], request["reference"]) == (
            "EC",
            "ZPL",
            "SO-1042",
        )
        assert request["parcels"] == [{"weight": 0.001, "weight_unit": "KG"}]
        assert "reference_number" not in request["parcels"][0]

    def test_a_partly_measured_parcel_is_sent_by_weight_only(self) -> None:
        assert mapping.karrio_parcel(Parcel(500, length_mm=300, width_mm=None, height_mm=20)) == {
            "weight": 0.5,
            "weight_unit": "KG",
        }

    @pytest.mark.parametrize(
        ("text", "sent"),
        [
            ("Tom\r\nJones", "Tom Jones"),
            ("Tab\there", "Tab here"),
            ("NUL\x00 and ESC\x1b[2J", "NUL and ESC[2J"),
            ("DEL\x7f", "DEL"),
            ("  Ngā   Hau\u00a0e Whā  ", "Ngā Hau e Whā"),
            ("Kete & Co <b>{{ 7*7 }}</b> ^XA~JR", "Kete & Co <b>{{ 7*7 }}</b> ^XA~JR"),
            ("\u202eevil", "\u202eevil"),
        ],
    )
    def test_address_text_is_put_on_one_line_without_control_characters(
        self, text: str, sent: str
    ) -> None:
        assert mapping.karrio_address(Address(name=text, country="nz")) == {
            "person_name": sent,
            "country_code": "NZ",
        }


class TestReplies:
    def test_rates_follow_the_configured_order_and_drop_unknown_services(self) -> None:
        quotes = [
            quote("EC", 10.24, transit_days=3),
            quote("XX", 1.0),
            quote("ON", 9.8, transit_days=1),
            quote("ON", 99.0),
        ]
        assert mapping.station_rates(quotes, SERVICES, carrier="karrio-test") == [
            Rate(
                "karrio-test",
                "ON",
                "Overnight",
                Decimal("9.80"),
                "NZD",
                "",
                ("1 day in transit (carrier estimate)",),
            ),
            Rate(
                "karrio-test",
                "EC",
                "Economy",
                Decimal("10.24"),
                "NZD",
                "",
                ("3 days in transit (carrier estimate)",),
            ),
        ]

    @pytest.mark.parametrize(
        ("amount", "money"),
        [
            (9.8, "9.80"),
            (0.1 + 0.2, "0.30"),
            (5.125, "5.13"),
            ("12", "12.00"),
            (7, "7.00"),
            (None, "0.00"),
        ],
    )
    def test_amounts_become_decimal_cents(self, amount: object, money: str) -> None:
        result = mapping.money(amount)
        assert result == Decimal(money)
        assert result.as_tuple().exponent == -2

    @pytest.mark.parametrize("amount", ["NaN", "free", float("inf")])
    def test_an_amount_that_is_not_one_is_an_error(self, amount: object) -> None:
        with pytest.raises(ValueError, match="not an amount"):
            mapping.money(amount)

    @pytest.mark.parametrize(
        ("found", "count", "tickets"),
        [
            (details("111"), 1, ("111",)),
            (details("111", {"tracking_numbers": ["222", "111", "333"]}), 3, ("111", "222", "333")),
            (details("111", {"tracking_numbers": ["111"]}), 3, ("111", "111", "111")),
            (details("111", {"tracking_numbers": ["111", "222", "333"]}), 2, ("111", "222")),
            (details(""), 2, ()),
        ],
    )
    def test_one_ticket_per_parcel_master_first(
        self, found: SimpleNamespace, count: int, tickets: tuple[str, ...]
    ) -> None:
        assert mapping.consignment_tickets(found, count) == tickets

    def test_the_carrier_label_is_decoded_from_base64(self) -> None:
        found = details(
            "1", docs=SimpleNamespace(label=base64.b64encode(b"^XA^XZ").decode()), label_type="zpl"
        )
        assert mapping.carrier_label(found) == (b"^XA^XZ", "ZPL")
        assert mapping.carrier_label(
            details("1", docs=SimpleNamespace(label=None), label_type=None)
        ) == (b"", "")

    @pytest.mark.parametrize(
        ("template", "carrier_format", "meta", "url"),
        [
            (
                "https://t.example.com/{ticket}",
                "https://c.example.com/{}",
                {},
                "https://t.example.com/A%2FB",
            ),
            (None, "https://c.example.com/?n={}", {}, "https://c.example.com/?n=A%2FB"),
            (None, None, {"tracking_url": "https://m.example.com/x"}, "https://m.example.com/x"),
            (None, None, {"tracking_url": "javascript:alert(1)"}, None),
            (None, None, None, None),
        ],
    )
    def test_tracking_url_prefers_station_then_connector_then_karrio(
        self, template: str | None, carrier_format: str | None, meta: object, url: str | None
    ) -> None:
        assert (
            mapping.tracking_url("A/B", template=template, carrier_format=carrier_format, meta=meta)
            == url
        )

    def test_tracking_events_are_the_tickets_oldest_first_in_utc(self) -> None:
        def event(**fields: object) -> SimpleNamespace:
            base = {"date": None, "time": None, "timestamp": None, "status": None, "code": None}
            base.update(description=None, location=None)
            base.update(fields)
            return SimpleNamespace(**base)

        found = [
            SimpleNamespace(
                tracking_number="111",
                events=[
                    event(
                        date="2024-05-02",
                        time="09:15",
                        status="delivered",
                        description="Delivered",
                        location="Auckland",
                    ),
                    event(
                        timestamp="2024-05-01T20:00:00+12:00", code="PU", description="Picked up"
                    ),
                    event(date="yesterday", description="Lost in thought"),
                    event(date="2024-05-01", status="in_transit"),
                ],
            ),
            SimpleNamespace(
                tracking_number="222", events=[event(date="2024-04-01", status="other")]
            ),
        ]
        assert mapping.tracking_events(found, "111") == [
            TrackingEvent("111", datetime(2024, 5, 1, 0, 0, tzinfo=UTC), "in_transit"),
            TrackingEvent("111", datetime(2024, 5, 1, 8, 0, tzinfo=UTC), "PU", "Picked up"),
            TrackingEvent(
                "111", datetime(2024, 5, 2, 9, 15, tzinfo=UTC), "delivered", "Delivered", "Auckland"
            ),
        ]

    def test_labels_are_station_layouts_one_per_parcel(self) -> None:
        sent = shipment(1200, 800, rural=True)
        labels = mapping.label_layouts(
            sent,
            service_name="Overnight",
            carrier_name="Test Post",
            tickets=("111", "222"),
            urls=("https://t.example.com/111", None),
            printed_on=date(2024, 5, 1),
            rural=True,
        )
        assert [
            (
                label.ticket,
                label.tracking_url,
                label.parcel_text,
                label.weight_grams,
                label.instructions,
            )
            for label in labels
        ] == [
            ("111", "https://t.example.com/111", "Parcel 1 of 2", 1200, "RURAL DELIVERY"),
            ("222", None, "Parcel 2 of 2", 800, "RURAL DELIVERY"),
        ]
        assert labels[0].sender == SENDER.label_address()
        assert labels[0].carrier == "Test Post"
