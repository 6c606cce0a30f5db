"""Product settings: SKUs left out of Cin7 orders or sent as another SKU."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from station.cin7.sandbox import SandboxServer
from station.inbox.errors import ProductSettingInvalid
from station.inbox.products import (
    ProductRule,
    list_product_settings,
    product_rules,
    save_product_setting,
    sent_sku,
)
from tests.inbox.builders import calls, kinds, submit, take


def test_a_setting_is_kept_per_sku_in_any_case_and_replaced(ctx: Session) -> None:
    save_product_setting(ctx, "Gift-Card", do_not_send=True, send_as="")
    save_product_setting(ctx, "gift-card", do_not_send=False, send_as="VOUCHER")

    assert [(r.sku, r.send_as) for r in list_product_settings(ctx)] == [("gift-card", "VOUCHER")]
    assert product_rules(ctx) == {"gift-card": ProductRule(False, "VOUCHER")}


@pytest.mark.parametrize(
    ("sku", "do_not_send", "send_as", "message"),
    [
        ("", True, "", "A SKU is 1 to 128"),
        ("MUG", True, "CUP", "Choose one"),
        ("MUG", False, "", "Tick 'Do not send to Cin7'"),
        ("MUG", False, "mug", "cannot be sent as itself"),
    ],
)
def test_a_setting_must_say_one_clear_thing(
    ctx: Session, sku: str, do_not_send: bool, send_as: str, message: str
) -> None:
    with pytest.raises(ProductSettingInvalid, match=message):
        save_product_setting(ctx, sku, do_not_send=do_not_send, send_as=send_as)


def test_a_substitute_is_applied_once() -> None:
    rules = {"a": ProductRule(send_as="B"), "b": ProductRule(send_as="C"), "x": ProductRule(True)}

    assert [sent_sku(s, rules) for s in ("A", "b", "X", "other")] == ["B", "C", None, "other"]


def test_a_sku_set_not_to_be_sent_stays_behind_and_a_substitute_is_sent(
    ctx: Session, sandbox: SandboxServer
) -> None:
    save_product_setting(ctx, "socks-grey", do_not_send=True, send_as="")
    save_product_setting(ctx, "MUG-SAND", do_not_send=False, send_as="MUG-CHARCO")
    order = take(ctx)

    submit(ctx, sandbox, order)

    made = sandbox.state.orders[order.cin7_id]
    assert [(line["code"], line["qty"]) for line in made["lineItems"]] == [("MUG-CHARCO", 2)]


def test_an_order_of_only_skus_not_to_be_sent_has_no_products(
    ctx: Session, sandbox: SandboxServer
) -> None:
    save_product_setting(ctx, "MUG-SAND", do_not_send=True, send_as="")
    save_product_setting(ctx, "SOCKS-GREY", do_not_send=True, send_as="")
    order = take(ctx)

    submit(ctx, sandbox, order)

    assert kinds(order)[1:] == ["not_submitted_no_products", "moved"]
    assert calls(sandbox.state, "POST") == 0


def test_a_substitute_cin7_lacks_is_an_invalid_sku(ctx: Session, sandbox: SandboxServer) -> None:
    save_product_setting(ctx, "MUG-SAND", do_not_send=False, send_as="MUG-GONE")
    order = take(ctx)

    submit(ctx, sandbox, order)

    assert order.error == "Cin7 has no product with SKU MUG-GONE."
