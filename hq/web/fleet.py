"""HQ's Fleet page (issue 35): every store's terminal, the worst first, with what is wrong (silent, old backlog,
printer out, clock off, old software) judged against HQ's FLEET_* settings; and the same as JSON for an external
monitor, read with an HQ staff session or the FLEET_MONITOR_TOKEN bearer token."""

from __future__ import annotations

import dataclasses
import hmac

from babel.numbers import format_decimal
from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale

from core.health import PRINTER_DOWN, Thresholds
from core.messages import N_
from core.protocol import PROTOCOL_VERSION
from hq.services import fleet
from hq.web.auth import staff_required

bp = Blueprint("hq_fleet", __name__, url_prefix="/hq")
PRINTER_LABELS = {"ready": N_("ready"), "paper_near_end": N_("paper running out"), "unknown": N_("not known"),
                  "paper_out": N_("out of paper"), "cover_open": N_("cover open"), "fault": N_("fault"),
                  "offline": N_("offline"), "driver_missing": N_("driver missing"), "error": N_("cannot write")}
PRINT_LABELS = {"printed": N_("printed"), "failed": N_("failed"), "pending": N_("waiting"),
                "none": N_("nothing printed yet")}


def gigabytes(count: int | None) -> str:
    """Bytes as gigabytes with one decimal, written as the reader's locale writes numbers."""
    return "—" if count is None else format_decimal(round(count / 1e9, 1), "#,##0.0", locale=get_locale())


def thresholds() -> Thresholds:
    config = current_app.config
    return Thresholds(config["FLEET_SILENT_HOURS"], config["FLEET_BACKLOG_MINUTES"], config["FLEET_CLOCK_SECONDS"],
                      config["FLEET_OLDEST_SOFTWARE"], PROTOCOL_VERSION)


@bp.get("/fleet")
@staff_required
def page():
    listed = fleet.fleet(current_app.extensions["hq.storage"], thresholds())
    return render_template("hq/fleet.html", terminals=listed, limits=thresholds(), protocol=PROTOCOL_VERSION,
                           failing=sum(1 for row in listed if row["reasons"]), printer_labels=PRINTER_LABELS,
                           print_labels=PRINT_LABELS, down=PRINTER_DOWN, gigabytes=gigabytes)


def _monitor() -> bool:
    """Whether the request carries the monitor's bearer token (constant-time compare; no token set: never)."""
    token = current_app.config["FLEET_MONITOR_TOKEN"]
    sent = request.headers.get("Authorization", "")[:200]
    return bool(token) and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())


@bp.get("/fleet.json")
def as_json():
    """A visitor without a session or a token is sent to sign in, like on every HQ page; a token that is not the
    monitor's is refused (401)."""
    if g.get("hq_staff") is None and not _monitor():
        if "Authorization" not in request.headers:
            return redirect(url_for("hq_auth.login", next=request.full_path.rstrip("?")))
        return jsonify({"error": "this is not HQ_FLEET_MONITOR_TOKEN: send Authorization: Bearer <token>"}), 401
    limits = thresholds()
    listed = fleet.fleet(current_app.extensions["hq.storage"], limits)
    return jsonify({"protocol": PROTOCOL_VERSION, "thresholds": dataclasses.asdict(limits),
                    "failing": sum(1 for row in listed if row["reasons"]), "terminals": fleet.as_json(listed)})
