"""Signing in and out (the lockout and auditing live in ``station.signin``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from station.models import User
from station.signin import SignInRefused, SignInThrottled, sign_in, sign_out
from station.web.sessions import (
    forget_session,
    idle_limit,
    now,
    remember_sign_in,
    session_token,
)

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """Show the sign-in form; sign in and go on to where the person was headed."""
    if current_user.is_authenticated:
        return redirect(url_for("orders.index"))
    form = LoginForm()
    if form.validate_on_submit():
        at = now()
        try:
            signed_in = sign_in(
                form.username.data or "",
                form.password.data or "",
                address=request.remote_addr or "",
                now=at,
                idle=idle_limit(),
            )
        except SignInRefused as exc:  # already counted towards the lockout
            flash(str(exc), "error")
            if isinstance(exc, SignInThrottled):
                headers = {"Retry-After": str(exc.retry_after)}
                return render_template("auth/login.html", form=form), 429, headers  # type: ignore[return-value]
            return render_template("auth/login.html", form=form), 401  # type: ignore[return-value]
        remember_sign_in(signed_in.user, signed_in.token, at=at)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    """End this browser's session on the server and return to the sign-in page.

    The user's sessions on other browsers go on; "sign out everywhere" ends those too.
    """
    if current_user.is_authenticated:
        user: User = current_user._get_current_object()  # type: ignore[attr-defined]
        sign_out(user, session_token(), address=request.remote_addr or "", now=now())
    forget_session()
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
