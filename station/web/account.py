"""My account: any signed-in user's name, password, usual printer and bench, sign out everywhere."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo, Length, Optional

from station.accounts import (
    AccountError,
    change_own_password,
    save_own_defaults,
    sign_out_everywhere,
)
from station.extensions import db
from station.models import User
from station.printing.setup import active_printers
from station.web.sessions import forget_session, idle_limit, now, remember_sign_in

bp = Blueprint("account", __name__, url_prefix="/account")


class DefaultsForm(FlaskForm):
    """The user's name and where they usually work (also on the admin's user page)."""

    display_name = StringField("Name", validators=[Optional(), Length(max=128)])
    default_printer_id = SelectField("Default printer", coerce=int)
    default_bench = StringField("Bench", validators=[Optional(), Length(max=64)])

    @classmethod
    def for_user(cls, session: Session, user: User, *, formdata: bool = True) -> DefaultsForm:
        """The form filled from ``user``, offering the printers in use."""
        saved = {
            "display_name": user.display_name or "",
            "default_printer_id": user.default_printer_id or 0,
            "default_bench": user.default_bench or "",
        }
        form = cls(data=saved) if formdata else cls(formdata=None, data=saved)
        form.default_printer_id.choices = [SelectChoice(0, "None: choose at the bench")] + [
            SelectChoice(p.id, p.name) for p in active_printers(session)
        ]
        return form


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[Length(max=256)])
    new = PasswordField("New password", validators=[Length(max=256)])
    confirm = PasswordField(
        "New password again", validators=[EqualTo("new", "The new passwords differ.")]
    )


class ButtonForm(FlaskForm):
    """Only the CSRF token: a button that needs no other input."""


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    """The account page."""
    return _page()


@bp.post("/defaults")
@login_required
def defaults() -> ResponseReturnValue:
    """Save the user's name, default printer and bench."""
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    form = DefaultsForm.for_user(db.session, user)
    if not form.validate_on_submit():
        return _page(defaults_form=form, status=422)
    save_own_defaults(
        user,
        display_name=form.display_name.data,
        printer_id=form.default_printer_id.data,
        bench=form.default_bench.data,
    )
    flash("Your account is saved.", "info")
    return redirect(url_for("account.index"))


@bp.post("/password")
@login_required
def password() -> ResponseReturnValue:
    """Change the user's own password; their other sessions end, this one goes on."""
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    form = PasswordForm()
    if not form.validate_on_submit():
        return _page(password_form=form, status=422)
    at = now()
    try:
        token = change_own_password(
            user, form.current.data or "", form.new.data or "", now=at, idle=idle_limit()
        )
    except AccountError as exc:
        flash(str(exc), "error")
        return _page(password_form=form, status=422)
    remember_sign_in(user, token, at=at)  # the change ended every session but this new one
    flash("Password changed. Other browsers signed in as you have been signed out.", "info")
    return redirect(url_for("account.index"))


@bp.post("/sign-out-everywhere")
@login_required
def sign_out_all() -> ResponseReturnValue:
    """End every session of this user, this one included."""
    if not ButtonForm().validate_on_submit():
        return _page(status=400)
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    sign_out_everywhere(user)
    forget_session()
    flash("You have been signed out everywhere, this browser included.", "info")
    return redirect(url_for("auth.login"))


def _page(
    *,
    defaults_form: DefaultsForm | None = None,
    password_form: PasswordForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    return render_template(
        "account/index.html",
        user=user,
        defaults_form=defaults_form or DefaultsForm.for_user(db.session, user, formdata=False),
        password_form=password_form or PasswordForm(formdata=None),
        button_form=ButtonForm(formdata=None),
    ), status
