"""The customer's phone tests itself (issue 33), at HQ's public address because a phone opens its camera, microphone
and motion sensors only to a secure page (HTTPS with a certificate it trusts): docs/counter.md, "The phone tests
itself".

    GET  /device-test/<token>                          the page (hq/static/device_test*.js), in the phone's language
    POST /device-test/<token>/results                  its report, JSON, accepted once while the link is open
    POST /api/v1/stores/<id>/device-tests              a terminal registers a link (signed): {token_sha256, ...}
    GET  /api/v1/stores/<id>/device-tests/<sha256>     the terminal fetches the report back (signed)

The token in the link is the only credential of the page and of its POST (no session, no cookie: CSRF has nothing
to ride on, and a cross-site form cannot send JSON); the page asks for nothing personal. Both public doors are
rate-limited per address (HQ_RATE_LIMIT_DEVICE_TEST): a shop's phones share its one public address, hence a limit
well above one customer's few requests."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, make_response, render_template, request
from flask_babel import force_locale, gettext

from core import device_tests as rules
from core.messages import N_
from core.protocol import JSONRefused, SignatureError, parse_json
from hq.services import device_tests
from hq.web.api import _authenticate, _error
from hq.web.i18n import LANGUAGE_CODES, LANGUAGES

bp = Blueprint("hq_device_test", __name__)
REFUSED = {None: (404, N_("No phone test at this address: scan the QR code on the store's screen again.")),
           "expired": (410, N_("This test link has expired: ask the store for a new QR code.")),
           "used": (409, N_("This test link was already used: its results are with the store. Ask the store for a "
                            "new QR code to test again."))}


def _storage():
    return current_app.extensions["hq.storage"]


def _language(link: device_tests.Link | None) -> str:
    """The phone's language: ?lang=, else what the phone prefers, else the one the store's terminal asked for."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGE_CODES:
        return asked
    return request.accept_languages.best_match(LANGUAGE_CODES) or (link.language if link else "fr")


def _refused_page(link: device_tests.Link | None):
    status, text = REFUSED[link.status if link else None]
    language = _language(link)
    with force_locale(language):
        return render_template("hq/device_test_refused.html", language=language, message=gettext(text)), status


@bp.get("/device-test/<token>")
def page(token: str):
    link = device_tests.link(_storage(), token[:80])
    if link is None or link.status != "open":
        return _refused_page(link)
    language, spec = _language(link), rules.load_spec()
    with force_locale(language):
        response = make_response(render_template(
            "hq/device_test.html", language=language, token=token, link=link, spec=spec,
            outcomes=rules.OUTCOMES, other=next(code for code, _ in LANGUAGES if code != language)))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the address: never sent on
    return response


@bp.post("/device-test/<token>/results")
def results(token: str):
    """The page's report, once. 409 used, 410 expired, 404 unknown: each with the words the page shows."""
    if (request.content_length or 0) > rules.MAX_REPORT_BYTES:
        return _error(413, f"a report is at most {rules.MAX_REPORT_BYTES} bytes")
    if request.mimetype != "application/json":
        return _error(415, "send the report as application/json")
    try:
        report = parse_json(request.get_data()[:rules.MAX_REPORT_BYTES + 1])
    except JSONRefused as err:
        return _error(422, str(err))
    if not isinstance(report, dict):
        return _error(422, "send {test id: what it measured}")
    judged = device_tests.submit(_storage(), token[:80], report)
    if judged is None:  # said as the link now stands: used (by this phone's first send, or another), expired
        link = device_tests.link(_storage(), token[:80])
        status, text = REFUSED[link.status if link and link.status != "open" else None]
        with force_locale(_language(link)):
            return _error(status, gettext(text))
    return jsonify({"results": {test_id: result.as_json() for test_id, result in judged.items()}})


@bp.errorhandler(SignatureError)
def _unsigned(err):
    return _error(401, str(err))


@bp.post("/api/v1/stores/<store_id>/device-tests")
def register(store_id: str):
    """A terminal's new test link; the answer names the page's address (HQ's public one) and when it expires."""
    if (request.content_length or 0) > 4096:
        return _error(413, "a registration is at most 4096 bytes")
    _authenticate(store_id)
    try:
        answer = device_tests.register(_storage(), store_id, parse_json(request.get_data()),
                                       current_app.config["DEVICE_TEST_MAX_MINUTES"])
    except (JSONRefused, device_tests.LinkRefused) as err:
        return _error(422, str(err))
    public = current_app.config["PUBLIC_URL"] or request.host_url
    return jsonify({**answer, "page": public.rstrip("/") + "/device-test/"}), 201


@bp.get("/api/v1/stores/<store_id>/device-tests/<digest>")
def fetch(store_id: str, digest: str):
    """A link of this store: open, expired or used, and the phone's report once it came."""
    _authenticate(store_id)
    found = device_tests.for_store(_storage(), store_id, digest[:64])
    if found is None:
        return _error(404, "this store registered no such test link")
    return jsonify(found)
