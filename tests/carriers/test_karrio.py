"""The Karrio bridge with karrio-generic: rates, idempotent create, refusals, failures, void, track.

karrio-generic prices from the rate sheet in its settings and draws its labels locally, so
every test here runs offline through the real Karrio code. Fakes stand in only where the
generic carrier has nothing to offer (voiding, tracking) or to make the network fail.
"""

from __future__ import annotations

import threading
import urllib.error
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

pytest.importorskip("karrio", reason="the karrio extra is not installed")

import attr  # noqa: E402  (Karrio's own dependency: its models are attrs classes)
import karrio.core.models as karrio_models  # noqa: E402

from station.carriers import (  # noqa: E402
    Carrier,
    CarrierMisconfigured,
    CarrierUnavailable,
    InMemoryConsignmentStore,
    Rate,
    Service,
    ShipmentRefused,
    TrackingEvent,
    UnsupportedOperation,
    VoidRefused,
)
from station.carriers.karrio import (  # noqa: E402
    KarrioCarrier,
    KarrioConfig,
    KarrioConsignment,
    KarrioGateway,
    Reply,
    connect,
)
from tests.carriers.samples import GENERIC, START, FakeClock, address, shipment  # noqa: E402

HOSTILE_NAMES = [
    "Kete & Co",
    "</text><text>injected</text>",
    "{{ 7*7 }} {% raw %}",
    "^XA^FDpwned^FS^XZ~JR",
    "Robert'); DROP TABLE consignment;--",
    "Line\r\nbreak\x00nul\x1b[31m",
    "\u202eevil.exe\u200d🙂 Ngā Whā",
    "x" * 500,
]


@dataclass
class CountingGateway:
    """A real ``KarrioGateway`` that keeps a log of the operations it carried out."""

    gateway: Any
    calls: list[str] = field(default_factory=list)

    @property
    def tracking_url_format(self) -> str | None:
        return self.gateway.tracking_url_format

    def rate(self, request: dict[str, Any]) -> Reply:
        self.calls.append("rate")
        return self.gateway.rate(request)

    def ship(self, request: dict[str, Any]) -> Reply:
        self.calls.append("ship")
        return self.gateway.ship(request)

    def cancel(self, request: dict[str, Any]) -> Reply:
        self.calls.append("cancel")
        return self.gateway.cancel(request)

    def track(self, request: dict[str, Any]) -> Reply:
        self.calls.append("track")
        return self.gateway.track(request)


@dataclass
class CarrierSide(CountingGateway):
    """karrio-generic for rates and labels, plus the voids and tracking a real carrier has."""

    refuse_voids: bool = False
    cancelled: list[str] = field(default_factory=list)
    events: dict[str, list[karrio_models.TrackingEvent]] = field(default_factory=dict)

    def cancel(self, request: dict[str, Any]) -> Reply:
        self.calls.append("cancel")
        if self.refuse_voids:
            return Reply(None, ("manifested consignments cannot be cancelled (M12)",))
        self.cancelled.append(request["shipment_identifier"])
        return Reply(
            karrio_models.ConfirmationDetails(
                "test_post", "custom-carrier", True, "Cancel Shipment"
            )
        )

    def track(self, request: dict[str, Any]) -> Reply:
        self.calls.append("track")
        number = request["tracking_numbers"][0]
        if number not in self.events:
            return Reply(None, ("tracking number not found (T404)",))
        return Reply(
            [
                karrio_models.TrackingDetails(
                    "test_post", "custom-carrier", number, events=self.events[number]
                )
            ]
        )


class UnreachableProxy:
    """A Karrio proxy whose carrier refuses the connection."""

    settings: Any = None

    def get_rates(self, request: Any) -> Any:
        raise urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))

    def create_shipment(self, request: Any) -> Any:
        raise urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))


class SilentProxy:
    """A Karrio proxy whose carrier never answers (until the test lets go)."""

    settings: Any = None

    def __init__(self) -> None:
        self.release = threading.Event()

    def get_rates(self, request: Any) -> Any:
        self.release.wait(timeout=30)
        raise urllib.error.URLError("released")

    create_shipment = get_rates


