"""Product settings: per SKU, do not send it to Cin7, or send it as another SKU.

SKUs match in any letter case. A substitute is applied once (A → B and B → C sends A as
B), so a chain can never loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from station import audit
from station.inbox.errors import ProductSettingInvalid
from station.models import InboxProductSetting, User
from station.uow import UnitOfWork

MAX_SKU = 128


@dataclass(frozen=True, slots=True)
class ProductRule:
    """What happens to one SKU on its way to Cin7."""

    do_not_send: bool = False
    send_as: str | None = None


ProductRules = Mapping[str, ProductRule]  # keyed by the lower-cased SKU


def product_rules(session: Session) -> dict[str, ProductRule]:
    """Every product setting, keyed by lower-cased SKU (read once per submission run)."""
    return {
        row.sku_key: ProductRule(row.do_not_send, row.send_as)
        for row in session.scalars(select(InboxProductSetting))
    }


def list_product_settings(session: Session) -> list[InboxProductSetting]:
    """Every product setting, by SKU."""
    return list(session.scalars(select(InboxProductSetting).order_by(InboxProductSetting.sku_key)))


def save_product_setting(
    session: Session, sku: str, *, do_not_send: bool, send_as: str
) -> InboxProductSetting:
    """Add or replace the setting for ``sku``; raises ProductSettingInvalid saying why not."""
    sku, send_as = sku.strip(), send_as.strip()
    problems = []
    if not sku or len(sku) > MAX_SKU:
        problems.append(f"A SKU is 1 to {MAX_SKU} characters.")
    if len(send_as) > MAX_SKU:
        problems.append(f"The SKU to send instead is at most {MAX_SKU} characters.")
    if do_not_send and send_as:
        problems.append("Choose one: do not send the SKU, or send it as another SKU.")
    if not do_not_send and not send_as:
        problems.append("Tick 'Do not send to Cin7' or type the SKU to send instead.")
    if send_as and send_as.lower() == sku.lower():
        problems.append("A SKU cannot be sent as itself.")
    if problems:
        raise ProductSettingInvalid(" ".join(problems))
    row = session.scalar(
        select(InboxProductSetting).where(InboxProductSetting.sku_key == sku.lower())
    ) or InboxProductSetting(sku_key=sku.lower())
    row.sku, row.do_not_send, row.send_as = sku, do_not_send, send_as or None
    session.add(row)
    session.flush()
    return row


def remove_product_setting(session: Session, row: InboxProductSetting) -> None:
    """Forget a product setting: the SKU is sent as it is again."""
    session.delete(row)


def keep_product_setting(
    actor: User | None, sku: str, *, do_not_send: bool, send_as: str
) -> InboxProductSetting:
    """``actor`` adds or replaces a SKU's setting (audited); ProductSettingInvalid keeps nothing."""
    with UnitOfWork(actor) as uow:
        row = save_product_setting(uow.session, sku, do_not_send=do_not_send, send_as=send_as)
        uow.record(
            "inbox.product_setting_saved",
            target=audit.Target("inbox_product_setting", row.id, row.sku),
            detail={"do_not_send": row.do_not_send, "send_as": row.send_as},
        )
        uow.commit()
    return row


def forget_product_setting(actor: User | None, row: InboxProductSetting) -> str:
    """``actor`` removes a SKU's setting (audited); the SKU."""
    setting_id, sku = row.id, row.sku
    with UnitOfWork(actor) as uow:
        remove_product_setting(uow.session, row)
        uow.record(
            "inbox.product_setting_removed",
            target=audit.Target("inbox_product_setting", setting_id, sku),
        )
        uow.commit()
    return sku


def sent_sku(sku: str, rules: ProductRules) -> str | None:
    """The SKU Cin7 gets for ``sku``: itself, its substitute, or None when it is not sent."""
    rule = rules.get(sku.lower())
    if rule is None:
        return sku
    return None if rule.do_not_send else rule.send_as or sku
