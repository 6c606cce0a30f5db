"""Views that call Cin7 on a person's behalf spend that person's allowance first.

Mark such a view with :func:`spends_cin7` (below ``login_required`` / ``role_required``, so
only signed-in requests count). Past the allowance it answers 429 with the sentence from
:mod:`station.cin7.allowance`, as a fragment to htmx and as a page otherwise, with a
``Retry-After`` header. ``tests/web/test_cin7_actions.py`` lists every marked view and
fails when a view reaches Cin7 without the mark.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from functools import wraps
from typing import ParamSpec

from flask import make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from station.cin7.allowance import AllowanceSpent, Cin7Action
from station.cin7.wiring import cin7_wiring
from station.web.fragments import is_fragment_request

P = ParamSpec("P")
ACTION_ATTRIBUTE = "cin7_action"  # set on a marked view (and copied by outer decorators)


def spends_cin7(
    action: Cin7Action, *, methods: Collection[str] | None = None
) -> Callable[[Callable[P, ResponseReturnValue]], Callable[P, ResponseReturnValue]]:
    """Mark a view as calling Cin7 for the signed-in person: each request takes one use.

    ``methods`` limits the count to those HTTP methods (a form shown by GET, sent by POST).
    """

    def decorate(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
            if methods is None or request.method in methods:
                allowances = cin7_wiring().allowances
                if allowances is not None:
                    try:
                        allowances.spend(current_user.id, action)
                    except AllowanceSpent as exc:
                        return _refused(exc)
            return view(*args, **kwargs)

        setattr(wrapped, ACTION_ATTRIBUTE, action)
        return wrapped

    return decorate


def _refused(exc: AllowanceSpent) -> ResponseReturnValue:
    template = "partials/error.html" if is_fragment_request() else "error.html"
    response = make_response(render_template(template, code=429, message=str(exc)), 429)
    response.headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
    return response
