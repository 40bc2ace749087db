"""HQ's application factory and its error pages."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, redirect, render_template, request, url_for


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """HQ's application factory (`flask --app hq`): its own settings, templates, static files,
    security headers and extensions. It imports only core (and hardware.camera for sticker photos)."""
    import assets
    from core.settings import keys_from, secret_file
    from hq import cli
    from hq.extensions import csrf, htmx
    from hq.settings import load_settings
    from hq.storage.backends import open_storage
    from hq.storage.photos import FilesystemPhotoStore
    from hq.web import admin as web_admin
    from hq.web import api, claims, device_tests, fleet, i18n, photos_api, ratelimits, security, tracking
    from hq.web import auth as web_auth
    from hq.web import pages as web
    from hq.web import publish as web_publish
    from hq.web.payout_decisions import bp as payout_decisions

    settings = load_settings(config)
    app = Flask("hq")  # the hq package's templates/ and static/
    app.config.update(settings, MAX_CONTENT_LENGTH=settings["MAX_BODY_BYTES"], SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", WTF_CSRF_TIME_LIMIT=None,
                      SESSION_COOKIE_SECURE=settings["SESSION_COOKIE_SECURE"])
    app.config["SECRET_KEY"] = settings["SECRET_KEY"] or secret_file(settings["DATA_DIR"])
    app.extensions["hq.storage"] = open_storage(settings["DATABASE_URL"], settings["DATA_DIR"],
                                                keys_from(settings["DATA_KEYS"], settings["DATA_KEYS_FILE"]))
    csrf.init_app(app)
    app.extensions["hq.photos"] = FilesystemPhotoStore(settings["PHOTOS_DIR"])  # behind hq.storage.photos.PhotoStore
    csrf.exempt(api.bp)  # the store API is signed with each store's HMAC secret instead
    csrf.exempt(photos_api.bp)
    csrf.exempt(device_tests.bp)  # signed calls, and a phone's JSON report its link's token authorises
    htmx.init_app(app)
    i18n.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(photos_api.bp)
    web_auth.init_app(app)
    app.register_blueprint(web.bp)
    app.register_blueprint(photos_api.staff_bp)
    app.register_blueprint(web_publish.bp)
    app.register_blueprint(web_admin.bp)
    app.register_blueprint(payout_decisions)
    app.register_blueprint(claims.bp)
    app.register_blueprint(fleet.bp)
    app.register_blueprint(tracking.bp)
    app.register_blueprint(device_tests.bp)
    app.add_url_rule("/", "root", lambda: redirect(url_for("hq_web.dashboard")))
    cli.init_app(app)
    assets.register(app)  # scanner.js, htmx, the shared stylesheet (assets/)
    security.init_app(app)
    ratelimits.init_app(app)
    _errors(app)
    return app


def _errors(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    from core.messages import N_

    def answer(status: int, title: str, message: str):
        if request.path.startswith("/api/"):
            return jsonify({"error": message}), status
        return render_template("hq/error.html", title=title, message=message), status

    app.register_error_handler(CSRFError, lambda e: answer(400, N_("Form expired"),
                                                           N_("Reload the page and try again.")))
    for status, title in ((400, N_("Bad request")), (403, N_("Not allowed")), (404, N_("Not found")),
                          (405, N_("Not allowed")), (413, N_("Too large")), (429, N_("Too many attempts")),
                          (503, N_("Try again shortly"))):  # 503: HQ's database unreachable (hq.storage.postgres)
        app.register_error_handler(status, lambda e, s=status, t=title: answer(s, t, e.description))
