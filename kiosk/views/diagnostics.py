"""The clerk's "Test the phone on itself" panel, on the one-screen checklist (diagnostics/_panel.html): one click
shows a QR code the customer's phone scans; the phone runs its own tests on HQ's secure page (kiosk.diagnostics)
while the clerk goes on with the checklist; the panel asks for the report every few seconds and, when it comes,
shows the results and pre-answers the questions they speak to (diagnostics.js; the checklist page itself does it on
its next load). Never a forced step: the checklist works as before without it, offline included."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_time
from flask import Blueprint, Flask, current_app, render_template, url_for
from flask_babel import get_locale
from markupsafe import Markup

from core import device_tests
from core.states import EDITABLE
from kiosk.auth import login_required
from kiosk.diagnostics import links, results
from kiosk.formatting import current_store
from kiosk.hq_link import hq_client
from kiosk.i18n import translated
from kiosk.request_locale import request_locale_tag
from kiosk.store.connection import get_db
from kiosk.web import current_actor, load_tradein, page_or_fragment, see_other, wants_fragment

bp = Blueprint("diagnostics", __name__, url_prefix="/tradeins")
bp.before_request(login_required(lambda: None))
ASK_EVERY_SECONDS = 3  # the panel's question to HQ while it waits: one short signed GET


def _client(seconds: float):
    """HQ's client with a short wait: the clerk's screen never hangs on HQ (HQ_GATE_TIMEOUT, as the scan's check)."""
    client = hq_client(current_app.config)
    if client is not None:
        client.timeout = min(client.timeout, seconds)
    return client


def _open(row: dict | None) -> bool:
    return bool(row) and row["hq_status"] == "open" and row["expires_at"] > datetime.now(UTC).isoformat()


def device_results(ti: dict) -> results.DeviceResults | None:
    """The trade-in's phone test results, after asking HQ once about a link still open (the checklist's load)."""
    row = links.latest(get_db(), ti["uuid"])
    if _open(row):
        links.refresh(get_db(), _client(current_app.config["HQ_GATE_TIMEOUT"]), row)
    return results.of_tradein(get_db(), ti["uuid"])


def panel_context(ti: dict, started: links.Started | None = None, error: str | None = None) -> dict:
    db = get_db()
    row = links.latest(db, ti["uuid"])
    tested = results.of_tradein(db, ti["uuid"])
    return {"ti": ti, "started": started, "error": error, "link": row, "waiting": _open(row), "tested": tested,
            "can_start": ti["state"] in EDITABLE, "ask_every": ASK_EVERY_SECONDS}


def device_test_panel(ti: dict) -> Markup:
    """The panel as the checklist page includes it (a template global)."""
    return Markup(render_template("diagnostics/_panel.html", **panel_context(ti)))


def _panel(ti: dict, status: int = 200, **context):
    return page_or_fragment("diagnostics/page.html", "diagnostics/_panel.html", status, **panel_context(ti, **context))


@bp.post("/<tradein_uuid>/device-test")
def start(tradein_uuid: str):
    """A new QR code (a new link at HQ; an older one still open may still report, the newest report counts)."""
    ti = load_tradein(tradein_uuid)
    if ti["state"] not in EDITABLE:
        return _panel(ti, 409)
    try:
        started = links.start(get_db(), _client(max(5, current_app.config["HQ_GATE_TIMEOUT"])), current_actor(),
                              ti["uuid"], current_app.config["DEVICE_TEST_MINUTES"], get_locale().language)
    except links.DeviceTestUnavailable as err:
        return _panel(ti, 503, error=translated(err))
    return _panel(ti, 201, started=started)


@bp.get("/<tradein_uuid>/device-test")
def status(tradein_uuid: str):
    """Asked every few seconds while the panel waits: still waiting (the status line alone, the QR code stays), or
    the whole panel again once the report came or the link expired."""
    ti = load_tradein(tradein_uuid)
    if not wants_fragment():  # without JavaScript: the checklist page asks HQ itself
        return see_other(url_for("counter.checklist_page", tradein_uuid=ti["uuid"]))
    row = links.latest(get_db(), ti["uuid"])
    if row is not None:
        row = links.refresh(get_db(), _client(current_app.config["HQ_GATE_TIMEOUT"]), row)
    if _open(row):
        return render_template("diagnostics/_waiting.html", ti=ti, link=row, ask_every=ASK_EVERY_SECONDS)
    db, headers = get_db(), {"HX-Retarget": "#device-test", "HX-Reswap": "outerHTML"}
    if row is not None and row["hq_status"] == "used":  # the report just came: diagnostics.js pre-answers the form
        answers = results.pre_answers(db, ti["uuid"], results.of_tradein(db, ti["uuid"]))
        headers["HX-Trigger"] = json.dumps({"deviceTestArrived": {"answers": answers}})
    body, code = _panel(ti)
    return body, code, headers


def clock_time(iso: str | None) -> str:
    """An instant as the store's clock shows it, to the minute (when a QR code expires, when the phone reported)."""
    if not iso:
        return "—"
    return format_time(datetime.fromisoformat(iso), "short", tzinfo=ZoneInfo(current_store()["timezone"]),
                       locale=request_locale_tag())


def init_app(app: Flask) -> None:
    app.add_template_global(device_test_panel)
    app.add_template_filter(clock_time, "clock_time")
    # What the checklist says beside a question the phone tested: the outcome's and the tests' names, to translate.
    app.add_template_global(device_tests.OUTCOMES, "device_outcomes")
    app.add_template_global({test.id: test.name for test in device_tests.load_spec().tests}, "device_test_names")
    app.register_blueprint(bp)
