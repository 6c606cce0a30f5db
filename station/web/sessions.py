"""Signed-in sessions: who the session belongs to, and when it ends by itself.

Each sign-in is a row on the server (``SignInSession``); the signed cookie carries the
user's id and the row's random token, and the user loader finds both in one query. A
session ends when its row goes: signing out of this browser, signing out everywhere, a
password reset or deactivation; and after ``SESSION_IDLE_MINUTES`` without a request (the
last request's time is kept in the cookie). Either way the person lands on the sign-in
page with a message saying why.

The current time comes from :func:`now`, which tests can replace per app.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Response, current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from station.db import utcnow
from station.extensions import db, login_manager
from station.models import Role, User
from station.sessions import (
    COOKIE_GRACE,
    IDLE_LIMIT,
    end_idle_session,
    keep_session_alive,
    session_user,
)
from station.web.fragments import is_fragment_request

log = logging.getLogger(__name__)

CLOCK = "station.clock"  # app.extensions key: a callable returning aware UTC datetimes
SEEN_KEY = "seen_at"  # epoch seconds of the session's last request
TOKEN_KEY = "sign_in"  # the random token of this browser's SignInSession row


def init_app(app: Flask) -> None:
    """Read ``SESSION_IDLE_MINUTES`` and check every signed-in request against it."""
    default = int(IDLE_LIMIT.total_seconds() // 60)
    minutes = idle_minutes(app.config.get("SESSION_IDLE_MINUTES", default))
    app.config["SESSION_IDLE_MINUTES"] = minutes
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=minutes) + COOKIE_GRACE
    app.extensions.setdefault(CLOCK, utcnow)
    app.before_request(_check_session)


def idle_minutes(value: Any) -> int:
    """``SESSION_IDLE_MINUTES`` as a positive whole number; anything else stops Station starting."""
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"SESSION_IDLE_MINUTES must be whole minutes, not {value!r}") from None
    if minutes < 1:
        raise ValueError(f"SESSION_IDLE_MINUTES must be at least 1, not {minutes}")
    return minutes


def now() -> datetime:
    """The current time as the web layer sees it (UTC, timezone-aware)."""
    clock: Callable[[], datetime] = current_app.extensions[CLOCK]
    return clock()


def idle_limit() -> timedelta:
    """How long a session may go without a request (``SESSION_IDLE_MINUTES``)."""
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def remember_sign_in(user: User, token: str, *, at: datetime) -> None:
    """Keep ``user``'s new server-side session ``token`` (opened at ``at``) in this browser's cookie."""
    login_user(user)
    session.permanent = True
    session[SEEN_KEY] = int(at.timestamp())
    session[TOKEN_KEY] = token


def session_token() -> str:
    """This browser's sign-in token ("" when it has none)."""
    token = session.get(TOKEN_KEY)
    return token if isinstance(token, str) else ""


def forget_session() -> None:
    """Forget the sign-in on this browser (its server-side row is ended by the caller)."""
    logout_user()
    session.pop(SEEN_KEY, None)
    session.pop(TOKEN_KEY, None)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in user, while active and while this browser's sign-in is open."""
    token = session_token()
    if not (user_id.isdigit() and token):
        return None
    found = session_user(db.session, int(user_id), token)
    if found is None:
        return None
    user, g.sign_in_session = found
    return user


def _check_session() -> BaseResponse | None:
    if request.endpoint == "static" or "_user_id" not in session:
        return None
    current = now()
    at = current.timestamp()
    if not current_user.is_authenticated:
        log.info("refused an ended session (user %s)", session.get("_user_id"))
        return _end(
            "You have been signed out: this session was ended, or your account was "
            "signed out everywhere or changed."
        )
    minutes = current_app.config["SESSION_IDLE_MINUTES"]
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    if _idle(at):
        log.info("signed %s out after %s idle minutes", user.username, minutes)
        end_idle_session(user, session_token(), idle=idle_limit(), now=current)
        return _end(f"You were signed out after {_duration(minutes)} without activity.")
    session[SEEN_KEY] = int(at)
    keep_session_alive(user, g.sign_in_session, now=current)
    return None


def sandbox_controls_guard(app: Flask, environ: dict[str, object]) -> BaseResponse | None:
    """Refuse (401/403, JSON) a sandbox control request from anyone but a signed-in admin.

    The mounted sandbox is another WSGI app: this reads Station's own session cookie for
    the request, with the same rules as every page (ended or idle sessions count for
    nothing). Cross-site use is blocked by the SameSite cookie and the controls' JSON bodies.
    """
    with app.request_context(environ):  # type: ignore[arg-type]
        if not current_user.is_authenticated or _idle(now().timestamp()):
            log.info("refused a sandbox control request without an admin's sign-in")
            return _json_refusal(
                401, "The sandbox's controls need you to sign in to Station as an admin."
            )
        if not current_user.role.allows(Role.ADMIN):
            log.info("refused sandbox controls to %s", current_user.username)
            return _json_refusal(
                403,
                f"The sandbox's controls are for admins; you are signed in as "
                f"{current_user.username} ({current_user.role.value}).",
            )
    return None


def _json_refusal(status: int, message: str) -> BaseResponse:
    """A refusal in the sandbox's own error shape (``{"Message": ...}``)."""
    return Response(json.dumps({"Message": message}), status=status, mimetype="application/json")


def _idle(at: float) -> bool:
    """True when this session's last request is longer ago than the idle limit."""
    return at - session.get(SEEN_KEY, 0) > current_app.config["SESSION_IDLE_MINUTES"] * 60


def _end(message: str) -> BaseResponse:
    """Forget the session and send the person to the sign-in page with ``message``."""
    forget_session()
    flash(f"{message} Please sign in again.", "info")
    back = request.full_path.rstrip("?") if request.method == "GET" else None
    target = url_for("auth.login", next=back)
    if is_fragment_request():  # htmx would swap the sign-in page into a fragment's place
        response = Response(status=401)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def _duration(minutes: int) -> str:
    if minutes % 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''}"
