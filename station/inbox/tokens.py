"""The shops' API tokens for ``POST /api/v1/orders``: shown once, kept only as a SHA-256.

Each token belongs to one shop; orders sent with it are that shop's, so two shops may
use the same order ids without meeting. ``issue_token``, ``rename_token``,
``withdraw_token``, ``remove_token`` and ``use_token`` are commands: each its own unit of
work, committed. A token that has opened the API is history (the list shows when it was
last used): removing it revokes it and keeps it; one never used is deleted.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from station import audit
from station.inbox.errors import TokenInvalid
from station.models import ApiToken, User
from station.uow import UnitOfWork

MAX_NAME = 64
SHOP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True, slots=True)
class NewToken:
    """A freshly made token row and the token itself (never stored, shown once)."""

    row: ApiToken
    token: str = field(repr=False)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def shop_problem(shop: str) -> str | None:
    """Why ``shop`` cannot name a shop, or None when it can."""
    if not SHOP_NAME.match(shop):
        return (
            "A shop name is 1 to 64 letters, digits, dots, dashes or underscores, starting "
            "with a letter or digit (for example my-shop.myshopify.com)."
        )
    return None


def name_problem(session: Session, name: str, *, own_id: int | None = None) -> str | None:
    """Why ``name`` (spaces tidied) cannot name a token, or None when it can."""
    if not name or len(name) > MAX_NAME:
        return f"A token needs a name of 1 to {MAX_NAME} characters."
    other = session.scalar(select(ApiToken.id).where(ApiToken.name == name))
    if other is not None and other != own_id:
        return f"A token called {name} already exists."
    return None


def create_token(session: Session, *, name: str, shop: str) -> NewToken:
    """Make a token for ``shop``; raises TokenInvalid for a bad or taken name or shop."""
    name, shop = " ".join(name.split()), shop.strip()
    problems = []
    problem = name_problem(session, name)
    if problem:
        problems.append(problem)
    problem = shop_problem(shop)
    if problem:
        problems.append(problem)
    if problems:
        raise TokenInvalid(" ".join(problems))
    token = secrets.token_urlsafe(32)
    row = ApiToken(name=name, shop=shop, token_hash=_hash(token))
    session.add(row)
    session.flush()
    return NewToken(row, token)


def token_for(session: Session, token: str, *, now: datetime) -> ApiToken | None:
    """The live token row ``token`` opens (its last use noted), or None."""
    if not token:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    row.last_used_at = now
    return row


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token: live ones first, then by name."""
    return list(
        session.scalars(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.name))
    )


def revoke_token(row: ApiToken, *, now: datetime) -> None:
    """Stop accepting a token at once (kept, so the list shows it was revoked)."""
    if row.revoked_at is None:
        row.revoked_at = now


def issue_token(actor: User | None, *, name: str, shop: str) -> NewToken:
    """``actor`` makes a token for ``shop`` (audited); TokenInvalid keeps nothing."""
    with UnitOfWork(actor) as uow:
        made = create_token(uow.session, name=name, shop=shop)
        uow.record(
            "inbox.api_token_created",
            target=audit.Target("api_token", made.row.id, made.row.name),
            detail={"shop": made.row.shop},
        )
        uow.commit()
    return made


def withdraw_token(actor: User | None, row: ApiToken, *, now: datetime) -> None:
    """``actor`` revokes a token (audited): orders sent with it are refused from then on."""
    with UnitOfWork(actor) as uow:
        revoke_token(row, now=now)
        uow.record("inbox.api_token_revoked", target=audit.Target("api_token", row.id, row.name))
        uow.commit()


def rename_token(actor: User | None, row: ApiToken, name: str) -> str:
    """``actor`` gives a live token a new name (audited); returns the old one.

    Raises TokenInvalid for a bad or taken name, or a revoked token (kept as it was).
    The token itself, and so the shop sending with it, is unchanged.
    """
    name = " ".join(name.split())
    with UnitOfWork(actor) as uow:
        if row.revoked_at is not None:
            raise TokenInvalid(f"The token {row.name} is revoked and kept as it was.")
        problem = name_problem(uow.session, name, own_id=row.id)
        if problem:
            raise TokenInvalid(problem)
        old = row.name
        if name == old:
            return old  # nothing changed, nothing to audit
        row.name = name
        uow.record(
            "inbox.api_token_renamed",
            target=audit.Target("api_token", row.id, row.name),
            detail={"from": old},
        )
        uow.commit()
    return old


@dataclass(frozen=True, slots=True)
class RemovedToken:
    """What removing a token did: deleted, or revoked and kept because it has been used."""

    name: str
    kept: bool


def remove_token(actor: User | None, row: ApiToken, *, now: datetime) -> RemovedToken:
    """``actor`` deletes a token never used, or revokes (and keeps) one that was; audited.

    Either way it opens nothing from then on.
    """
    with UnitOfWork(actor) as uow:
        removed = RemovedToken(row.name, kept=row.last_used_at is not None)
        target = audit.Target("api_token", row.id, row.name)
        if removed.kept:
            if row.revoked_at is not None:
                raise TokenInvalid(
                    f"The token {row.name} is revoked already, and kept because it has been used."
                )
            revoke_token(row, now=now)
            uow.record("inbox.api_token_revoked", target=target)
        else:
            uow.session.delete(row)
            uow.record("inbox.api_token_deleted", target=target)
        uow.commit()
    return removed


def use_token(token: str, *, now: datetime) -> str | None:
    """The shop a live ``token`` belongs to, its last use committed; None when it opens nothing.

    Committed at once: a request must not hold SQLite's write lock across Cin7 calls.
    """
    with UnitOfWork(None) as uow:
        row = token_for(uow.session, token, now=now)
        if row is None:
            return None
        shop = row.shop
        uow.commit()
    return shop
