"""Blueprints, one per area, and the app-wide bits every page shares."""

from __future__ import annotations

from flask import Flask

from station.web import (
    account,
    api,
    audit,
    auth,
    bench,
    bulk,
    carrier_settings,
    cleaning,
    consignments,
    errors,
    headers,
    inbox,
    inbox_api,
    inbox_rules,
    inbox_settings,
    jsonbody,
    localtime,
    long_polls,
    manifests,
    monitoring,
    names,
    orders,
    outbox,
    params,
    printers,
    reports,
    sessions,
    settings,
    shipping,
    status,
    users,
)


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint, input cleaning, the header status, error handlers and headers."""
    params.init_app(app)  # converters first: each rule binds its converter when added
    jsonbody.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(monitoring.bp)
    app.register_blueprint(inbox_api.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(orders.bp)
    app.register_blueprint(bench.bp)
    app.register_blueprint(bulk.bp)
    app.register_blueprint(settings.bp)
    app.register_blueprint(printers.bp)
    app.register_blueprint(manifests.bp)
    app.register_blueprint(outbox.bp)
    app.register_blueprint(shipping.bp)
    app.register_blueprint(carrier_settings.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(consignments.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(users.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(inbox_settings.bp)
    app.register_blueprint(inbox_rules.bp)
    cleaning.init_app(app)
    long_polls.init_app(app)
    sessions.init_app(app)
    status.init_app(app)
    localtime.init_app(app)
    names.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
