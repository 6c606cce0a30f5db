"""Users: argon2 hashes, clear refusals, constant-ish time for unknown users."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher, extract_parameters
from argon2.profiles import CHEAPEST, RFC_9106_LOW_MEMORY
from flask import Flask

from station import accounts
from station.accounts import AccountError, authenticate, create_user
from station.extensions import db
from station.models import Role


def test_passwords_are_stored_as_argon2_hashes(app: Flask) -> None:
    with app.app_context():
        user = create_user(db.session, "Packer1", "long enough pw", role=Role.PACKER)
        db.session.commit()

        assert user.username == "packer1"
        assert user.password_hash.startswith("$argon2id$")
        assert authenticate(db.session, "PACKER1", "long enough pw") is user
        assert authenticate(db.session, "packer1", "wrong password") is None
        assert authenticate(db.session, "nobody", "long enough pw") is None


@pytest.fixture
def production_hashes(cheap_password_hashes: PasswordHasher) -> Iterator[None]:
    """The hasher Station uses outside tests (the suite runs on argon2's cheapest)."""
    cheap = accounts.password_hasher()
    accounts.use_password_hasher(cheap_password_hashes)
    yield
    accounts.use_password_hasher(cheap)


def test_production_hashes_use_rfc_9106s_low_memory_profile(
    app: Flask, production_hashes: None
) -> None:
    with app.app_context():
        user = create_user(db.session, "packer1", "long enough pw", role=Role.PACKER)
        db.session.commit()

        assert extract_parameters(user.password_hash) == RFC_9106_LOW_MEMORY
        assert authenticate(db.session, "packer1", "long enough pw") is user


def test_a_weaker_hash_is_redone_at_the_next_sign_in(
    app: Flask, cheap_password_hashes: PasswordHasher
) -> None:
    cheap = accounts.password_hasher()
    with app.app_context():
        user = create_user(db.session, "packer1", "long enough pw", role=Role.PACKER)
        db.session.commit()
        assert extract_parameters(user.password_hash) == CHEAPEST

        accounts.use_password_hasher(cheap_password_hashes)
        try:
            assert authenticate(db.session, "packer1", "long enough pw") is user
        finally:
            accounts.use_password_hasher(cheap)

        assert extract_parameters(user.password_hash) == RFC_9106_LOW_MEMORY


def test_every_problem_is_reported_at_once(app: Flask) -> None:
    with app.app_context():
        create_user(db.session, "taken", "long enough pw", role=Role.PACKER)
        db.session.flush()

        with pytest.raises(AccountError) as excinfo:
            create_user(db.session, "taken", "short", role=Role.PACKER)

    assert "at least 8 characters" in str(excinfo.value)
    assert "'taken' is taken" in str(excinfo.value)


def test_inactive_users_cannot_sign_in(app: Flask) -> None:
    with app.app_context():
        user = create_user(db.session, "gone", "long enough pw", role=Role.MANAGER)
        user.active = False
        db.session.commit()

        assert authenticate(db.session, "gone", "long enough pw") is None


@pytest.mark.parametrize(
    ("role", "needed", "allowed"),
    [
        (Role.PACKER, Role.MANAGER, False),
        (Role.MANAGER, Role.MANAGER, True),
        (Role.ADMIN, Role.MANAGER, True),
        (Role.MANAGER, Role.ADMIN, False),
    ],
)
def test_roles_include_the_ones_below(role: Role, needed: Role, allowed: bool) -> None:
    assert role.allows(needed) is allowed
