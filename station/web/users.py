"""Users (admins): create people, set their role, printer and bench, reset, deactivate."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from station.accounts import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    add_user,
    change_role,
    deactivate_user,
    list_users,
    reactivate_user,
    reset_password,
    save_user_defaults,
)
from station.extensions import db
from station.models import Role, User
from station.web.access import role_required
from station.web.account import ButtonForm, DefaultsForm

bp = Blueprint("users", __name__, url_prefix="/users")

ROLE_CHOICES = [SelectChoice(r.value, r.value.capitalize()) for r in Role]


class NewUserForm(FlaskForm):
    username = StringField("Username", validators=[Length(max=64)])
    display_name = StringField("Name", validators=[Optional(), Length(max=128)])
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.PACKER.value)
    password = PasswordField(
        f"Initial password (at least {MIN_PASSWORD_LENGTH} characters)",
        validators=[Length(max=256)],
    )


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        f"New password (at least {MIN_PASSWORD_LENGTH} characters)",
        validators=[Length(max=256)],
    )


@bp.get("")
@role_required(Role.ADMIN)
def index() -> ResponseReturnValue:
    """Every user, and a form to add one."""
    return _list()


@bp.post("")
@role_required(Role.ADMIN)
def create() -> ResponseReturnValue:
    """Add a user with an initial password."""
    form = NewUserForm()
    if not form.validate_on_submit():
        return _list(form, status=422)
    try:
        user = add_user(
            _me(),
            form.username.data or "",
            form.password.data or "",
            role=Role(form.role.data),
            display_name=form.display_name.data,
        )
    except AccountError as exc:
        flash(str(exc), "error")
        return _list(form, status=422)
    flash(f"{user.username} can sign in now as a {user.role.value}.", "info")
    return redirect(url_for("users.index"))


@bp.get("/<int:user_id>")
@role_required(Role.ADMIN)
def show(user_id: int) -> ResponseReturnValue:
    """One user's role, defaults, password reset and deactivation."""
    return _page(_user(user_id))


@bp.post("/<int:user_id>/role")
@role_required(Role.ADMIN)
def role(user_id: int) -> ResponseReturnValue:
    """Give the user another role."""
    user, form = _user(user_id), RoleForm()

    def change() -> str:
        change_role(_me(), user, Role(form.role.data))
        return f"{user.username} is now a {user.role.value}."

    return _change(user, form, change)


@bp.post("/<int:user_id>/defaults")
@role_required(Role.ADMIN)
def defaults(user_id: int) -> ResponseReturnValue:
    """Save the user's name, default printer and bench."""
    user = _user(user_id)
    form = DefaultsForm.for_user(db.session, user)

    def change() -> str:
        save_user_defaults(
            _me(),
            user,
            display_name=form.display_name.data,
            printer_id=form.default_printer_id.data,
            bench=form.default_bench.data,
        )
        return f"{user.username}'s name, printer and bench saved."

    return _change(user, form, change)


@bp.post("/<int:user_id>/password")
@role_required(Role.ADMIN)
def password(user_id: int) -> ResponseReturnValue:
    """Set a new password; the user's sessions everywhere end."""
    user, form = _user(user_id), ResetPasswordForm()

    def change() -> str:
        reset_password(_me(), user, form.password.data or "")
        return f"{user.username}'s password is reset and their sessions have ended."

    return _change(user, form, change)


@bp.post("/<int:user_id>/deactivate")
@role_required(Role.ADMIN)
def deactivate(user_id: int) -> ResponseReturnValue:
    """Stop the user signing in and end their sessions."""
    user = _user(user_id)

    def change() -> str:
        deactivate_user(_me(), user)
        return f"{user.username} is deactivated and signed out everywhere."

    return _change(user, ButtonForm(), change)


@bp.post("/<int:user_id>/reactivate")
@role_required(Role.ADMIN)
def reactivate(user_id: int) -> ResponseReturnValue:
    """Let the user sign in again."""
    user = _user(user_id)

    def change() -> str:
        reactivate_user(_me(), user)
        return f"{user.username} can sign in again."

    return _change(user, ButtonForm(), change)


def _change(user: User, form: FlaskForm, change: Callable[[], str]) -> ResponseReturnValue:
    """Validate ``form`` and apply ``change`` (one service); or show the user's page with why (422)."""
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
        return _page(user, status=422)
    try:
        message = change()
    except AccountError as exc:
        flash(str(exc), "error")
        return _page(user, status=422)
    flash(message, "info")
    return redirect(url_for("users.show", user_id=user.id))


def _list(form: NewUserForm | None = None, *, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "users/index.html", users=list_users(db.session), form=form or NewUserForm(formdata=None)
    ), status


def _page(user: User, *, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "users/show.html",
        user=user,
        me=_me(),
        role_form=RoleForm(formdata=None, data={"role": user.role.value}),
        defaults_form=DefaultsForm.for_user(db.session, user, formdata=False),
        password_form=ResetPasswordForm(formdata=None),
        button_form=ButtonForm(formdata=None),
    ), status


def _user(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404, "No such user.")


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]
