"""Printers: the list, adding one, test prints, the print queue, label previews, print agents."""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from printers.errors import PrinterRejected
from printers.formats import LABEL_SIZES, TRANSPORT_NAMES, TransportKind
from printers.transport import PrinterFormat
from station.db import utcnow
from station.dispatch.rights import NotYours
from station.extensions import db
from station.models import JobState, PrintAgent, Printer, PrintJob, Role
from station.printing.actions import print_again, retry_printer_now
from station.printing.agents import (
    AgentRequestInvalid,
    active_agents,
    add_print_agent,
    list_agents,
    withdraw_print_agent,
)
from station.printing.job_list import list_jobs
from station.printing.limits import printer_limits
from station.printing.queue import ReprintRefused
from station.printing.setup import (
    PrinterSetupInvalid,
    create_printer,
    preview,
    remove_printer,
    send_test_print,
    update_printer,
)
from station.printing.transports import printer_spec
from station.printing.withheld import voided_jobs
from station.web.access import role_required
from station.web.fragments import is_fragment_request, page_or_fragment
from station.web.params import db_int

log = logging.getLogger(__name__)

bp = Blueprint("printers", __name__, url_prefix="/printers")

QUEUE_STATES = [state.value for state in JobState]  # queued, sending, done (printed), failed
QUEUE_CHANGED = "print-queue-changed"  # HX-Trigger event: a job was added or made due

# Named as the printer list and the audit log name them (printers.formats.TRANSPORT_NAMES).
TRANSPORT_CHOICES = [
    SelectChoice(kind.value, TRANSPORT_NAMES[kind])
    for kind in (
        TransportKind.TCP,
        TransportKind.CUPS,
        TransportKind.ESCPOS_NETWORK,
        TransportKind.ESCPOS_USB,
        TransportKind.ESCPOS_SERIAL,
        TransportKind.VIRTUAL,
        TransportKind.FILE,
    )
]
FORMAT_CHOICES = [
    SelectChoice(PrinterFormat.ZPL.value, "ZPL (Zebra and compatibles)"),
    SelectChoice(PrinterFormat.PDF.value, "PDF"),
    SelectChoice(PrinterFormat.PNG_RASTER.value, "Raster image (ESC/POS)"),
]


class PrinterForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=64)])
    bench = StringField("Bench", validators=[Optional(), Length(max=64)])
    transport = SelectField("Connection", choices=TRANSPORT_CHOICES)
    format = SelectField("Label format", choices=FORMAT_CHOICES)
    label_size = SelectField("Label size", choices=[SelectChoice(s, s) for s in LABEL_SIZES])
    dpi = SelectField(
        "Resolution", choices=[SelectChoice("203", "203 dpi"), SelectChoice("300", "300 dpi")]
    )
    host = StringField("Host or IP", validators=[Optional(), Length(max=255)])
    port = IntegerField("Port", validators=[Optional()], default=9100)
    queue = StringField("CUPS queue", validators=[Optional(), Length(max=128)])
    directory = StringField("Folder", validators=[Optional(), Length(max=255)])
    device = StringField("Device (serial port or file)", validators=[Optional(), Length(max=255)])
    agent_id = SelectField("Printed by", coerce=str, default="")
    check_status = BooleanField(
        "Ask the printer for its status (~HS) before each label", default=True
    )
    unicode_font = StringField(
        "Unicode font on the printer (ZPL)", validators=[Optional(), Length(max=32)]
    )


class AgentForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=64)])


class RevokeAgentForm(FlaskForm):
    """Only the CSRF token: revoking needs no other input."""


