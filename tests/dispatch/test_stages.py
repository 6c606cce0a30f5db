"""Cin7 stages that must not ship: refused with the stage named; Awaiting Payment confirmed first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from station.accounts import create_user
from station.dispatch.bulk import run_bulk, start_bulk
from station.dispatch.checks import ShipRules, Verdict, ship_verdict
from station.dispatch.options import DispatchOptions, OptionsInvalid, Sender, load_options
from station.dispatch.ship import DispatchRefused
from station.dispatch.stages import save_stages
from station.models import AuditEvent, BulkDispatch, Consignment, Role, User
from station.settings import settings_store
from tests.builders import add_order, add_printer, count, ship


def now() -> datetime:
    return datetime.now(UTC)


@pytest.mark.parametrize("stage", ["Declined", "On Hold"])
def test_an_order_at_a_refused_stage_cannot_ship_and_the_stage_is_named(
    ctx: Session, stage: str
) -> None:
    order = add_order(ctx, stage=stage)

    with pytest.raises(DispatchRefused) as refused:
        ship(ctx, order)
    ctx.rollback()

    assert str(refused.value) == f"SO-5001 cannot ship: It is {stage} in Cin7."
    assert count(ctx, Consignment) == 0


def test_an_awaiting_payment_order_ships_only_once_its_stage_is_confirmed(ctx: Session) -> None:
    order = add_order(ctx, stage="Awaiting Payment")
    ctx.commit()

    with pytest.raises(DispatchRefused, match="Awaiting Payment in Cin7 and shipping it was not"):
        ship(ctx, order)
    ctx.rollback()
    assert count(ctx, Consignment) == 0

    shipped = ship(ctx, order, req={"confirmed_stages": ("Awaiting Payment",)})

    assert shipped.consignment.tickets


def test_a_confirmation_of_another_stage_does_not_count(ctx: Session) -> None:
    order = add_order(ctx, stage="Awaiting Payment")

    with pytest.raises(DispatchRefused):
        ship(ctx, order, req={"confirmed_stages": ("New",)})


def test_the_manager_decides_which_stages_are_refused(ctx: Session) -> None:
    held, declined = add_order(ctx, 1, stage="On Hold"), add_order(ctx, 2, stage="Declined")
    only_declined = {"refused_stages": ("Declined",), "confirm_stages": ()}

    assert ship(ctx, held, key="bench-1-x", **only_declined).consignment.tickets
    with pytest.raises(DispatchRefused, match="It is Declined in Cin7"):
        ship(ctx, declined, key="bench-2-y", **only_declined)


def test_a_void_or_dispatched_order_is_refused_whatever_the_stage_list(ctx: Session) -> None:
    rules = ShipRules(refused_stages=(), confirm_stages=())
    void = add_order(ctx, 1, is_void=True, stage="New")
    dispatched = add_order(ctx, 2, stage="Dispatched")

    assert ship_verdict(void, {}, rules).verdict == Verdict.BLOCKED
    assert ship_verdict(dispatched, {}, rules).verdict == Verdict.BLOCKED


def bulk(
    ctx: Session, order_ids: list[int], user: User | None = None, **start: object
) -> BulkDispatch:
    run = start_bulk(
        user,
        order_ids,
        printer=add_printer(ctx),
        service="ownlabel:EC",
        weight_grams=900,
        preset=None,
        cost_centre_id=None,
        **start,  # type: ignore[arg-type]
    )
    ctx.commit()
    finished = run_bulk(ctx, run.id, options=DispatchOptions(), sender=Sender(), now=now)
    assert finished is not None
    return finished


def test_bulk_skips_refused_stages_and_unconfirmed_awaiting_payment_with_the_reason(
    ctx: Session,
) -> None:
    manager = create_user(ctx, "aroha", "a-long-passphrase", role=Role.MANAGER)
    ids = [
        add_order(ctx, 1, stage="New").id,
        add_order(ctx, 2, stage="On Hold").id,
        add_order(ctx, 3, stage="Declined").id,
        add_order(ctx, 4, stage="Awaiting Payment").id,
    ]

    run = bulk(ctx, ids, user=manager)

    assert run.shipped == 1
    assert {f["reference"]: f["reason"] for f in run.failures} == {
        "SO-2": "SO-2 cannot ship: It is On Hold in Cin7.",
        "SO-3": "SO-3 cannot ship: It is Declined in Cin7.",
        "SO-4": "SO-4 cannot ship: It is Awaiting Payment in Cin7 and shipping it was not "
        "confirmed.",
    }


def test_bulk_ships_awaiting_payment_when_the_manager_ticked_it(ctx: Session) -> None:
    manager = create_user(ctx, "aroha", "a-long-passphrase", role=Role.MANAGER)
    ids = [add_order(ctx, 1, stage="Awaiting Payment").id, add_order(ctx, 2, stage="On Hold").id]

    run = bulk(ctx, ids, user=manager, confirmed_stages=["Awaiting Payment"])

    assert run.shipped == 1
    assert [f["reference"] for f in run.failures] == ["SO-2"]


def test_a_bulk_run_names_the_manager_who_started_it_as_the_packer(ctx: Session) -> None:
    manager = create_user(ctx, "aroha", "a-long-passphrase", role=Role.MANAGER)
    ids = [add_order(ctx, n).id for n in (1, 2)]

    bulk(ctx, ids, user=manager)

    packers = ctx.scalars(select(Consignment.created_by_id)).all()
    assert packers == [manager.id, manager.id]
    created = ctx.scalars(
        select(AuditEvent).where(AuditEvent.action == "consignment.created")
    ).all()
    assert [event.actor_username for event in created] == ["aroha", "aroha"]


def test_stage_lists_take_cin7s_spelling_and_name_stages_no_order_has(ctx: Session) -> None:
    store = settings_store(ctx)

    saved = save_stages(
        store,
        refused="on hold, Declined,\nFraud Check",
        confirm="awaiting payment",
        known=["On Hold", "Declined", "Awaiting Payment", "New"],
    )

    options = load_options(store)
    assert options.refused_stages == ("On Hold", "Declined", "Fraud Check")
    assert options.confirm_stages == ("Awaiting Payment",)
    assert saved.unseen == ("Fraud Check",)


def test_stage_lists_that_contradict_each_other_are_refused_with_every_reason(
    ctx: Session,
) -> None:
    store = settings_store(ctx)

    with pytest.raises(OptionsInvalid) as invalid:
        save_stages(store, refused="On Hold, Dispatched", confirm="on hold", known=["On Hold"])

    message = str(invalid.value)
    assert "Dispatched need not be listed" in message
    assert "On Hold cannot be both refused and shipped after a confirmation" in message
    assert load_options(store).refused_stages == DispatchOptions().refused_stages


def test_the_defaults_refuse_declined_and_on_hold_and_confirm_awaiting_payment(
    ctx: Session,
) -> None:
    options = load_options(settings_store(ctx))

    assert options.refused_stages == ("Declined", "On Hold")
    assert options.confirm_stages == ("Awaiting Payment",)
