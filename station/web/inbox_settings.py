"""Inbox → Settings: where orders move, mail class, Shopify, folders, API tokens, products."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from station.db import utcnow
from station.extensions import db
from station.inbox.errors import (
    FolderInvalid,
    ProductSettingInvalid,
    ShopifySecretInvalid,
    TokenInvalid,
)
from station.inbox.folders import (
    Step,
    add_custom_folder,
    list_folders,
    make_default_folders,
    remove_custom_folder,
    rename_folder,
    step_folder,
)
from station.inbox.inventory_schedule import interval_choices, sync_cost
from station.inbox.options import (
    SHOPIFY_SECRET_KEY,
    InboxOptions,
    forget_shopify_shop,
    load_options,
    save_inbox_settings,
)
from station.inbox.products import (
    forget_product_setting,
    keep_product_setting,
    list_product_settings,
)
from station.inbox.shopify_shops import bound_shops
from station.inbox.tokens import (
    issue_token,
    list_tokens,
    remove_token,
    rename_token,
    withdraw_token,
)
from station.models import ApiToken, InboxFolder, InboxProductSetting, Role
from station.settings import settings_store
from station.web.access import role_required
from station.web.inbox import current_person

bp = Blueprint("inbox_settings", __name__, url_prefix="/inbox/settings")


class OptionsForm(FlaskForm):
    after_import_folder_id = SelectField("After import, move to", coerce=int)
    after_shipment_folder_id = SelectField("After shipment, move to", coerce=int)
    if_canceled_folder_id = SelectField("If canceled, move to", coerce=int)
    default_mail_class = StringField("Default mail class", validators=[Length(max=128)])
    shopify_shop = StringField("Shop domain", validators=[Length(max=64)])
    shopify_secret = PasswordField("Its webhook signing secret", validators=[Length(max=255)])
    inventory_sync_minutes = SelectField("Sync inventory from Cin7", coerce=int)
    inventory_include_incoming = BooleanField("Available includes incoming stock")
    inventory_subtract_holding = BooleanField("Available leaves out stock on hold")


class FolderForm(FlaskForm):
    name = StringField("New folder", validators=[DataRequired(), Length(max=64)])


class RenameFolderForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=64)])


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=64)])
    shop = StringField("Shop", validators=[DataRequired(), Length(max=64)])


class RenameTokenForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=64)])


class ProductForm(FlaskForm):
    sku = StringField("SKU", validators=[DataRequired(), Length(max=128)])
    do_not_send = BooleanField("Do not send to Cin7")
    send_as = StringField("Send as SKU", validators=[Length(max=128)])


class ConfirmForm(FlaskForm):
    """Only the CSRF token: removing and revoking need no other input."""


@bp.get("")
@role_required(Role.MANAGER)
def index() -> ResponseReturnValue:
    """The inbox settings page."""
    return _page()


@bp.post("")
@role_required(Role.MANAGER)
def save() -> ResponseReturnValue:
    """Save where orders move, the default mail class and the Shopify secret."""
    form = _options_form()
    if not form.validate_on_submit():
        return _page(options_form=form, status=422)
    options = InboxOptions(
        after_import_folder_id=form.after_import_folder_id.data,
        after_shipment_folder_id=form.after_shipment_folder_id.data,
        if_canceled_folder_id=form.if_canceled_folder_id.data,
        default_mail_class=(form.default_mail_class.data or "").strip(),
        inventory_sync_minutes=form.inventory_sync_minutes.data,
        inventory_include_incoming=form.inventory_include_incoming.data,
        inventory_subtract_holding=form.inventory_subtract_holding.data,
    )
    try:
        save_inbox_settings(
            current_person(),
            settings_store(db.session),
            options,
            shopify_shop=form.shopify_shop.data or "",
            shopify_secret=form.shopify_secret.data or "",
        )
    except ShopifySecretInvalid as exc:
        flash(str(exc), "error")
        return _page(options_form=form, status=422)
    flash("Inbox settings saved.", "info")
    return redirect(url_for("inbox_settings.index"))


@bp.post("/shopify/<shop>/forget")
@role_required(Role.MANAGER)
def forget_shopify(shop: str) -> ResponseReturnValue:
    """Forget one shop's signing secret: its webhooks are refused from then on."""
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    if not forget_shopify_shop(current_person(), settings_store(db.session), shop):
        abort(404, "No signing secret is bound to that shop.")
    flash(
        f"The signing secret of {shop} is forgotten: its webhooks are refused from now on.", "info"
    )
    return redirect(url_for("inbox_settings.index"))