@bp.get("")
@login_required
def index() -> str:
    """Every printer with its recent jobs."""
    printers = db.session.scalars(
        db.select(Printer).order_by(Printer.active.desc(), Printer.name)
    ).all()
    recent = db.session.scalars(db.select(PrintJob).order_by(PrintJob.id.desc()).limit(20)).all()
    return render_template(
        "printers/index.html",
        printers=printers,
        recent=recent,
        voided=voided_jobs(db.session, recent),
        action_form=FlaskForm(),
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def new() -> str | WerkzeugResponse:
    """Add a printer; every problem with it is listed at once."""
    form = _printer_form()
    if form.validate_on_submit():
        try:
            printer = create_printer(current_user, limits=printer_limits(), **_settings(form))
        except PrinterSetupInvalid as exc:
            return _form_page(form, problems=exc.problems, status=422)
        flash(f"Printer {printer.name} added. Send it a test print.", "info")
        return redirect(url_for("printers.index"))
    return _form_page(form, status=422 if form.is_submitted() else 200)


@bp.route("/<int:printer_id>/edit", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def edit(printer_id: int) -> str | WerkzeugResponse:
    """Change a printer's settings on the form it was added with, filled in."""
    printer = db.session.get(Printer, printer_id) or abort(404, "No such printer.")
    form = _printer_form(printer)
    if form.validate_on_submit():
        try:
            update_printer(current_user, printer, limits=printer_limits(), **_settings(form))
        except PrinterSetupInvalid as exc:
            return _form_page(form, printer=printer, problems=exc.problems, status=422)
        flash(f"Printer {printer.name} saved.", "info")
        return redirect(url_for("printers.index"))
    status = 422 if form.is_submitted() else 200
    return _form_page(form, printer=printer, status=status)


@bp.post("/<int:printer_id>/delete")
@role_required(Role.MANAGER)
def delete(printer_id: int) -> WerkzeugResponse:
    """Delete a printer, or retire it when print jobs or consignments name it."""
    if not FlaskForm().validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    printer = db.session.get(Printer, printer_id) or abort(404, "No such printer.")
    removed = remove_printer(current_user, printer)
    if not removed.retired:
        flash(f"Printer {removed.name} deleted.", "info")
    else:
        waiting = (
            f" Its {removed.waiting_jobs} waiting job(s) will not be sent; reprint them on "
            "another printer."
            if removed.waiting_jobs
            else ""
        )
        flash(
            f"Printer {removed.name} retired: it has print history, so it is kept for that "
            f"but no longer offered at the benches.{waiting}",
            "info",
        )
    return redirect(url_for("printers.index"))


def _printer_form(printer: Printer | None = None) -> PrinterForm:
    """The printer form, filled from ``printer`` when editing (the request's data wins)."""
    data = None
    if printer is not None:
        spec = printer.spec
        data = {
            "name": printer.name,
            "bench": printer.bench or "",
            "agent_id": str(printer.agent_id or ""),
            **{key: spec.get(key) for key in _SPEC_FIELDS if spec.get(key) is not None},
            "dpi": str(spec.get("dpi", 203)),
            "check_status": bool(spec.get("check_status", True)),
        }
    form = PrinterForm(data=data)
    if printer is not None:  # a connection set up outside the form (a config file) stays
        for field, kind in ((form.transport, "transport"), (form.format, "format")):
            current = str(printer.spec.get(kind, ""))
            if current and current not in [choice.value for choice in field.choices]:
                field.choices = [*field.choices, SelectChoice(current, current)]
    form.agent_id.choices = [SelectChoice("", "This server")] + [
        SelectChoice(str(a.id), f"Print agent: {a.name}") for a in active_agents(db.session)
    ]
    return form


_SPEC_FIELDS = (
    "transport", "format", "label_size", "host", "port", "queue", "directory", "device",
    "unicode_font",
)  # fmt: skip


def _settings(form: PrinterForm) -> dict[str, Any]:
    """The service's keyword arguments from a valid printer form."""
    spec = {
        "transport": form.transport.data,
        "format": form.format.data,
        "label_size": form.label_size.data,
        "dpi": int(form.dpi.data or 203),
        "host": form.host.data,
        "port": form.port.data,
        "queue": form.queue.data,
        "directory": form.directory.data,
        "device": form.device.data,
        "check_status": form.check_status.data,
        "unicode_font": (form.unicode_font.data or "").strip(),
    }
    return {
        "name": form.name.data or "",
        "spec": spec,
        "bench": form.bench.data,
        "agent_id": int(form.agent_id.data) if form.agent_id.data else None,
    }


def _form_page(
    form: PrinterForm,
    *,
    printer: Printer | None = None,
    problems: tuple[str, ...] = (),
    status: int = 200,
) -> WerkzeugResponse:
    """The add (or, with ``printer``, edit) printer page."""
    page = render_template("printers/new.html", form=form, printer=printer, problems=problems)
    return make_response(page, status)


@bp.post("/<int:printer_id>/test")
@role_required(Role.MANAGER)
def test_print(printer_id: int) -> str:
    """Queue a test label and start sending it; answers with the job's live status."""
    printer = db.session.get(Printer, printer_id) or abort(404, "No such printer.")
    job = send_test_print(current_user, printer, today=utcnow().date())
    db.session.refresh(job)  # the job may have been sent already (jobs run inline in some setups)
    return render_template("partials/printers/print_job.html", job=job)


@bp.get("/queue")
@login_required
def queue() -> Response:
    """Every printer's jobs in one list, newest first, by state and printer."""
    state = request.args.get("state", "")
    listing = list_jobs(
        db.session,
        state=JobState(state) if state in QUEUE_STATES else None,
        printer_id=request.args.get("printer", type=db_int),
        page=request.args.get("page", 1, type=db_int),
        per_page=current_app.config["ORDERS_PER_PAGE"],
    )
    filters = {key: request.args[key] for key in ("state", "printer") if request.args.get(key)}
    return page_or_fragment(
        "printers/queue.html",
        "partials/printers/queue.html",
        listing=listing,
        voided=voided_jobs(db.session, listing.jobs),
        filters=filters,
        states=QUEUE_STATES,
        printers=db.session.scalars(db.select(Printer).order_by(Printer.name)).all(),
    )


@bp.post("/<int:printer_id>/retry")
@login_required
def retry(printer_id: int) -> WerkzeugResponse:
    """Send the printer's waiting jobs now (after fixing it) instead of after the back-off."""
    printer = db.session.get(Printer, printer_id) or abort(404, "No such printer.")
    count = retry_printer_now(current_user, printer, now=utcnow())
    if is_fragment_request():
        return Response(status=204, headers={"HX-Trigger": QUEUE_CHANGED})
    flash(f"{count} waiting job(s) on {printer.name} are being sent again now.", "info")
    return redirect(url_for("printers.queue", printer=printer.id))


@bp.get("/jobs/<int:job_id>")
@login_required
def job_status(job_id: int) -> str:
    """One job's status fragment (polls itself while the job is not finished)."""
    job = db.session.get(PrintJob, job_id) or abort(404, "No such print job.")
    return render_template(
        "partials/printers/print_job.html", job=job, voided=voided_jobs(db.session, [job])
    )


@bp.post("/jobs/<int:job_id>/reprint")
@login_required
def reprint_job(job_id: int) -> Response:
    """Print a finished job again, as a new job (a label only as the consignment rule allows)."""
    job = db.session.get(PrintJob, job_id) or abort(404, "No such print job.")
    try:
        user = current_user._get_current_object()  # type: ignore[attr-defined]
        copy = print_again(user, job, now=utcnow())
    except NotYours as exc:
        log.info("refused to reprint print job %s: %s", job_id, exc)
        abort(403, str(exc))
    except ReprintRefused as exc:
        log.info("refused to reprint print job %s: %s", job_id, exc)
        page = render_template("partials/error.html", message=str(exc))
        # beside the button pressed, wherever it sits (queue row, bench, consignment)
        return Response(page, 422, headers={"HX-Retarget": "this", "HX-Reswap": "afterend"})
    db.session.refresh(copy)  # the job may have been sent already
    page = render_template("partials/printers/print_job.html", job=copy)
    return Response(page, headers={"HX-Trigger": QUEUE_CHANGED})


@bp.get("/jobs/<int:job_id>/preview")
@login_required
def job_preview(job_id: int) -> Response:
    """The job as a PNG (PDF and raster jobs) or as text (ZPL)."""
    job = db.session.get(PrintJob, job_id) or abort(404, "No such print job.")
    shown = preview(job)
    if shown.png is not None:
        return Response(
            shown.png, mimetype="image/png", headers={"Cache-Control": "private, max-age=3600"}
        )
    return Response(shown.text or "", mimetype="text/plain; charset=utf-8")


@bp.get("/agents")
@role_required(Role.MANAGER)
def agents() -> str:
    """Print agents: bench PCs that print for the server, with their printers."""
    return render_template(
        "printers/agents.html", agents=list_agents(db.session), revoke_form=RevokeAgentForm()
    )


@bp.route("/agents/new", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def new_agent() -> str | Response:
    """Register an agent; its token is shown on the answer to this POST and never again."""
    form = AgentForm()
    if form.validate_on_submit():
        try:
            created = add_print_agent(current_user, form.name.data or "")
        except AgentRequestInvalid as exc:
            return render_template("printers/agent_new.html", form=form, problems=(str(exc),)), 422  # type: ignore[return-value]
        server = request.host_url.rstrip("/")
        page = render_template(
            "printers/agent_token.html", agent=created.agent, token=created.token, server=server
        )
        response = make_response(page, 201)
        response.headers["Cache-Control"] = "no-store"  # the token must not linger in caches
        return response
    status = 422 if form.is_submitted() else 200
    return render_template("printers/agent_new.html", form=form, problems=()), status  # type: ignore[return-value]


@bp.post("/agents/<int:agent_id>/revoke")
@role_required(Role.MANAGER)
def revoke(agent_id: int) -> WerkzeugResponse:
    """Stop accepting an agent's token at once."""
    if not RevokeAgentForm().validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    agent = db.session.get(PrintAgent, agent_id) or abort(404, "No such print agent.")
    withdraw_print_agent(current_user, agent, now=utcnow())
    waiting = ", ".join(p.name for p in agent.printers)
    note = (
        f" Its printers ({waiting}) keep their jobs queued until they are set up on another agent."
        if waiting
        else ""
    )
    flash(f"Print agent {agent.name} revoked: its token no longer works.{note}", "info")
    return redirect(url_for("printers.agents"))


@bp.app_template_global()
def print_job_finished(job: PrintJob) -> bool:
    """True once a job will not change by itself (templates stop polling then)."""
    return job.state in (JobState.DONE, JobState.FAILED)


PREVIEW_WIDTH = 240  # px, as .label-preview's max-width


@bp.app_template_global()
def preview_box(job: PrintJob) -> tuple[int, int]:
    """The width and height (px) a job's preview holds on the page before its image loads.

    The image's own shape takes over once it has loaded; holding a label-shaped box until
    then keeps the buttons under it (Void, Reprint) from jumping down as it arrives, under
    a packer's click.
    """
    try:
        width_mm, height_mm = printer_spec(job.printer).size_mm
    except PrinterRejected:  # a spec stored before a check existed: held as a 4x6 label
        width_mm, height_mm = LABEL_SIZES["4x6"]
    return PREVIEW_WIDTH, round(PREVIEW_WIDTH * height_mm / width_mm)


bp.add_app_template_global(printer_spec, "printer_spec")
