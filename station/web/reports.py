"""Reports for managers: dispatches, freight and blocked orders, with charts and CSV files."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue

from station.db import utcnow
from station.dispatch.checks import ShipRules
from station.dispatch.options import load_options
from station.extensions import db
from station.models import Role
from station.reports.export import to_csv
from station.reports.overview import UnknownReport, filter_choices, overview, table_named
from station.reports.period import ReportQuery, ReportRequestInvalid, period_from
from station.settings import settings_store
from station.web.access import role_required
from station.web.localtime import warehouse_zone
from station.web.params import db_int

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.get("")
@role_required(Role.MANAGER)
def index() -> ResponseReturnValue:
    """Every report for the chosen days, carrier and packer (the last 14 days by default)."""
    choices = filter_choices(db.session)
    try:
        query = _query()
    except ReportRequestInvalid as exc:
        return render_template(
            "reports/index.html", report=None, error=str(exc), choices=choices, filters=_filters()
        ), 422
    report = overview(
        db.session,
        query,
        rules=_rules(),
        blocked_page=request.args.get("blocked_page", 1, type=db_int),
    )
    return render_template(
        "reports/index.html", report=report, error=None, choices=choices, filters=_filters(query)
    )


@bp.get("/<name>.csv")
@role_required(Role.MANAGER)
def export(name: str) -> ResponseReturnValue:
    """One report's table as a CSV file, for the same filters as the page."""
    try:
        query = _query()
        table = table_named(db.session, name, query, rules=_rules())
    except UnknownReport as exc:
        abort(404, str(exc))
    except ReportRequestInvalid as exc:
        abort(422, str(exc))
    period = query.period
    filename = f"station-{table.name}-{period.first.isoformat()}-to-{period.last.isoformat()}.csv"
    return Response(
        to_csv(table),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _query() -> ReportQuery:
    args, tz = request.args, warehouse_zone()
    today = utcnow().astimezone(tz).date()
    return ReportQuery(
        period_from(args.get("from"), args.get("to"), today=today, tz=tz),
        carrier=(args.get("carrier") or "").strip()[:32] or None,
        packer_id=args.get("packer", type=db_int),
    )


def _filters(query: ReportQuery | None = None) -> dict[str, str]:
    """The filters as typed (or as resolved), to fill the form and the CSV links."""
    args = request.args
    if query is None:
        return {key: args.get(key, "") for key in ("from", "to", "carrier", "packer")}
    return {
        "from": query.period.first.isoformat(),
        "to": query.period.last.isoformat(),
        "carrier": query.carrier or "",
        "packer": str(query.packer_id) if query.packer_id is not None else "",
    }


def _rules() -> ShipRules:
    return load_options(settings_store(db.session)).rules