@pytest.fixture(scope="module")
def config() -> KarrioConfig:
    return KarrioConfig.from_dict(GENERIC)


@pytest.fixture(scope="module")
def generic(config: KarrioConfig) -> KarrioGateway:
    return connect(config)


@pytest.fixture
def store() -> InMemoryConsignmentStore:
    return InMemoryConsignmentStore()


@pytest.fixture
def side(generic: KarrioGateway) -> CarrierSide:
    return CarrierSide(generic)


@pytest.fixture
def carrier(
    config: KarrioConfig, store: InMemoryConsignmentStore, clock: FakeClock, side: CarrierSide
) -> KarrioCarrier:
    return KarrioCarrier(config, store, clock, gateway=side)


def with_proxy(gateway: KarrioGateway, proxy: Any, *, timeout_seconds: float = 30) -> KarrioGateway:
    """``gateway`` with Karrio's HTTP side replaced by ``proxy``."""
    return KarrioGateway(
        attr.evolve(gateway.karrio, proxy=proxy), timeout_seconds=timeout_seconds, name="Test Post"
    )


def test_the_bridge_satisfies_the_carrier_protocol(
    config: KarrioConfig, store: InMemoryConsignmentStore
) -> None:
    as_carrier: Carrier = KarrioCarrier(config, store)  # connects to Karrio itself
    assert (as_carrier.code, as_carrier.name) == ("karrio-generic", "Test Post")
    assert as_carrier.services() == [Service("ON", "Overnight", 25_000), Service("EC", "EC")]


class TestRates:
    def test_quotes_every_service_karrio_prices(self, carrier: KarrioCarrier) -> None:
        assert carrier.rates(shipment(1200)) == [
            Rate(
                "karrio-generic",
                "ON",
                "Overnight",
                Decimal("9.80"),
                "NZD",
                "",
                ("1 day in transit (carrier estimate)",),
            ),
            Rate(
                "karrio-generic",
                "EC",
                "EC",
                Decimal("5.20"),
                "NZD",
                "",
                ("3 days in transit (carrier estimate)",),
            ),
        ]

    def test_every_parcel_is_priced(self, carrier: KarrioCarrier) -> None:
        costs = {rate.service_code: rate.cost for rate in carrier.rates(shipment(1200, 500, 900))}
        assert costs == {"ON": Decimal("29.40"), "EC": Decimal("15.60")}

    def test_services_karrio_does_not_price_are_left_out(self, carrier: KarrioCarrier) -> None:
        assert [rate.service_code for rate in carrier.rates(shipment(2500))] == ["ON"]
        australia = address(postcode="2000", country="AU", region="NSW", city="Sydney")
        [overnight] = carrier.rates(shipment(800, receiver=australia))
        assert (overnight.service_code, overnight.cost) == ("ON", Decimal("24.00"))

    def test_nothing_quoted_refuses_with_station_and_karrio_reasons(
        self, carrier: KarrioCarrier
    ) -> None:
        with pytest.raises(ShipmentRefused) as caught:
            carrier.rates(shipment(30_000))
        assert caught.value.problems == (
            "parcel 1 weighs 30 kg, over Overnight's 25 kg limit",
            "the weight exceeds service EC max weight (invalid_weight)",
        )

    def test_an_unusable_shipment_is_refused_before_karrio_is_asked(
        self, carrier: KarrioCarrier, side: CarrierSide
    ) -> None:
        with pytest.raises(ShipmentRefused) as caught:
            carrier.rates(shipment(0, receiver=address(city="", country="GB")))
        assert caught.value.problems == (
            "receiver city is missing",
            "receiver country 'GB' is not served (NZ or AU)",
            "parcel 1 weight must be more than 0 g, not 0 g",
        )
        assert side.calls == []