@bp.post("/folders")
@role_required(Role.MANAGER)
def add_folder() -> ResponseReturnValue:
    """Add a custom folder."""
    form = FolderForm()
    if not form.validate_on_submit():
        return _page(folder_form=form, status=422)
    try:
        folder = add_custom_folder(current_person(), form.name.data or "")
    except FolderInvalid as exc:
        flash(str(exc), "error")
        return _page(folder_form=form, status=422)
    flash(f"Folder {folder.name} added.", "info")
    return redirect(url_for("inbox_settings.index"))


@bp.post("/folders/<int:folder_id>/remove")
@role_required(Role.MANAGER)
def drop_folder(folder_id: int) -> ResponseReturnValue:
    """Remove an empty custom folder no setting uses."""
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    folder = db.session.get(InboxFolder, folder_id) or abort(404, "No such folder.")
    try:
        name = remove_custom_folder(current_person(), folder)
    except FolderInvalid as exc:
        flash(str(exc), "error")
        return _page(status=409)
    flash(f"Folder {name} removed.", "info")
    return redirect(url_for("inbox_settings.index"))


@bp.post("/folders/<int:folder_id>/rename")
@role_required(Role.MANAGER)
def rename(folder_id: int) -> ResponseReturnValue:
    """Rename a folder; its orders, rules and settings follow it."""
    folder = db.session.get(InboxFolder, folder_id) or abort(404, "No such folder.")
    form = RenameFolderForm()
    if not form.validate_on_submit():
        flash("A folder needs a name of at most 64 characters.", "error")
        return _page(status=422)
    old = folder.name
    try:
        rename_folder(current_person(), folder, form.name.data or "")
    except FolderInvalid as exc:
        flash(str(exc), "error")
        return _page(status=422)
    flash(f"Folder {old} renamed to {folder.name}.", "info")
    return redirect(url_for("inbox_settings.index"))


