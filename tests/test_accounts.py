"""Users: argon2 hashes, clear refusals, constant-ish time for unknown users, audited commands."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher, extract_parameters
from argon2.profiles import CHEAPEST, RFC_9106_LOW_MEMORY
from flask import Flask
from sqlalchemy import func, select

from station import accounts
from station.accounts import (
    AccountError,
    add_user,
    authenticate,
    change_own_password,
    change_role,
    create_user,
    deactivate_user,
    reactivate_user,
    reset_password,
    save_own_defaults,
    save_user_defaults,
    sign_out_everywhere,
)
from station.extensions import db
from station.models import AuditEvent, Printer, Role, SignInSession, User
from station.sessions import session_user
from station.signin import sign_in

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


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


def test_production_hashes_use_owasps_minimum_argon2id_profile(
    app: Flask, production_hashes: None
) -> None:
    with app.app_context():
        user = create_user(db.session, "packer1", "long enough pw", role=Role.PACKER)
        db.session.commit()

        parameters = extract_parameters(user.password_hash)
        assert parameters == accounts.OWASP_MINIMUM
        assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (
            19 * 1024,
            2,
            1,
        )
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

        assert extract_parameters(user.password_hash) == accounts.OWASP_MINIMUM


def test_a_64_mib_hash_from_before_still_signs_in_and_is_redone_with_the_smaller_profile(
    app: Flask, production_hashes: None
) -> None:
    old_hash = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY).hash("long enough pw")
    with app.app_context():
        user = create_user(db.session, "packer1", "long enough pw", role=Role.PACKER)
        user.password_hash = old_hash
        db.session.commit()

        signed_in = sign_in("packer1", "long enough pw", address="192.0.2.1", now=NOW)
        db.session.expire_all()
        stored = db.session.get(User, user.id)

    assert signed_in.user.id == user.id
    assert stored is not None and stored.password_hash != old_hash
    assert extract_parameters(stored.password_hash) == accounts.OWASP_MINIMUM


def test_a_wrong_password_leaves_a_64_mib_hash_from_before_as_it_was(
    app: Flask, production_hashes: None
) -> None:
    old_hash = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY).hash("long enough pw")
    with app.app_context():
        user = create_user(db.session, "packer1", "long enough pw", role=Role.PACKER)
        user.password_hash = old_hash
        db.session.commit()

        assert authenticate(db.session, "packer1", "wrong password") is None
        db.session.commit()
        db.session.expire_all()

        assert db.session.get(User, user.id).password_hash == old_hash


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


@pytest.fixture
def admin(app: Flask) -> Iterator[User]:
    with app.app_context():
        user = create_user(db.session, "ada", "long enough pw", role=Role.ADMIN)
        db.session.commit()
        yield user


def entries() -> list[tuple[str, str, str, dict[str, object]]]:
    """(actor, action, target, detail) of the audit entries but sign-ins, oldest first."""
    query = select(AuditEvent).where(AuditEvent.action.not_like("signin.%")).order_by(AuditEvent.id)
    rows = db.session.scalars(query).all()
    return [(e.actor_username, e.action, e.target_label, e.detail) for e in rows]


def sessions_of(user: User) -> int:
    query = select(func.count()).select_from(SignInSession).where(SignInSession.user_id == user.id)
    return db.session.scalar(query) or 0


class TestCommandsAuditWhatTheyDo:
    def test_adding_a_user_records_their_role(self, admin: User) -> None:
        add_user(admin, "Pita", "long enough pw", role=Role.PACKER)
        db.session.rollback()  # already committed by the command

        assert entries() == [("ada", "user.created", "pita", {"role": "packer"})]

    def test_a_role_change_records_from_and_to(self, admin: User) -> None:
        pita = add_user(admin, "pita", "long enough pw", role=Role.PACKER)

        change_role(admin, pita, Role.MANAGER)

        assert entries()[-1] == (
            "ada",
            "user.role_changed",
            "pita",
            {"from": "packer", "to": "manager"},
        )

    def test_a_refused_change_leaves_neither_the_change_nor_an_entry(self, admin: User) -> None:
        with pytest.raises(AccountError, match="lower your own role"):
            change_role(admin, admin, Role.PACKER)
        with pytest.raises(AccountError, match="at least 8 characters"):
            reset_password(admin, admin, "short")

        assert admin.role is Role.ADMIN
        assert entries() == []

    def test_own_defaults_are_recorded_with_what_was_saved(self, admin: User) -> None:
        printer = Printer(name="Zebra 1", spec={"format": "zpl", "transport": "memory"})
        db.session.add(printer)
        db.session.commit()

        save_own_defaults(admin, display_name=" Ada ", printer_id=printer.id, bench="B2")

        assert entries() == [
            (
                "ada",
                "account.defaults.saved",
                "ada",
                {"name": "Ada", "printer": "Zebra 1", "bench": "B2"},
            )
        ]

    def test_an_admin_saving_someones_defaults_is_recorded_by_the_admin(self, admin: User) -> None:
        pita = add_user(admin, "pita", "long enough pw", role=Role.PACKER)

        save_user_defaults(admin, pita, display_name="Pita", printer_id=None, bench="")

        assert (pita.display_name, pita.default_printer, pita.default_bench) == ("Pita", None, None)
        assert entries()[-1] == ("ada", "user.defaults.saved", "pita", {})

    def test_a_password_change_ends_every_session_and_opens_one(self, admin: User) -> None:
        for _ in range(2):
            sign_in("ada", "long enough pw", address="192.0.2.1", now=NOW)

        token = change_own_password(admin, "long enough pw", "another long one", now=NOW)

        assert sessions_of(admin) == 1
        assert session_user(db.session, admin.id, token) is not None
        assert entries()[-1] == ("ada", "account.password.changed", "ada", {})

    def test_deactivating_ends_the_sessions_and_reactivating_lets_them_back(
        self, admin: User
    ) -> None:
        pita = add_user(admin, "pita", "long enough pw", role=Role.PACKER)
        sign_in("pita", "long enough pw", address="192.0.2.1", now=NOW)

        deactivate_user(admin, pita)
        assert (pita.active, sessions_of(pita)) == (False, 0)
        reactivate_user(admin, pita)

        assert pita.active
        assert [e[1] for e in entries()[-2:]] == ["user.deactivated", "user.reactivated"]

    def test_signing_out_everywhere_ends_every_session_of_the_user_only(self, admin: User) -> None:
        add_user(admin, "pita", "long enough pw", role=Role.PACKER)
        pita = sign_in("pita", "long enough pw", address="192.0.2.1", now=NOW).user
        sign_in("ada", "long enough pw", address="192.0.2.1", now=NOW)

        sign_out_everywhere(pita)

        assert (sessions_of(pita), sessions_of(admin)) == (0, 1)
        assert entries()[-1] == ("pita", "user.signed_out_everywhere", "pita", {})