class TestCreate:
    def test_creates_tickets_tracking_and_labels(
        self, carrier: KarrioCarrier, store: InMemoryConsignmentStore
    ) -> None:
        result = carrier.create(shipment(1200, reference="SO-7"), "key-1")
        assert isinstance(result, KarrioConsignment)
        [ticket] = result.tickets
        assert ticket.isdigit()
        assert (result.carrier, result.service_code, result.service_name, result.cost) == (
            "karrio-generic",
            "ON",
            "Overnight",
            Decimal("9.80"),
        )
        assert result.tracking_url == f"https://track.example.com/{ticket}"
        assert (result.created_at, result.idempotency_key, result.voided_at) == (
            START,
            "key-1",
            None,
        )
        assert result.shipment_identifier == ticket
        assert (result.carrier_label[:5], result.carrier_label_format) == (b"%PDF-", "PDF")
        [label] = result.labels
        assert (
            label.ticket,
            label.tracking_url,
            label.service,
            label.carrier,
            label.reference,
        ) == (
            ticket,
            result.tracking_url,
            "Overnight",
            "Test Post",
            "SO-7",
        )
        assert (label.parcel_text, label.weight_grams, label.printed_on) == (
            "Parcel 1 of 1",
            1200,
            date(2024, 5, 1),
        )
        assert store.get("key-1") == result

    def test_each_parcel_gets_a_ticket_and_a_label(self, carrier: KarrioCarrier) -> None:
        result = carrier.create(shipment(1200, 500, 900), "key-1")
        assert len(set(result.tickets)) == 3
        assert [(label.ticket, label.parcel_text) for label in result.labels] == [
            (ticket, f"Parcel {n} of 3") for n, ticket in enumerate(result.tickets, 1)
        ]
        assert [label.weight_grams for label in result.labels] == [1200, 500, 900]
        assert result.cost == Decimal("29.40")

    def test_the_same_key_returns_the_stored_consignment_without_calling_karrio(
        self, carrier: KarrioCarrier, side: CarrierSide, store: InMemoryConsignmentStore
    ) -> None:
        first = carrier.create(shipment(1200), "key-1")
        assert side.calls == ["rate", "ship"]
        again = carrier.create(shipment(9000, service="EC", reference="SO-other"), "key-1")
        assert again == first
        assert side.calls == ["rate", "ship"]
        assert len(store) == 1

    def test_a_voided_consignment_is_still_returned_for_its_key(
        self, carrier: KarrioCarrier, side: CarrierSide
    ) -> None:
        first = carrier.create(shipment(1200), "key-1")
        carrier.void(first, now=START)
        assert carrier.create(shipment(1200), "key-1").voided_at == START
        assert side.calls.count("ship") == 1

    def test_problems_station_sees_are_refused_before_karrio_is_asked(
        self, carrier: KarrioCarrier, side: CarrierSide, store: InMemoryConsignmentStore
    ) -> None:
        with pytest.raises(ShipmentRefused) as caught:
            carrier.create(shipment(26_000, 800, service="XX", reference=" "), "key-1")
        assert caught.value.problems == (
            "reference is missing",
            "unknown service 'XX' (choose ON, EC)",
        )
        with pytest.raises(ShipmentRefused) as caught:
            carrier.create(shipment(26_000, 800), "key-1")
        assert caught.value.problems == ("parcel 1 weighs 26 kg, over Overnight's 25 kg limit",)
        assert side.calls == []
        assert len(store) == 0

    def test_karrios_refusal_comes_back_with_every_message_and_nothing_is_bought(
        self, carrier: KarrioCarrier, side: CarrierSide, store: InMemoryConsignmentStore
    ) -> None:
        with pytest.raises(ShipmentRefused) as caught:
            carrier.create(shipment(2500, service="EC"), "key-1")
        assert caught.value.problems == (
            "the weight exceeds service EC max weight (invalid_weight)",
        )
        assert side.calls == ["rate"]
        assert len(store) == 0

    @pytest.mark.parametrize("key", ["", " ", "k" * 65])
    def test_unusable_keys_are_refused(self, carrier: KarrioCarrier, key: str) -> None:
        with pytest.raises(ValueError, match="idempotency key"):
            carrier.create(shipment(), key)

    def test_a_zpl_carrier_label_can_be_asked_for(
        self, store: InMemoryConsignmentStore, side: CarrierSide
    ) -> None:
        zpl = KarrioCarrier(
            KarrioConfig.from_dict({**GENERIC, "label_format": "zpl"}), store, gateway=side
        )
        result = zpl.create(shipment(1200), "key-1")
        assert result.carrier_label_format == "ZPL"
        text = result.carrier_label.decode()
        assert text.startswith("^XA") and text.rstrip().endswith("^XZ")
        assert result.tickets[0] in text


