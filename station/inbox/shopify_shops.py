"""Shopify signing secrets, each bound to one shop, and the webhook deliveries already taken.

Shopify signs a webhook's body but not its headers, so ``X-Shopify-Shop-Domain`` proves
nothing by itself: a body signed for one shop, sent again naming another, would make a
second order. Each secret therefore belongs to one shop domain, and a delivery is checked
only against the secret of the shop it names. Two shops may not share a secret (a body
signed for one would verify for the other).

``X-Shopify-Webhook-Id`` is not signed either; it only lets Station answer Shopify's own
retries "already received" without doing the work again. Replays with a fresh id still
meet the order's own once-per-shop-order-id check (``intake.take_order``).

Secrets are kept as settings (encrypted, and re-encrypted by ``station rotate-secrets``)
under a key made from the shop's domain; the plain value names the shop.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from station.inbox.errors import ShopifySecretInvalid
from station.inbox.tokens import shop_problem
from station.models import Setting, ShopifyDelivery
from station.settings import SettingsStore

KEY_PREFIX = "inbox.shopify_shop."
MAX_SECRET = 255
MAX_WEBHOOK_ID = 64


def _key(shop: str) -> str:
    # A digest keeps the key within the setting key's 64 characters for any shop name.
    return KEY_PREFIX + hashlib.sha256(shop.lower().encode()).hexdigest()[:40]


def bound_shops(session: Session) -> list[str]:
    """The shop domains that have a signing secret, in name order."""
    rows = session.scalars(
        select(Setting).where(Setting.key.startswith(KEY_PREFIX), Setting.secret.is_not(None))
    )
    return sorted(str((row.value or {}).get("shop", "")) for row in rows)


def shop_secret(store: SettingsStore, shop: str) -> str | None:
    """The signing secret bound to ``shop``, or None when the shop has none."""
    return store.get_secret(_key(shop.strip()))


def bind_shop_secret(store: SettingsStore, shop: str, secret: str) -> str:
    """Bind ``secret`` to ``shop`` (replacing its old one) and return the shop as stored.

    Raises ShopifySecretInvalid for a bad shop name, an empty or over-long secret, or a
    secret another shop already has. The caller commits.
    """
    shop, secret = shop.strip().lower(), secret.strip()
    problems = []
    problem = shop_problem(shop)
    if problem:
        problems.append(f"Shop domain: {problem}")
    if not secret or len(secret) > MAX_SECRET:
        problems.append(f"A signing secret is 1 to {MAX_SECRET} characters.")
    elif any(
        other != shop and shop_secret(store, other) == secret
        for other in bound_shops(store.session)
    ):
        problems.append(
            "Another shop already has this signing secret; each shop needs its own, or a "
            "body signed for one shop would be taken for the other."
        )
    if problems:
        raise ShopifySecretInvalid(" ".join(problems))
    store.set(_key(shop), {"shop": shop})
    store.set_secret(_key(shop), secret)
    return shop


def forget_shop_secret(store: SettingsStore, shop: str) -> bool:
    """Forget ``shop``'s secret (its webhooks are refused from then on); False if it had none."""
    if not store.has_secret(_key(shop.strip())):
        return False
    store.set_secret(_key(shop.strip()), None)
    return True


def webhook_id_problem(webhook_id: str) -> str | None:
    """Why ``webhook_id`` cannot name a delivery, or None when it can."""
    if not webhook_id or len(webhook_id) > MAX_WEBHOOK_ID:
        return (
            f"X-Shopify-Webhook-Id is missing or longer than {MAX_WEBHOOK_ID} characters; "
            "Shopify sends one with every delivery."
        )
    return None


def delivery_seen(session: Session, webhook_id: str) -> bool:
    """True when a delivery with ``webhook_id`` was taken before."""
    return session.get(ShopifyDelivery, webhook_id) is not None


def claim_delivery(session: Session, webhook_id: str, *, shop: str, now: datetime) -> bool:
    """Record a delivery's webhook id; False when it was taken before (do nothing more).

    The row is written in the caller's transaction, so an order refused later in the same
    request leaves the id free for Shopify's retry. Two deliveries racing on one id meet
    the primary key: one waits for the other's commit and then finds the id taken.
    """
    if delivery_seen(session, webhook_id):
        return False
    try:
        with session.begin_nested():
            session.add(ShopifyDelivery(webhook_id=webhook_id, shop=shop, received_at=now))
    except IntegrityError:
        return False
    return True
