"""Folders: the defaults appear when needed, custom ones come and go, moves are logged."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from station.inbox.errors import FolderInvalid
from station.inbox.folders import (
    DefaultFolder,
    Step,
    create_folder,
    default_folder,
    list_folders,
    move_order,
    remove_folder,
    step_folder,
)
from station.inbox.intake import take_order
from station.inbox.options import InboxOptions
from station.inbox.orders import read_order
from station.models import InboxSource
from tests.inbox.samples import order_json

NOW = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)


def test_the_default_folders_come_first_with_their_counts(ctx: Session) -> None:
    create_folder(ctx, "  Wholesale   orders ")
    take_order(
        ctx, read_order(order_json()), shop="web", source=InboxSource.API, payload={}, now=NOW
    )

    listed = [(c.folder.name, c.orders) for c in list_folders(ctx)]

    assert listed == [
        ("New", 1),
        ("Submitted", 0),
        ("Shipped", 0),
        ("Canceled", 0),
        ("Errors", 0),
        ("Wholesale orders", 0),
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "needs a name"), ("errors", "already a folder called Errors"), ("x" * 65, "at most 64")],
)
def test_a_folder_name_must_be_given_short_and_free(ctx: Session, name: str, message: str) -> None:
    with pytest.raises(FolderInvalid, match=message):
        create_folder(ctx, name)


def test_steps_use_the_chosen_folder_or_fall_back_to_the_default(ctx: Session) -> None:
    vip = create_folder(ctx, "VIP")

    chosen = step_folder(ctx, InboxOptions(after_import_folder_id=vip.id), Step.AFTER_IMPORT)
    gone = step_folder(ctx, InboxOptions(after_shipment_folder_id=9999), Step.AFTER_SHIPMENT)

    assert chosen.name == "VIP" and gone.name == "Shipped"
    assert step_folder(ctx, InboxOptions(), Step.IF_CANCELED).name == "Canceled"


def test_moving_an_order_logs_where_from_and_to(ctx: Session) -> None:
    order = take_order(
        ctx, read_order(order_json()), shop="web", source=InboxSource.API, payload={}, now=NOW
    ).order
    errors = default_folder(ctx, DefaultFolder.ERRORS)

    assert move_order(ctx, order, errors, at=NOW, by="manager", why="checking the address")
    assert not move_order(ctx, order, errors, at=NOW)

    assert order.folder.name == "Errors"
    assert [(e.kind, e.message, e.actor_username) for e in order.events][1:] == [
        ("moved", "Moved from New to Errors: checking the address", "manager")
    ]


def test_only_an_empty_custom_folder_no_setting_uses_can_be_removed(ctx: Session) -> None:
    used = create_folder(ctx, "Used")
    chosen = create_folder(ctx, "Chosen")
    spare = create_folder(ctx, "Spare")
    order = take_order(
        ctx, read_order(order_json()), shop="web", source=InboxSource.API, payload={}, now=NOW
    ).order
    move_order(ctx, order, used, at=NOW)
    options = InboxOptions(if_canceled_folder_id=chosen.id)

    for folder, message in [
        (default_folder(ctx, DefaultFolder.NEW), "default folders"),
        (used, "still holds 1 order"),
        (chosen, "chosen in the inbox settings"),
    ]:
        with pytest.raises(FolderInvalid, match=message):
            remove_folder(ctx, folder, options)
    remove_folder(ctx, spare, options)
    ctx.flush()

    assert [c.folder.name for c in list_folders(ctx)][-2:] == ["Chosen", "Used"]
