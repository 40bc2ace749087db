"""Rate limits per address (Flask-Limiter) on HQ's anonymous doors: staff sign-in,
the enrolment code exchange, the sellers' tracking pages (and their photos) and their answers to a counter-offer,
the customers' phone test pages and their reports. One limiter per app.

Counters live where HQ_RATE_LIMIT_STORAGE says: memory:// is one process's own (`gunicorn -w 4` would allow four
times the limit), redis:// is shared by every worker and node. The address is the connection's, unless
HQ_TRUSTED_PROXIES says how many reverse proxies stand in front: only then is their X-Forwarded-For believed
(behind a proxy without it every seller shares the proxy's one counter; with it set and no proxy there, a client
would pick a new address per request)."""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    proxies = app.config["TRUSTED_PROXIES"]  # never below 0: its Setting says so
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    # A shared store that is down falls back to this process's counters (logged), never to a 500.
    limiter = Limiter(get_remote_address, app=app, storage_uri=app.config["RATE_LIMIT_STORAGE"],
                      key_prefix=app.config["RATE_LIMIT_KEY_PREFIX"], in_memory_fallback_enabled=True,
                      swallow_errors=True)
    login = app.view_functions["hq_auth.login"]  # the limit is checked by the wrapper: it must be what is served
    app.view_functions["hq_auth.login"] = limiter.limit(app.config["RATE_LIMIT_SIGN_IN"], methods=["POST"])(login)
    # A seller's photo checks the same token as the page: limited alike, so it is no side door for guessing one.
    for endpoint, limit in (("hq_api.enrol", "RATE_LIMIT_ENROL"), ("hq_track.track", "RATE_LIMIT_TRACKING"),
                            ("hq_track.photo", "RATE_LIMIT_TRACKING"), ("hq_track.answer", "RATE_LIMIT_SELLER_ANSWER"),
                            ("hq_device_test.page", "RATE_LIMIT_DEVICE_TEST"),
                            ("hq_device_test.results", "RATE_LIMIT_DEVICE_TEST")):
        app.view_functions[endpoint] = limiter.limit(app.config[limit])(app.view_functions[endpoint])
