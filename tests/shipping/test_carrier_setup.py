"""Carrier configs on their edit form (credentials masked, and put back when left masked);
carriers retired, the built-in one included, and brought back."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from station import audit
from station.extensions import db
from station.models import AuditEvent, Consignment, ConsignmentState
from station.settings import rotate_secrets, secret_box, settings_store
from station.shipping.carrier_setup import (
    MASK,
    masked,
    reinstate_carrier,
    remove_karrio_carrier,
    retire_carrier,
    unmasked,
)
from station.shipping.carriers import (
    add_karrio_carriers,
    carrier_codes,
    karrio_dicts,
    retired_codes,
    retired_problem,
    save_karrio_carriers,
)
from station.shipping.costs import ShippingSetupInvalid
from tests.carriers.samples import GENERIC

STORED = {
    "display_name": "Test Post",
    "api_key": "k-123",
    "test_mode": True,
    "account": {"number": "A-9", "country": ""},
    "services": [{"service_code": "ON"}],
}


@pytest.fixture
def ctx(app: Flask) -> Iterator[Session]:
    with app.test_request_context():
        yield db.session


def test_text_settings_are_masked_but_names_flags_and_lists_are_not() -> None:
    assert masked(STORED) == {
        "display_name": "Test Post",
        "api_key": MASK,
        "test_mode": True,
        "account": {"number": MASK, "country": ""},
        "services": [{"service_code": "ON"}],
    }


def test_masked_and_blank_values_are_put_back_and_typed_ones_kept() -> None:
    problems: list[str] = []
    typed = {**masked(STORED), "api_key": "", "account": {"number": "B-1", "country": "NZ"}}

    back = unmasked(typed, STORED, problems, "settings")

    assert problems == []
    assert back == {**STORED, "account": {"number": "B-1", "country": "NZ"}}
    assert unmasked(masked(STORED), STORED, problems, "settings") == STORED


def test_a_mask_with_nothing_behind_it_is_a_problem() -> None:
    problems: list[str] = []

    unmasked({"password": MASK}, STORED, problems, "settings")

    assert problems == [f"settings.password reads {MASK} but no value is kept: type its value"]


def test_a_retired_carrier_is_not_chosen_and_says_why(ctx: Session) -> None:
    save_karrio_carriers(settings_store(ctx), [{**GENERIC, "code": "testpost"}])
    ctx.commit()
    ctx.add(
        Consignment(
            idempotency_key="k",
            state=ConsignmentState.CREATED,
            carrier="testpost",
            service_code="ON",
            reference="SO-1",
            shipment={},
        )
    )
    ctx.commit()

    removed = remove_karrio_carrier(None, "testpost")

    assert removed.retired and removed.name == "Test Post"
    assert carrier_codes(ctx) == ["ownlabel"]
    assert retired_problem(ctx, "testpost") == (
        "the carrier Test Post is retired: choose another carrier's service"
    )
    assert retired_problem(ctx, "ownlabel") is None
    with pytest.raises(ShippingSetupInvalid, match="retired and can no longer change"):
        remove_karrio_carrier(None, "testpost")


def audited(session: Session) -> list[tuple[str, str, dict[str, object]]]:
    """Every audit entry so far: action, its sentence and detail."""
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    return [(e.action, audit.describe(e), dict(e.detail)) for e in events]


def add_test_post(session: Session) -> None:
    save_karrio_carriers(settings_store(session), [{**GENERIC, "code": "testpost"}])
    session.commit()


class TestRetireAndBringBack:
    def test_the_own_label_carrier_is_not_retired_while_it_is_the_only_one(
        self, ctx: Session
    ) -> None:
        with pytest.raises(ShippingSetupInvalid) as refused:
            retire_carrier(None, "ownlabel")

        assert str(refused.value) == (
            "The carrier Own label is the only one left to book with: add another carrier, "
            "or bring a retired one back, before retiring it."
        )
        assert carrier_codes(ctx) == ["ownlabel"] and audited(ctx) == []

    def test_the_own_label_carrier_retires_beside_another_and_comes_back(
        self, ctx: Session
    ) -> None:
        add_test_post(ctx)

        assert retire_carrier(None, "ownlabel") == "Own label"
        assert carrier_codes(ctx) == ["testpost"]
        assert retired_problem(ctx, "ownlabel") == (
            "the carrier Own label is retired: choose another carrier's service"
        )

        assert reinstate_carrier(None, "ownlabel") == "Own label"
        assert carrier_codes(ctx) == ["ownlabel", "testpost"]
        assert retired_problem(ctx, "ownlabel") is None
        assert audited(ctx) == [
            ("settings.carrier.retired", "Carrier Own label: retired", {"code": "ownlabel"}),
            (
                "settings.carrier.brought_back",
                "Carrier Own label: brought back",
                {"code": "ownlabel"},
            ),
        ]

    def test_the_last_carrier_left_is_neither_retired_nor_deleted(self, ctx: Session) -> None:
        add_test_post(ctx)
        retire_carrier(None, "ownlabel")

        with pytest.raises(ShippingSetupInvalid, match="Test Post is the only one left"):
            remove_karrio_carrier(None, "testpost")
        with pytest.raises(ShippingSetupInvalid, match="before retiring it"):
            retire_carrier(None, "testpost")

        assert carrier_codes(ctx) == ["testpost"]
        assert [action for action, _, _ in audited(ctx)] == ["settings.carrier.retired"]

    def test_a_retired_karrio_carrier_comes_back_with_its_config(self, ctx: Session) -> None:
        add_test_post(ctx)
        retire_carrier(None, "testpost")

        assert reinstate_carrier(None, "testpost") == "Test Post"

        assert carrier_codes(ctx) == ["ownlabel", "testpost"]
        assert retired_codes(settings_store(ctx)) == set()
        assert audited(ctx)[-1][:2] == (
            "settings.carrier.brought_back",
            "Carrier Test Post: brought back",
        )

    @pytest.mark.parametrize(
        ("change", "code", "problem"),
        [
            (retire_carrier, "nopost", "No carrier 'nopost' is set up."),
            (reinstate_carrier, "nopost", "No carrier 'nopost' is set up."),
            (reinstate_carrier, "ownlabel", "The carrier Own label is not retired."),
            (reinstate_carrier, "testpost", "The carrier Test Post is not retired."),
        ],
    )
    def test_an_unknown_carrier_or_one_not_retired_is_refused_with_why(
        self, ctx: Session, change: Callable[[None, str], str], code: str, problem: str
    ) -> None:
        add_test_post(ctx)

        with pytest.raises(ShippingSetupInvalid) as refused:
            change(None, code)

        assert str(refused.value) == problem and audited(ctx) == []

    def test_a_retired_carrier_is_not_retired_again(self, ctx: Session) -> None:
        add_test_post(ctx)
        retire_carrier(None, "ownlabel")

        with pytest.raises(ShippingSetupInvalid, match="Own label is retired already"):
            retire_carrier(None, "ownlabel")


def carrier(code: str) -> str:
    """The JSON a manager pastes for a Karrio carrier with Station code ``code``."""
    return json.dumps({**GENERIC, "code": code})


def at_once(app: Flask, *calls: Callable[[], object]) -> list[object]:
    """Run each call on a thread of its own (its own app context and connection), all
    released together; what each returned or raised, in order."""
    start = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(n: int, call: Callable[[], object]) -> None:
        with app.app_context():
            start.wait()
            try:
                outcomes[n] = call()
            except Exception as exc:  # noqa: BLE001 - the outcome is what the test reads
                outcomes[n] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


@pytest.mark.both_databases
class TestManagersAtOnce:
    """Every carrier change is made from the stored lists; saved together, none is lost."""

    CODES = ("post1", "post2", "post3", "post4")

    def test_carriers_added_and_retired_together_are_all_kept(
        self, app: Flask, ctx: Session
    ) -> None:
        added = at_once(
            app, *(functools.partial(add_karrio_carriers, None, carrier(c)) for c in self.CODES)
        )
        ctx.rollback()

        assert added == [["Test Post"]] * len(self.CODES)
        assert sorted(karrio_dicts(settings_store(ctx))) == list(self.CODES)

        retired = at_once(app, *(functools.partial(retire_carrier, None, c) for c in self.CODES))
        ctx.rollback()

        assert retired == ["Test Post"] * len(self.CODES)
        assert retired_codes(settings_store(ctx)) == set(self.CODES)
        assert carrier_codes(ctx) == ["ownlabel"]
        actions = [action for action, _, _ in audited(ctx)]
        assert actions.count("settings.carrier.added") == len(self.CODES)
        assert actions.count("settings.carrier.retired") == len(self.CODES)

    def test_carriers_added_while_the_secrets_are_re_encrypted_are_all_kept(
        self, app: Flask, ctx: Session
    ) -> None:
        def rotate() -> object:
            rotation = rotate_secrets(db.session, secret_box())  # the list is one secret
            db.session.commit()
            return rotation

        add_test_post(ctx)
        outcomes = at_once(
            app,
            rotate,
            *(functools.partial(add_karrio_carriers, None, carrier(c)) for c in self.CODES),
        )
        ctx.rollback()

        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        assert sorted(karrio_dicts(settings_store(ctx))) == sorted(["testpost", *self.CODES])

    def test_of_two_carriers_retired_together_one_stays_to_book_with(
        self, app: Flask, ctx: Session
    ) -> None:
        add_test_post(ctx)

        outcomes = at_once(
            app,
            functools.partial(retire_carrier, None, "ownlabel"),
            functools.partial(retire_carrier, None, "testpost"),
        )
        ctx.rollback()

        refused = [o for o in outcomes if isinstance(o, ShippingSetupInvalid)]
        assert len(refused) == 1 and "the only one left to book with" in str(refused[0])
        assert len(carrier_codes(ctx)) == 1
