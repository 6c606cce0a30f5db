"""The own-label carrier: rates, idempotent create, refusals, the void window, tracking."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from station.addresses import Address
from station.carriers import (
    Carrier,
    CarrierMisconfigured,
    ConsignmentResult,
    InMemoryConsignmentStore,
    InMemoryTicketAllocator,
    OwnLabelCarrier,
    OwnLabelService,
    Parcel,
    Rate,
    RateCard,
    Service,
    ShipmentRefused,
    TicketRange,
    TicketRangeExhausted,
    UnsupportedOperation,
    VoidRefused,
    default_services,
    load_default_rate_card,
)
from station.carriers.ownlabel import tracking_template_problems
from station.labels.layout import LabelLayout
from tests.carriers.samples import START, FakeClock, address, golden_services, shipment

URL = "https://track.example.com/{ticket}"


def make_carrier(card: RateCard, clock: FakeClock, **options: object) -> OwnLabelCarrier:
    settings: dict[str, object] = {
        "rate_card": card,
        "services": golden_services(),
        "allocator": InMemoryTicketAllocator(),
        "store": InMemoryConsignmentStore(),
        "clock": clock,
    }
    settings.update(options)
    return OwnLabelCarrier(**settings)  # type: ignore[arg-type]


def test_own_label_carrier_satisfies_the_carrier_protocol(carrier: OwnLabelCarrier) -> None:
    as_carrier: Carrier = carrier
    assert (as_carrier.code, as_carrier.name) == ("ownlabel", "Own label")
    assert as_carrier.services() == [
        Service("ON", "Overnight", 25_000),
        Service("EC", "Economy", 20_000),
    ]


class TestRates:
    def test_quotes_every_service_that_fits(self, carrier: OwnLabelCarrier) -> None:
        assert carrier.rates(shipment(1200)) == [
            Rate("ownlabel", "ON", "Overnight", Decimal("9.80"), "NZD", "AKL"),
            Rate("ownlabel", "EC", "Economy", Decimal("5.13"), "NZD", "AKL"),
        ]

    @pytest.mark.parametrize(
        ("weights", "rural", "service", "total"),
        [
            pytest.param((500, 3000, 12_000), False, "ON", "32.70", id="three-bands"),
            pytest.param((500, 3000, 12_000), True, "ON", "47.40", id="rural-per-parcel"),
            pytest.param((1500, 1500), False, "EC", "10.26", id="parcels-rounded-then-summed"),
            pytest.param((1500, 1500), True, "EC", "20.06", id="rural-rounded-per-parcel"),
            pytest.param((22_000,), False, "ON", "28.40", id="per-kg-over"),
        ],
    )
    def test_multi_parcel_total_is_the_sum_of_parcel_prices(
        self,
        carrier: OwnLabelCarrier,
        weights: tuple[int, ...],
        rural: bool,
        service: str,
        total: str,
    ) -> None:
        rates = {rate.service_code: rate for rate in carrier.rates(shipment(*weights, rural=rural))}
        assert rates[service].cost == Decimal(total)

    @pytest.mark.parametrize(
        ("country", "postcode", "zone", "cost"),
        [
            ("NZ", "2000", "AKL", "6.50"),
            ("AU", "2000", "SYD", "24.00"),
            ("NZ", "7300", "SI", "9.75"),
            ("AU", "6000", "PER", "61.00"),
        ],
    )
    def test_nz_and_au_postcodes_rate_in_their_own_zones(
        self, carrier: OwnLabelCarrier, country: str, postcode: str, zone: str, cost: str
    ) -> None:
        receiver = address(postcode=postcode, country=country)
        overnight = carrier.rates(shipment(800, receiver=receiver))[0]
        assert (overnight.service_code, overnight.zone, overnight.cost) == (
            "ON",
            zone,
            Decimal(cost),
        )

    def test_a_service_whose_limit_is_too_low_is_left_out(self, carrier: OwnLabelCarrier) -> None:
        assert [rate.service_code for rate in carrier.rates(shipment(22_000))] == ["ON"]

    def test_nothing_fits_refuses_with_each_services_reason(self, carrier: OwnLabelCarrier) -> None:
        with pytest.raises(ShipmentRefused) as caught:
            carrier.rates(shipment(26_000))
        assert caught.value.problems == (
            "parcel 1 weighs 26 kg, over Overnight's 25 kg limit",
            "parcel 1 weighs 26 kg, over Economy's 20 kg limit",
        )

    def test_the_shipments_service_code_is_ignored(self, carrier: OwnLabelCarrier) -> None:
        assert len(carrier.rates(shipment(service="XX"))) == 2

    @pytest.mark.parametrize(
        ("rural", "lines", "messages"),
        [
            (True, ("45 Queen Street",), ("includes rural delivery surcharge 4.90 × 1",)),
            (
                None,
                ("45 Kahikatea Road", "RD 2"),
                ("includes rural delivery surcharge 4.90 × 1 (rural delivery address)",),
            ),
            (False, ("45 Kahikatea Road", "RD 2"), ()),
            (None, ("45 Queen Street",), ()),
        ],
    )
    def test_rural_surcharge_is_explained(
        self,
        carrier: OwnLabelCarrier,
        rural: bool | None,
        lines: tuple[str, ...],
        messages: tuple[str, ...],
    ) -> None:
        ship = shipment(800, rural=rural, receiver=address(lines=lines))
        overnight = carrier.rates(ship)[0]
        assert overnight.messages == messages
        assert overnight.cost == Decimal("11.40" if messages else "6.50")

    def test_an_unusable_address_is_refused(self, carrier: OwnLabelCarrier) -> None:
        with pytest.raises(ShipmentRefused, match="no zone covers NZ postcode 0100"):
            carrier.rates(shipment(receiver=address(postcode="0100")))


class TestCreate:
    def test_creates_tickets_labels_and_cost(self, carrier: OwnLabelCarrier) -> None:
        result = carrier.create(shipment(500, 3000, rural=True), "order-1042-1")
        sender = Address(
            name="Auckland Warehouse",
            company="Kete & Co",
            lines=("12 Carbine Road",),
            city="Auckland",
            postcode="1060",
            country="NZ",
        )
        receiver = Address(
            name="Aroha Ngata",
            lines=("45 Queen Street",),
            city="Auckland",
            region="Auckland",
            postcode="1010",
            country="NZ",
            phone="021 555 0101",
        )
        label = LabelLayout(
            sender=sender,
            receiver=receiver,
            service="Overnight",
            carrier="Own label",
            ticket="ON10009",
            tracking_url="https://track.example.com/ON10009",
            parcel_index=1,
            parcel_count=2,
            weight_grams=500,
            reference="SO-1042",
            printed_on=date(2024, 5, 1),
            instructions="RURAL DELIVERY",
        )
        assert result == ConsignmentResult(
            carrier="ownlabel",
            service_code="ON",
            service_name="Overnight",
            tickets=("ON10009", "ON10017"),
            cost=Decimal("26.10"),  # 6.50 + 9.80 + 2 × 4.90
            tracking_url="https://track.example.com/ON10009",
            created_at=START,
            idempotency_key="order-1042-1",
            labels=(
                label,
                replace(
                    label,
                    ticket="ON10017",
                    tracking_url="https://track.example.com/ON10017",
                    parcel_index=2,
                    weight_grams=3000,
                ),
            ),
        )

    def test_same_key_returns_the_first_result_and_takes_no_tickets(
        self, carrier: OwnLabelCarrier, clock: FakeClock
    ) -> None:
        first = carrier.create(shipment(500, 800), "key-1")
        clock.advance(minutes=5)
        again = carrier.create(shipment(500, 800), "key-1")
        assert again == first
        assert again.created_at == START
        assert carrier.create(shipment(500), "key-2").tickets == ("ON10025",)

    def test_same_key_with_another_shipment_still_returns_the_first(
        self, carrier: OwnLabelCarrier
    ) -> None:
        first = carrier.create(shipment(500), "key-1")
        assert carrier.create(shipment(700, 900, service="EC"), "key-1") == first

    def test_different_keys_get_new_tickets(self, carrier: OwnLabelCarrier) -> None:
        one = carrier.create(shipment(500), "key-1")
        two = carrier.create(shipment(500), "key-2")
        economy = carrier.create(shipment(500, service="EC"), "key-3")
        assert (one.tickets, two.tickets, economy.tickets) == (
            ("ON10009",),
            ("ON10017",),
            ("EC10009",),
        )

    def test_the_result_is_kept_in_the_store(
        self, carrier: OwnLabelCarrier, store: InMemoryConsignmentStore
    ) -> None:
        result = carrier.create(shipment(), "key-1")
        assert store.get("key-1") == result
        assert len(store) == 1

    @pytest.mark.parametrize("key", ["", "   ", "k" * 65])
    def test_the_idempotency_key_must_be_usable(self, carrier: OwnLabelCarrier, key: str) -> None:
        with pytest.raises(ValueError, match="idempotency key"):
            carrier.create(shipment(), key)

    def test_labels_are_dated_in_the_label_time_zone(self, card: RateCard) -> None:
        carrier = make_carrier(card, FakeClock(), label_tz=ZoneInfo("Pacific/Auckland"))
        result = carrier.create(shipment(), "key-1")
        assert result.created_at == datetime(2024, 5, 1, 13, 0, tzinfo=UTC)
        assert result.labels[0].printed_on == date(2024, 5, 2)

    def test_a_used_up_range_names_the_service_and_stores_nothing(self, card: RateCard) -> None:
        tiny = OwnLabelService("ON", "Overnight", 25_000, URL, TicketRange("ON", 1, 2))
        store = InMemoryConsignmentStore()
        carrier = make_carrier(card, FakeClock(), services=[tiny], store=store)
        with pytest.raises(TicketRangeExhausted) as caught:
            carrier.create(shipment(500, 500, 500), "key-1")
        assert caught.value.service == "Overnight"
        assert caught.value.range_key == "ownlabel:ON:ON1-2"
        assert store.get("key-1") is None

    def test_a_naive_clock_is_refused(self, card: RateCard) -> None:
        carrier = make_carrier(card, FakeClock(now=datetime(2024, 5, 1, 13, 0)))
        with pytest.raises(ValueError, match="timezone-aware"):
            carrier.create(shipment(), "key-1")

    def test_tracking_is_not_supported(self, carrier: OwnLabelCarrier) -> None:
        with pytest.raises(UnsupportedOperation, match="^Own label does not support tracking$"):
            carrier.track("ON10009")


class TestRefusals:
    def test_every_problem_is_listed_at_once(self, carrier: OwnLabelCarrier) -> None:
        bad = replace(
            shipment(),
            sender=Address(name=""),
            receiver=Address(name=" ", lines=("", " ")),
            parcels=(Parcel(0), Parcel(-5), Parcel(1.5)),  # type: ignore[arg-type]
            service_code="XX",
            reference="",
        )
        with pytest.raises(ShipmentRefused) as caught:
            carrier.create(bad, "key-1")
        assert caught.value.problems == (
            "receiver name is missing",
            "receiver city is missing",
            "receiver address line is missing",
            "receiver postcode is missing",
            "receiver country is missing",
            "sender name is missing",
            "parcel 1 weight must be more than 0 g, not 0 g",
            "parcel 2 weight must be more than 0 g, not -5 g",
            "parcel 3 weight must be whole grams, not 1.5",
            "reference is missing",
            "unknown service 'XX' (choose ON, EC)",
        )
        assert str(caught.value).startswith("shipment (no reference) refused: receiver name")

    def test_an_unknown_zone_and_an_overweight_parcel_are_both_reported(
        self, carrier: OwnLabelCarrier
    ) -> None:
        with pytest.raises(ShipmentRefused) as caught:
            carrier.create(shipment(30_000, receiver=address(postcode="0100")), "key-1")
        assert caught.value.problems == (
            "no zone covers NZ postcode 0100",
            "parcel 1 weighs 30 kg, over Overnight's 25 kg limit",
        )

    @pytest.mark.parametrize(
        ("receiver", "weights", "service", "problem"),
        [
            ({"country": "US"}, (800,), "ON", "receiver country 'US' is not served (NZ or AU)"),
            (
                {"postcode": "10A0"},
                (800,),
                "ON",
                "receiver postcode '10A0' is not a 4-digit postcode",
            ),
            ({"postcode": "0100"}, (800,), "ON", "no zone covers NZ postcode 0100"),
            (
                {"postcode": "6000", "country": "AU"},
                (6000,),
                "ON",
                "Overnight has no price to zone PER for 6 kg",
            ),
            ({}, (21_000,), "EC", "parcel 1 weighs 21 kg, over Economy's 20 kg limit"),
            ({"postcode": "7300"}, (1200,), "EC", "Economy has no price to zone SI for 1.2 kg"),
            ({}, (), "ON", "a shipment needs at least one parcel"),
        ],
    )
    def test_one_problem(
        self,
        carrier: OwnLabelCarrier,
        receiver: dict[str, str],
        weights: tuple[int, ...],
        service: str,
        problem: str,
    ) -> None:
        ship = replace(
            shipment(service=service, receiver=address(**receiver)),
            parcels=tuple(Parcel(w) for w in weights),
        )
        with pytest.raises(ShipmentRefused) as caught:
            carrier.create(ship, "key-1")
        assert caught.value.problems == (problem,)
        assert caught.value.reference == "SO-1042"

    def test_a_refused_shipment_takes_no_ticket(self, carrier: OwnLabelCarrier) -> None:
        with pytest.raises(ShipmentRefused):
            carrier.create(shipment(30_000), "key-1")
        assert carrier.create(shipment(), "key-1").tickets == ("ON10009",)


class TestVoid:
    @pytest.mark.parametrize(
        "elapsed",
        [timedelta(0), timedelta(hours=23, minutes=59, seconds=59), timedelta(hours=24)],
    )
    def test_voids_within_the_window(
        self, carrier: OwnLabelCarrier, store: InMemoryConsignmentStore, elapsed: timedelta
    ) -> None:
        result = carrier.create(shipment(), "key-1")
        carrier.void(result, now=START + elapsed)
        stored = store.get("key-1")
        assert stored is not None and stored.voided_at == START + elapsed

    @pytest.mark.parametrize("elapsed", [timedelta(hours=24, seconds=1), timedelta(days=3)])
    def test_refuses_after_the_window(
        self, carrier: OwnLabelCarrier, store: InMemoryConsignmentStore, elapsed: timedelta
    ) -> None:
        result = carrier.create(shipment(), "key-1")
        with pytest.raises(VoidRefused) as caught:
            carrier.void(result, now=START + elapsed)
        assert str(caught.value) == (
            "consignment ON10009 can only be voided within 24 h of creation "
            "(closed 2024-05-02 13:00 UTC)"
        )
        assert store.get("key-1") == result

    @pytest.mark.parametrize(
        ("elapsed", "allowed"),
        [(timedelta(hours=2), True), (timedelta(hours=2, seconds=1), False)],
    )
    def test_the_window_is_configurable(
        self, card: RateCard, clock: FakeClock, elapsed: timedelta, allowed: bool
    ) -> None:
        carrier = make_carrier(card, clock, void_window=timedelta(hours=2))
        result = carrier.create(shipment(), "key-1")
        clock.advance(seconds=elapsed.total_seconds())
        if allowed:
            carrier.void(result, now=clock.now)
        else:
            with pytest.raises(VoidRefused, match="within 2 h of creation"):
                carrier.void(result, now=clock.now)

    def test_voiding_twice_is_refused(self, carrier: OwnLabelCarrier) -> None:
        result = carrier.create(shipment(), "key-1")
        carrier.void(result, now=START + timedelta(hours=1))
        with pytest.raises(VoidRefused) as caught:
            carrier.void(result, now=START + timedelta(hours=2))
        assert str(caught.value) == "consignment ON10009 was already voided at 2024-05-01 14:00 UTC"

    def test_the_same_key_after_a_void_returns_the_voided_consignment(
        self, carrier: OwnLabelCarrier
    ) -> None:
        result = carrier.create(shipment(), "key-1")
        carrier.void(result, now=START)
        again = carrier.create(shipment(), "key-1")
        assert (again.tickets, again.voided_at) == (result.tickets, START)

    def test_a_consignment_from_elsewhere_is_refused(
        self, carrier: OwnLabelCarrier, card: RateCard
    ) -> None:
        other = make_carrier(card, FakeClock()).create(shipment(), "key-1")
        with pytest.raises(VoidRefused, match="was not created by Own label"):
            carrier.void(other, now=START)

    def test_now_must_be_timezone_aware(self, carrier: OwnLabelCarrier) -> None:
        result = carrier.create(shipment(), "key-1")
        with pytest.raises(ValueError, match="timezone-aware"):
            carrier.void(result, now=datetime(2024, 5, 1, 14, 0))


class TestConfiguration:
    @pytest.mark.parametrize(
        ("template", "problem"),
        [
            ("http://track.example.com/{ticket}", "must be an https:// URL"),
            ("track.example.com/{ticket}", "must be an https:// URL"),
            ("https://track.example.com/ {ticket}", "must be an https:// URL"),
            ("https://track.example.com/", "needs exactly one {ticket}"),
            ("https://track.example.com/{ticket}/{ticket}", "needs exactly one {ticket}"),
            ("https://track.example.com/{id}", "only {ticket} is allowed"),
            ("https://track.example.com/{ticket:>20}", "only {ticket} is allowed"),
            ("https://track.example.com/{ticket", "unbalanced braces"),
        ],
    )
    def test_bad_tracking_templates(self, template: str, problem: str) -> None:
        assert any(problem in found for found in tracking_template_problems(template))
        with pytest.raises(CarrierMisconfigured):
            OwnLabelService("ON", "Overnight", 25_000, template, TicketRange("ON", 1, 9))

    @pytest.mark.parametrize(
        "template",
        [
            URL,
            "https://example.com/track?id={ticket}&src=station",
            "https://x.example/{{raw}}/{ticket}",
        ],
    )
    def test_good_tracking_templates(self, template: str) -> None:
        assert tracking_template_problems(template) == []

    def test_every_service_problem_is_listed(self) -> None:
        with pytest.raises(CarrierMisconfigured) as caught:
            OwnLabelService("on", " ", 0, "http://x/", TicketRange("ON", 1, 9))
        assert len(caught.value.problems) == 5

    def test_services_must_not_clash(self, card: RateCard) -> None:
        services = [
            OwnLabelService("ON", "Overnight", 25_000, URL, TicketRange("T", 1, 500)),
            OwnLabelService("ON", "Overnight again", 25_000, URL, TicketRange("U", 1, 500)),
            OwnLabelService("EC", "Economy", 25_000, URL, TicketRange("T", 400, 900)),
        ]
        with pytest.raises(CarrierMisconfigured) as caught:
            make_carrier(card, FakeClock(), services=services, void_window=timedelta(hours=-1))
        assert caught.value.problems == (
            "the void window cannot be negative (-1 day, 23:00:00)",
            "service code ON is used twice",
            "ticket ranges of ON (T001-500) and EC (T400-900) overlap",
        )


def test_default_carrier_rates_and_ships_every_demo_place() -> None:
    # Imported here so a change in the sandbox breaks this test, not the whole module.
    from station.cin7.sandbox.demo import AU_PLACES, NZ_PLACES

    places = [("NZ", place) for place in NZ_PLACES] + [("AU", place) for place in AU_PLACES]
    for key, (country, (city, region, postcode)) in enumerate(places):
        carrier = OwnLabelCarrier(
            rate_card=load_default_rate_card(),
            services=default_services(),
            allocator=InMemoryTicketAllocator(),
            store=InMemoryConsignmentStore(),
            clock=FakeClock(),
        )
        receiver = address(city=city, region=region, postcode=postcode, country=country)
        rates = carrier.rates(shipment(1200, receiver=receiver))
        assert [rate.service_code for rate in rates] == ["ON", "EC", "HV"], city
        result = carrier.create(shipment(1200, 25_000, receiver=receiver), f"key-{key}")
        assert result.tickets == ("ON100000009", "ON100000017"), city
        assert result.tracking_url == "https://track.example.com/ON100000009"
