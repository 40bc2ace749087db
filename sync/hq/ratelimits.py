"""Rate limits per address (Flask-Limiter) on HQ's anonymous doors: staff sign-in,
the enrolment code exchange and the sellers' tracking pages. One limiter per app."""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def init_app(app: Flask) -> None:
    limiter = Limiter(get_remote_address, app=app, storage_uri=app.config["RATE_LIMIT_STORAGE"])
    login = app.view_functions["hq_auth.login"]  # the limit is checked by the wrapper: it must be what is served
    app.view_functions["hq_auth.login"] = limiter.limit(app.config["RATE_LIMIT_SIGN_IN"], methods=["POST"])(login)
    for endpoint, limit in (("hq_api.enrol", "RATE_LIMIT_ENROL"), ("hq_track.track", "RATE_LIMIT_TRACKING")):
        app.view_functions[endpoint] = limiter.limit(app.config[limit])(app.view_functions[endpoint])