@pytest.mark.parametrize("hostile", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
class TestHostileAddressText:
    def test_rates_and_create_work_and_station_labels_keep_the_text(
        self, carrier: KarrioCarrier, hostile: str
    ) -> None:
        receiver = address(name=hostile, company=hostile, lines=(hostile, "45 Queen Street"))
        sent = replace(shipment(1200, receiver=receiver), reference="SO-1042")
        assert [rate.service_code for rate in carrier.rates(sent)] == ["ON", "EC"]
        result = carrier.create(sent, "key-1")
        assert result.carrier_label.startswith(b"%PDF-")
        assert result.labels[0].receiver.name == hostile.strip()

    def test_the_carrier_zpl_cannot_be_steered_by_address_text(
        self, store: InMemoryConsignmentStore, side: CarrierSide, hostile: str
    ) -> None:
        zpl = KarrioCarrier(
            KarrioConfig.from_dict({**GENERIC, "label_format": "ZPL"}), store, gateway=side
        )
        result = zpl.create(shipment(1200, receiver=address(name=hostile)), "key-1")
        text = result.carrier_label.decode()
        assert (text.count("^XA"), text.count("^XZ"), text.count("~")) == (1, 1, 0)
        if "{{" in hostile:
            assert "{{ 7*7 }}" in text  # data, never a template


class TestFailures:
    def test_an_unreachable_carrier_is_unavailable(
        self, config: KarrioConfig, generic: KarrioGateway, store: InMemoryConsignmentStore
    ) -> None:
        carrier = KarrioCarrier(config, store, gateway=with_proxy(generic, UnreachableProxy()))
        with pytest.raises(CarrierUnavailable, match=r"Test Post could not be reached \(URLError"):
            carrier.rates(shipment())
        with pytest.raises(CarrierUnavailable):
            carrier.create(shipment(), "key-1")
        assert len(store) == 0

    def test_a_carrier_that_does_not_answer_in_time_is_unavailable(
        self, config: KarrioConfig, generic: KarrioGateway, store: InMemoryConsignmentStore
    ) -> None:
        silent = SilentProxy()
        carrier = KarrioCarrier(
            config, store, gateway=with_proxy(generic, silent, timeout_seconds=0.05)
        )
        try:
            with pytest.raises(
                CarrierUnavailable, match="did not answer within 0.05 s; try again later"
            ):
                carrier.rates(shipment())
        finally:
            silent.release.set()
        assert len(store) == 0

    def test_operations_karrio_generic_lacks_are_unsupported(
        self, config: KarrioConfig, generic: KarrioGateway, store: InMemoryConsignmentStore
    ) -> None:
        carrier = KarrioCarrier(config, store, gateway=generic)
        result = carrier.create(shipment(), "key-1")
        with pytest.raises(UnsupportedOperation, match="Test Post does not support tracking"):
            carrier.track(result.tickets[0])
        with pytest.raises(
            UnsupportedOperation, match="Test Post does not support voiding consignments"
        ):
            carrier.void(result, now=START)
        assert store.get("key-1") == result


class TestVoid:
    def test_void_cancels_at_the_carrier_and_marks_the_consignment(
        self, carrier: KarrioCarrier, side: CarrierSide, store: InMemoryConsignmentStore
    ) -> None:
        result = carrier.create(shipment(1200, 500), "key-1")
        later = datetime(2024, 5, 2, 9, 0, tzinfo=UTC)
        carrier.void(result, now=later)
        assert side.cancelled == [result.tickets[0]]
        assert store.get("key-1") == replace(result, voided_at=later)
        with pytest.raises(VoidRefused, match="already voided at 2024-05-02 09:00 UTC"):
            carrier.void(result, now=later)
        assert side.calls.count("cancel") == 1

    def test_the_carriers_refusal_is_a_void_refusal(
        self, carrier: KarrioCarrier, side: CarrierSide, store: InMemoryConsignmentStore
    ) -> None:
        result = carrier.create(shipment(), "key-1")
        side.refuse_voids = True
        with pytest.raises(VoidRefused) as caught:
            carrier.void(result, now=START)
        assert str(caught.value) == (
            f"Test Post did not void consignment {result.tickets[0]}: "
            "manifested consignments cannot be cancelled (M12)"
        )
        assert store.get("key-1") == result

    def test_a_consignment_this_carrier_did_not_make_is_refused(
        self, carrier: KarrioCarrier, side: CarrierSide
    ) -> None:
        result = carrier.create(shipment(), "key-1")
        for foreign in (
            replace(result, idempotency_key="other"),
            replace(result, tickets=("999",)),
        ):
            with pytest.raises(VoidRefused, match="was not created by Test Post"):
                carrier.void(foreign, now=START)
        assert "cancel" not in side.calls

    def test_now_must_be_aware(self, carrier: KarrioCarrier) -> None:
        result = carrier.create(shipment(), "key-1")
        with pytest.raises(ValueError, match="timezone-aware"):
            carrier.void(result, now=datetime(2024, 5, 1, 13, 0))


class TestTrack:
    def test_events_come_back_oldest_first(self, carrier: KarrioCarrier, side: CarrierSide) -> None:
        side.events["123"] = [
            karrio_models.TrackingEvent(
                date="2024-05-02",
                time="09:15",
                description="Delivered",
                code="DL",
                status="delivered",
                location="Auckland",
            ),
            karrio_models.TrackingEvent(
                date="2024-05-01", time="16:40", description="Picked up", code="PU"
            ),
        ]
        assert carrier.track("123") == [
            TrackingEvent("123", datetime(2024, 5, 1, 16, 40, tzinfo=UTC), "PU", "Picked up"),
            TrackingEvent(
                "123", datetime(2024, 5, 2, 9, 15, tzinfo=UTC), "delivered", "Delivered", "Auckland"
            ),
        ]

    def test_an_unknown_ticket_is_refused_with_the_carriers_message(
        self, carrier: KarrioCarrier
    ) -> None:
        with pytest.raises(ShipmentRefused) as caught:
            carrier.track("404")
        assert caught.value.problems == ("tracking number not found (T404)",)


class TestMisconfiguration:
    def test_karrio_side_problems_are_listed_together(
        self, store: InMemoryConsignmentStore
    ) -> None:
        settings = {"display_name": "Test Post", "api_secret": "hunter2", "account": "1"}
        config = KarrioConfig.from_dict(
            {
                "carrier": "generic",
                "settings": settings,
                "services": ["ON", "standard_service", "XX"],
            }
        )
        with pytest.raises(CarrierMisconfigured) as caught:
            KarrioCarrier(config, store)
        known = (
            "account_country_code, account_number, carrier_id, config, custom_carrier_name, "
            "display_name, id, label_template, metadata, services, test_mode"
        )
        assert caught.value.problems == (
            "setting 'custom_carrier_name' is required by Karrio's generic connector",
            f"setting 'api_secret' is not a generic setting (known: {known})",
            f"setting 'account' is not a generic setting (known: {known})",
            "service code 'ON' is not a generic service (Karrio knows standard_service)",
            "service code 'XX' is not a generic service (Karrio knows standard_service)",
        )
        assert "hunter2" not in str(caught.value)

    def test_a_carrier_whose_connector_is_not_installed(
        self, store: InMemoryConsignmentStore
    ) -> None:
        config = KarrioConfig.from_dict({"carrier": "australiapost", "services": ["parcel_post"]})
        with pytest.raises(CarrierMisconfigured) as caught:
            KarrioCarrier(config, store)
        assert caught.value.problems == (
            "Karrio has no carrier 'australiapost' here: install its connector "
            "(pip install karrio-australiapost); installed: generic",
        )


@pytest.fixture(autouse=True)
def _no_stray_threads() -> Iterator[None]:
    """Karrio calls run on worker threads; each test's must be gone when it ends."""
    before = set(threading.enumerate())
    yield
    for thread in set(threading.enumerate()) - before:
        if thread.name.startswith("karrio-"):
            thread.join(timeout=5)
            assert not thread.is_alive(), f"{thread.name} still running"
