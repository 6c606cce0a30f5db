"""The audit log page (managers): who did what, filtered and paged, newest first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from wtforms import DateField, Field, Form, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from printers.formats import TRANSPORT_NAMES, TransportKind
from station import audit
from station.accounts import list_users
from station.days import out_of_range
from station.extensions import db
from station.models import Role
from station.web.access import role_required
from station.web.localtime import warehouse_zone
from station.web.names import carrier_name
from station.web.params import db_int

bp = Blueprint("audit", __name__, url_prefix="/audit")
bp.add_app_template_filter(audit.describe, "audit_sentence")  # also on users' and orders' pages


@bp.app_template_filter("audit_detail")
def audit_detail(detail: Mapping[str, Any]) -> str:
    """An event's detail as people read it: "key: value" pairs, codes given their names.

    A printer's ``transport`` reads "Network label printer", not "tcp9100"; a ``carrier``
    code reads as the carrier's name ("Own label"), or stays as it is when none is known.
    """
    return " · ".join(
        f"{key.replace('_', ' ')}: {_named(key, value)}" for key, value in detail.items()
    )


def _named(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key == "transport":
        try:
            return TRANSPORT_NAMES.get(TransportKind(value), str(value))
        except ValueError:
            return str(value)  # a transport this version does not know: shown as recorded
    if key == "carrier" and isinstance(value, str):
        return carrier_name(value)
    return str(value)


PER_PAGE = 50


def _day_in_range(form: Form, field: DateField) -> None:
    problem = field.data and out_of_range(field.data)
    if problem:
        raise ValidationError(f"{field.data.isoformat()} {problem}.")


class AuditFilterForm(Form):
    """The filters, read from the query string (a GET form needs no CSRF token)."""

    action = StringField("Action starts with", validators=[Optional(), Length(max=64)])
    user = SelectField("User", default="")
    target = StringField("Target contains", validators=[Optional(), Length(max=100)])
    since = DateField("From", validators=[Optional(), _day_in_range])
    until = DateField("To", validators=[Optional(), _day_in_range])


@bp.get("")
@role_required(Role.MANAGER)
def index() -> ResponseReturnValue:
    """The audit log, newest first, narrowed by the filters in the query string."""
    form = AuditFilterForm(request.args)
    form.user.choices = [SelectChoice("", "Anyone")] + [
        SelectChoice(u.username, u.username) for u in list_users(db.session)
    ]
    valid = form.validate()  # a field in error does not narrow the log; the page says why
    wanted = audit.AuditFilter(
        action=_clean(form.action) or "",
        username=_clean(form.user) or "",
        target=_clean(form.target) or "",
        since=_clean(form.since),
        until=_clean(form.until),
    )
    listing = audit.search(
        db.session,
        wanted,
        tz=warehouse_zone(),
        page=request.args.get("page", 1, type=db_int),
        per_page=PER_PAGE,
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "audit/index.html",
        form=form,
        listing=listing,
        args=args,
        actions=audit.actions(db.session),
        tz=warehouse_zone(),
    ), 200 if valid else 422


def _clean(field: Field) -> Any:
    return None if field.errors else field.data
