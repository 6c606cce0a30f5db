"""Signing in and out."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from station.accounts import authenticate
from station.extensions import db, login_manager
from station.models import User

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in user for Flask-Login."""
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """Show the sign-in form; sign in and go on to where the person was headed."""
    if current_user.is_authenticated:
        return redirect(url_for("orders.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session, form.username.data or "", form.password.data or "")
        if user is not None:
            db.session.commit()
            login_user(user)
            log.info("user %s signed in", user.username)
            return redirect(_safe_next(request.args.get("next")))
        log.info(
            "failed sign-in for %r from %s", (form.username.data or "")[:64], request.remote_addr
        )
        flash("Wrong username or password.", "error")
        return render_template("auth/login.html", form=form), 401  # type: ignore[return-value]
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    """Sign out and return to the sign-in page."""
    logout_user()
    return redirect(url_for("auth.login"))


@bp.get("/")
def home() -> Response:
    """The front door: the order list."""
    return redirect(url_for("orders.index"))


def _safe_next(target: str | None) -> str:
    """Only follow ``next`` to a path on this site.

    Browsers read ``//host`` and ``/\\host`` as another site, so a path must start with
    exactly one slash and hold no backslash or control character.
    """
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        unsafe = "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target)
        if not parts.scheme and not parts.netloc and not unsafe:
            return target
    return url_for("orders.index")
