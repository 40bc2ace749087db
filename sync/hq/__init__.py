"""The HQ service that receives every store's records and publishes reference data.

    python -m sync.hq [--port 8090]            serve (waitress) on the embedded SQLite file
    HQ_DATABASE_URL=postgresql://... python -m sync.hq   the same on PostgreSQL
    flask --app sync.hq stores add "Store name" / publish KIND FILE --version V
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, redirect, render_template, request, url_for
from jinja2 import ChoiceLoader, FileSystemLoader

# name -> (default, help): every HQ setting, read from HQ_<NAME> environment variables.
SETTINGS = {
    "DATABASE_URL": ("", "postgresql://user@host/db for PostgreSQL; empty = SQLite file in HQ_DATA_DIR."),
    "DATA_DIR": ("hq-instance", "Folder for the embedded SQLite database."),
    "MAX_BODY_BYTES": (8 * 1024 * 1024, "Largest batch body accepted."),
    "SECRET_KEY": ("", "Signs HQ staff sessions; empty = one generated into HQ_DATA_DIR/secret_key."),
}


KIOSK = Path(__file__).resolve().parent.parent.parent / "kiosk"


def load_settings(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    values = {}
    for name, (default, _help) in SETTINGS.items():
        raw = (overrides or {}).get(name, os.environ.get(f"HQ_{name}", default))
        values[name] = type(default)(raw)
    return values


def create_app(config: dict[str, Any] | None = None) -> Flask:
    from flask_wtf.csrf import CSRFProtect

    from kiosk.app import CSP, _secret_key
    from kiosk.extensions import htmx
    from sync.hq import api, cli, web, web_auth, web_publish
    from sync.hq.storage import open_storage

    settings = load_settings(config)
    app = Flask(__name__, static_folder=str(KIOSK / "static"),
                static_url_path="/static")
    app.config.update(settings, MAX_CONTENT_LENGTH=settings["MAX_BODY_BYTES"], SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", WTF_CSRF_TIME_LIMIT=None)
    app.config["SECRET_KEY"] = settings["SECRET_KEY"] or _secret_key(settings["DATA_DIR"])
    # HQ's own templates first, then the kiosk's shared partials (flashes, scan form, charts' CSS classes).
    app.jinja_loader = ChoiceLoader([app.jinja_loader, FileSystemLoader(KIOSK / "templates")])
    app.extensions["hq.storage"] = open_storage(settings["DATABASE_URL"], settings["DATA_DIR"])
    csrf = CSRFProtect(app)
    csrf.exempt(api.bp)  # the store API is signed with each store's HMAC secret instead
    htmx.init_app(app)
    app.register_blueprint(api.bp)
    web_auth.init_app(app)
    app.register_blueprint(web.bp)
    app.register_blueprint(web_publish.bp)
    app.add_url_rule("/", "root", lambda: redirect(url_for("hq_web.dashboard")))
    cli.init_app(app)
    _errors(app)

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        if request.path.startswith("/hq"):
            response.headers["Cache-Control"] = "no-store"
        return response

    return app


def _errors(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    def answer(status: int, title: str, message: str):
        if request.path.startswith("/api/"):
            return jsonify({"error": message}), status
        return render_template("hq/error.html", title=title, message=message), status

    app.register_error_handler(CSRFError, lambda e: answer(400, "Form expired", "Reload the page and try again."))
    for status, title in ((400, "Bad request"), (403, "Not allowed"), (404, "Not found"), (405, "Not allowed"),
                          (413, "Too large")):
        app.register_error_handler(status, lambda e, s=status, t=title: answer(s, t, e.description))
