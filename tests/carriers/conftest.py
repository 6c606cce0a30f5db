"""Fixtures for carrier tests: the golden rate card, a hand-moved clock, a carrier."""

from __future__ import annotations

import pytest

from station.carriers import (
    InMemoryConsignmentStore,
    InMemoryTicketAllocator,
    OwnLabelCarrier,
    RateCard,
    load_rate_card,
)
from tests.carriers.samples import GOLDEN_CARD, FakeClock, golden_services


@pytest.fixture
def card() -> RateCard:
    return load_rate_card(GOLDEN_CARD)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def allocator() -> InMemoryTicketAllocator:
    return InMemoryTicketAllocator()


@pytest.fixture
def store() -> InMemoryConsignmentStore:
    return InMemoryConsignmentStore()


@pytest.fixture
def carrier(
    card: RateCard,
    clock: FakeClock,
    allocator: InMemoryTicketAllocator,
    store: InMemoryConsignmentStore,
) -> OwnLabelCarrier:
    return OwnLabelCarrier(
        rate_card=card,
        services=golden_services(),
        allocator=allocator,
        store=store,
        clock=clock,
    )
