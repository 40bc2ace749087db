"""Rate limits per address (Flask-Limiter): staff sign-in, the anonymous writes of the self-service screen
(estimates started, tickets printed) and of the set-up pages (enrolment, first manager). Over the limit: 429
with a page that says to wait. One limiter per app, so two apps in one process never share counters.

Counters live where RATE_LIMIT_STORAGE says: memory:// is one process's own (several workers would each allow
the full limit), redis:// is shared by every process. The address is the connection's, unless TRUSTED_PROXIES
says how many reverse proxies stand in front: only then is their X-Forwarded-For believed (a client's own header
would otherwise let it pick a new address per request and never reach a limit)."""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

LIMITED = {"auth.login": "RATE_LIMIT_SIGN_IN", "customer.begin": "RATE_LIMIT_CUSTOMER",
           "customer.issue_ticket": "RATE_LIMIT_CUSTOMER", "setup.enrolment": "RATE_LIMIT_SIGN_IN",
           "setup.first_manager": "RATE_LIMIT_SIGN_IN"}


def init_app(app: Flask) -> None:
    proxies = app.config["TRUSTED_PROXIES"]  # never below 0: its Setting says so
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    # A shared store that is down falls back to this process's counters (logged), never to a 500.
    limiter = Limiter(get_remote_address, app=app, storage_uri=app.config["RATE_LIMIT_STORAGE"],
                      key_prefix=app.config["RATE_LIMIT_KEY_PREFIX"], in_memory_fallback_enabled=True,
                      swallow_errors=True)
    # Every limit is on a POST to one of these endpoints: any other request skips the limiter's lookup of
    # its limits, which costs a page more than its own database queries do.
    limiter.request_filter(lambda: request.method != "POST" or request.endpoint not in LIMITED)
    for endpoint, setting in LIMITED.items():
        view = app.view_functions[endpoint]  # the limit is checked by the wrapper: it must be what is served
        app.view_functions[endpoint] = limiter.limit(app.config[setting], methods=["POST"])(view)
