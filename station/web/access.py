"""Who may see what: login for every page, roles for manager and admin pages, API tokens."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort, request
from flask_login import current_user, login_required

from station.models import Role

P = ParamSpec("P")
R = TypeVar("R")


def role_required(role: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Require a signed-in user whose role includes ``role`` (else 403)."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        @login_required
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            if not current_user.role.allows(role):
                abort(
                    403,
                    f"This page is for {role.value}s. You are signed in as "
                    f"{current_user.username} ({current_user.role.value}); "
                    "ask an admin if you need it.",
                )
            return view(*args, **kwargs)

        return wrapped

    return decorate


def bearer_token() -> str:
    """The token of the request's ``Authorization: Bearer <token>`` header, or ""."""
    header = request.headers.get("Authorization", "")
    return header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
