"""create_app(): settings, database, printer, blueprints."""

from __future__ import annotations

import os
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, g, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from core.grading import load_spec
from core.settings import secret_file
from hardware.printer import FileSink, make_sink
from kiosk import __version__, auth, cli, formatting, i18n, layout, ratelimits, templating
from kiosk.compliance.crypto import DataCipher, load_keys, load_register_key
from kiosk.extensions import csrf, htmx
from kiosk.i18n import database_trouble
from kiosk.settings import load_settings
from kiosk.store import connection
from kiosk.web import bound_request_size


def create_app(config: dict[str, Any] | None = None) -> Flask:
    settings = load_settings(config)
    _private_folder(settings["DATA_DIR"])
    app = Flask(__name__)
    app.config.update(settings)
    app.config["SECRET_KEY"] = settings["SECRET_KEY"] or secret_file(settings["DATA_DIR"])
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", WTF_CSRF_TIME_LIMIT=None,
    )
    app.extensions["kiosk.spec"] = load_spec()
    app.extensions["kiosk.printer"] = make_sink(
        settings["PRINTER_DRIVER"], settings["PRINTER_TARGET"], settings["DATA_DIR"],
        settings["PRINTER_PROFILE"], settings["PRINTER_TIMEOUT"],
    )
    if isinstance(app.extensions["kiosk.printer"], FileSink):
        app.extensions["kiosk.printer"].keep_days = settings["PRINT_FILES_DAYS"]
    app.config["CANCEL_WINDOW"] = timedelta(hours=settings["CANCEL_WINDOW_HOURS"])
    app.extensions["kiosk.cipher"] = DataCipher(load_keys(settings["DATA_KEYS"], settings["DATA_KEYS_FILE"]),
                                                load_register_key(settings["REGISTER_KEY_FILE"]))
    templating.init_app(app)
    app.before_request(bound_request_size)  # ahead of CSRF, which reads the form
    csrf.init_app(app)
    htmx.init_app(app)
    connection.init_app(app)
    auth.init_app(app)
    formatting.init_app(app)
    layout.init_app(app)
    i18n.init_app(app)
    cli.init_app(app)
    _register_blueprints(app)
    ratelimits.init_app(app)
    _register_errors(app)
    app.after_request(_security_headers)
    app.config["VERSION"] = __version__
    return app


def _private_folder(folder: str) -> None:
    """The data folder holds personal data and keys: the kiosk user's only (0700)."""
    Path(folder).mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)


def keys_share_the_database_folder(config) -> bool:
    """True when the personal-data keys come from a file beside the database (fine for a demo, not for a shop)."""
    return not config["DATA_KEYS"] and Path(config["DATA_KEYS_FILE"]).parent == Path(config["DATABASE"]).parent


def register_key_beside_the_database(config) -> bool:
    """True when the police register's key sits in the database's folder: whoever copies that folder can re-chain an
    edited register (HQ's anchors still tell, but the terminal's own check no longer does)."""
    return Path(config["REGISTER_KEY_FILE"]).parent == Path(config["DATABASE"]).parent


# No inline script or style anywhere (htmx is configured through a meta tag), so the policy is strict.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


def _security_headers(response):
    """Strict headers on every answer; pages are not cached (they can show personal data)."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint not in ("static", "assets.static"):
        response.headers["Cache-Control"] = "no-store"
    return response


def _register_blueprints(app: Flask) -> None:
    import assets
    from kiosk.views import (
        aftersales,
        counter,
        customer,
        diagnostics,
        handoff,
        hardware_page,
        health,
        inspection,
        photos,
        pos,
        pos_reports,
        seller_fill,
        setup,
        shipments,
        staff_admin,
        syncpanel,
        today,
        tradein,
        tradein_records,  # noqa: F401 (its routes join the trade-in blueprint before it is registered)
    )

    assets.register(app)  # scanner.js, htmx, the shared stylesheet (assets/)
    app.register_blueprint(health.bp)
    app.register_blueprint(today.bp)
    app.register_blueprint(tradein.bp)
    app.register_blueprint(counter.bp)
    app.register_blueprint(seller_fill.bp)
    app.register_blueprint(handoff.bp)
    app.register_blueprint(shipments.bp)
    app.register_blueprint(pos.bp)
    app.register_blueprint(pos_reports.bp)
    app.register_blueprint(aftersales.bp)
    app.register_blueprint(staff_admin.bp)
    app.register_blueprint(inspection.bp)
    app.register_blueprint(syncpanel.bp)
    setup.init_app(app)
    hardware_page.init_app(app)
    customer.init_app(app)
    photos.init_app(app)  # the photo step and the files, staff only; its template globals for the pages that list
    diagnostics.init_app(app)  # the phone test's panel on the checklist (a template global) and its two routes


def _register_errors(app: Flask) -> None:
    def page(status: int, title: str, message: str):
        return render_template("error.html", title=title, message=message, staff=g.get("staff")), status

    app.register_error_handler(CSRFError, lambda e: page(400, _("Form expired"), _(
        "This form was open too long or came from elsewhere. Reload the page and try again.")))
    app.register_error_handler(400, lambda e: page(400, _("Bad request"), e.description))
    app.register_error_handler(403, lambda e: page(403, _("Managers only"), _("This page is for managers.")))
    app.register_error_handler(404, lambda e: page(404, _("Not found"), _("There is nothing at this address.")))
    app.register_error_handler(405, lambda e: page(405, _("Not allowed"), _("This action is not available here.")))
    app.register_error_handler(413, lambda e: page(413, _("Too large"), _("What was sent is too large.")))
    app.register_error_handler(429, lambda e: page(429, _("Too many attempts"), _(
        "Too many attempts from this screen in a short time: wait a minute, then try again.")))
    app.register_error_handler(sqlite3.Error, lambda e: page(503, _("Database unavailable"), " ".join((
        database_trouble(e),
        _("Each trade-in is saved whole or not at all: open today's list to see what was saved.")))))
    app.register_error_handler(503, lambda e: page(503, _("Unavailable"), e.description))
    app.register_error_handler(500, lambda e: page(500, _("Something went wrong"), _(
        "Nothing was half-saved. Try again; if it repeats, call support.")))
