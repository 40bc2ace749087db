"""HQ's after-sales desk: the warranty claims stores opened (a device brought back under warranty at any store),
and their status, which the store that opened the claim reads back on its claim page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from core.messages import N_
from hq.services import aftersales
from hq.web.auth import supervisor_required

bp = Blueprint("hq_claims", __name__, url_prefix="/hq/claims")
bp.before_request(supervisor_required(lambda: None))
STATUS_LABELS = {"open": N_("open"), "received": N_("received at the workshop"), "repaired": N_("repaired"),
                 "replaced": N_("replaced"), "refused": N_("refused (not covered)")}


@bp.get("/")
def desk():
    status = request.args.get("status", "")
    return render_template("hq/claims.html", claims=aftersales.claims(current_app.extensions["hq.storage"], status),
                           status=status, labels=STATUS_LABELS)


@bp.post("/<claim_uuid>/status")
def set_status(claim_uuid: str):
    status = request.form.get("status", "")
    if status not in STATUS_LABELS or "\x00" in claim_uuid:
        abort(400, gettext("Choose one of the statuses listed."))
    if not aftersales.set_claim_status(current_app.extensions["hq.storage"], claim_uuid[:64], status):
        abort(404)
    flash(gettext("Claim updated: the store sees its new status at its next look."))
    return redirect(url_for(".desk"), 303)
