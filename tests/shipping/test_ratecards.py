"""The own-label rate card a manager uploads: checked in full, stored whole, or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from station.carriers.errors import RateCardProblem
from station.carriers.ratecard import default_rate_card_text
from station.extensions import db
from station.settings import settings_store
from station.shipping.carriers import own_label
from station.shipping.ratecards import (
    MAX_RATE_CARD_BYTES,
    RateCardRejected,
    UploadedRateCard,
    active_rate_card_text,
    revert_rate_card,
    save_rate_card,
    uploaded_rate_card,
)
from tests.carriers.samples import shipment

NOW = datetime(2026, 11, 25, 2, 30, tzinfo=UTC)
FLAT_CARD = (
    "zone,country,postcode_from,postcode_to\n"
    "NZ-ALL,NZ,0001,9999\n"
    "service,zone,max_weight_grams,base_price,per_kg_over\n"
    "ON,NZ-ALL,25000,3.33\n"
)


@pytest.fixture
def ctx(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session


def upload(session: Session, data: bytes, filename: str = "rates.csv") -> None:
    save_rate_card(settings_store(session), data, filename=filename, uploaded_by="mia", now=NOW)


def test_the_default_card_is_active_until_one_is_uploaded(ctx: Session) -> None:
    store = settings_store(ctx)

    assert active_rate_card_text(store) == default_rate_card_text()
    assert uploaded_rate_card(store) is None


def test_an_uploaded_card_prices_the_own_label_carrier(ctx: Session) -> None:
    upload(ctx, FLAT_CARD.encode())
    ctx.commit()

    rates = own_label(ctx).rates(shipment(1200))

    assert [(r.service_code, r.cost) for r in rates] == [("ON", Decimal("3.33"))]
    store = settings_store(ctx)
    assert active_rate_card_text(store) == FLAT_CARD
    assert uploaded_rate_card(store) == UploadedRateCard("rates.csv", "mia", NOW)


def test_a_bad_card_lists_every_row_and_changes_nothing(ctx: Session) -> None:
    upload(ctx, FLAT_CARD.encode())
    bad = FLAT_CARD.replace("NZ-ALL,NZ", "NZ-ALL,US") + "XX,NZ-ALL,1000,abc\n"

    with pytest.raises(RateCardRejected) as caught:
        upload(ctx, bad.encode(), "bad.csv")

    assert str(caught.value) == "bad.csv has 5 problems; nothing was saved"
    assert caught.value.rows == (
        RateCardProblem(2, "country", "country 'US' must be one of NZ, AU"),
        RateCardProblem(4, "zone", "zone 'NZ-ALL' is not defined in the zone section"),
        RateCardProblem(5, "service", "unknown service XX (known: EC, HV, ON)"),
        RateCardProblem(
            5, "base_price", "base_price 'abc' must be an amount under 100000 like 6.50"
        ),
        RateCardProblem(0, "", "the rate card has no zones"),
    )
    assert active_rate_card_text(settings_store(ctx)) == FLAT_CARD


def test_a_file_over_the_limit_is_refused_before_it_is_read(ctx: Session) -> None:
    big = FLAT_CARD.encode() + b"#" * MAX_RATE_CARD_BYTES

    with pytest.raises(RateCardRejected, match="big.csv is larger than 1 MB") as caught:
        upload(ctx, big, "big.csv")

    assert caught.value.rows == ()
    assert uploaded_rate_card(settings_store(ctx)) is None


def test_a_file_that_is_not_utf8_names_the_row(ctx: Session) -> None:
    latin1 = FLAT_CARD.replace("NZ-ALL,NZ", "NZ-ÅLL,NZ").encode("latin-1")

    with pytest.raises(RateCardRejected) as caught:
        upload(ctx, latin1)

    assert caught.value.rows == (
        RateCardProblem(2, "", "not UTF-8 text: save it as 'CSV UTF-8' and upload again"),
    )


def test_a_spreadsheet_bom_is_accepted(ctx: Session) -> None:
    upload(ctx, b"\xef\xbb\xbf" + FLAT_CARD.encode())

    assert active_rate_card_text(settings_store(ctx)) == FLAT_CARD


def test_revert_brings_the_default_back(ctx: Session) -> None:
    upload(ctx, FLAT_CARD.encode())

    revert_rate_card(settings_store(ctx))
    ctx.commit()

    assert uploaded_rate_card(settings_store(ctx)) is None
    assert {r.service_code for r in own_label(ctx).rates(shipment(1200))} == {"ON", "EC", "HV"}