@bp.post("/tokens")
@role_required(Role.MANAGER)
def add_token() -> ResponseReturnValue:
    """Make an API token for a shop; it is shown on the answer to this POST and never again."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(token_form=form, status=422)
    try:
        made = issue_token(current_person(), name=form.name.data or "", shop=form.shop.data or "")
    except TokenInvalid as exc:
        flash(str(exc), "error")
        return _page(token_form=form, status=422)
    page = render_template("inbox/token.html", row=made.row, token=made.token)
    response = make_response(page, 201)
    response.headers["Cache-Control"] = "no-store"  # the token must not linger in caches
    return response


@bp.post("/tokens/<int:token_id>/revoke")
@role_required(Role.MANAGER)
def revoke(token_id: int) -> ResponseReturnValue:
    """Stop accepting a token at once."""
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    row = db.session.get(ApiToken, token_id) or abort(404, "No such API token.")
    withdraw_token(current_person(), row, now=utcnow())
    flash(f"API token {row.name} revoked: orders sent with it are refused from now on.", "info")
    return redirect(url_for("inbox_settings.index"))


@bp.post("/tokens/<int:token_id>/rename")
@role_required(Role.MANAGER)
def rename_api_token(token_id: int) -> ResponseReturnValue:
    """Give a token a new name; the token and its shop stay as they are."""
    row = db.session.get(ApiToken, token_id) or abort(404, "No such API token.")
    form = RenameTokenForm()
    if not form.validate_on_submit():
        flash("A token needs a name of 1 to 64 characters.", "error")
        return _page(status=422)
    try:
        old = rename_token(current_person(), row, form.name.data or "")
    except TokenInvalid as exc:
        flash(str(exc), "error")
        return _page(status=422)
    flash(f"API token {old} renamed to {row.name}.", "info")
    return redirect(url_for("inbox_settings.index"))


@bp.post("/tokens/<int:token_id>/delete")
@role_required(Role.MANAGER)
def delete_token(token_id: int) -> ResponseReturnValue:
    """Delete a token never used; revoke and keep one that has been used."""
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    row = db.session.get(ApiToken, token_id) or abort(404, "No such API token.")
    try:
        removed = remove_token(current_person(), row, now=utcnow())
    except TokenInvalid as exc:
        flash(str(exc), "error")
        return _page(status=409)
    if removed.kept:
        flash(
            f"API token {removed.name} revoked: it has been used, so it is kept in the list, "
            "and anything sent with it is refused from now on.",
            "info",
        )
    else:
        flash(f"API token {removed.name} deleted.", "info")
    return redirect(url_for("inbox_settings.index"))


@bp.post("/products")
@role_required(Role.MANAGER)
def save_product() -> ResponseReturnValue:
    """Add or replace the product setting of one SKU."""
    form = ProductForm()
    if not form.validate_on_submit():
        return _page(product_form=form, status=422)
    try:
        row = keep_product_setting(
            current_person(),
            form.sku.data or "",
            do_not_send=form.do_not_send.data,
            send_as=form.send_as.data or "",
        )
    except ProductSettingInvalid as exc:
        flash(str(exc), "error")
        return _page(product_form=form, status=422)
    flash(f"Product setting for {row.sku} saved; the next submission uses it.", "info")
    return redirect(url_for("inbox_settings.index"))


@bp.post("/products/<int:setting_id>/remove")
@role_required(Role.MANAGER)
def remove_product(setting_id: int) -> ResponseReturnValue:
    """Forget one SKU's product setting."""
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    row = db.session.get(InboxProductSetting, setting_id) or abort(404, "No such product setting.")
    sku = forget_product_setting(current_person(), row)
    flash(f"Product setting for {sku} removed: it is sent as it is again.", "info")
    return redirect(url_for("inbox_settings.index"))


def _options_form() -> OptionsForm:
    store = settings_store(db.session)
    options = load_options(store)
    form = OptionsForm(
        data={step.value: step_folder(db.session, options, step).id for step in Step}
        | {
            "default_mail_class": options.default_mail_class,
            "inventory_sync_minutes": options.inventory_sync_minutes,
            "inventory_include_incoming": options.inventory_include_incoming,
            "inventory_subtract_holding": options.inventory_subtract_holding,
        }
    )
    choices = [(entry.folder.id, entry.folder.name) for entry in list_folders(db.session)]
    for step in Step:
        form[step.value].choices = choices
    form.inventory_sync_minutes.choices = interval_choices(sync_cost(db.session, store))
    return form


def _page(*, status: int = 200, **forms: FlaskForm) -> ResponseReturnValue:
    make_default_folders()  # if this is the first look
    forms.setdefault("options_form", _options_form())
    forms.setdefault("folder_form", FolderForm(formdata=None))
    forms.setdefault("token_form", TokenForm(formdata=None))
    forms.setdefault("product_form", ProductForm(formdata=None))
    page = render_template(
        "inbox/settings.html",
        folders=list_folders(db.session),
        tokens=list_tokens(db.session),
        products=list_product_settings(db.session),
        shopify_shops=bound_shops(db.session),
        unbound_shopify_secret=settings_store(db.session).has_secret(SHOPIFY_SECRET_KEY),
        inventory_sync_cost=sync_cost(db.session, settings_store(db.session)),
        confirm_form=ConfirmForm(formdata=None),
        **forms,
    )
    return page, status
