"""HQ supervisor decisions on payouts (issue 29), on the payouts page (web_admin.payout_run): correct a held
payout's holder name, approve one held for a supervisor (cap, daily total, same account: issue 32), reject one,
mark a late cancel handled, and set a store's payout policy. Each answers with the page and a message in the
reader's language, never a 500."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext

from hq.services import payout_holds
from hq.web.auth import supervisor_required
from hq.web.i18n import translated

bp = Blueprint("hq_payouts", __name__, url_prefix="/hq/payouts")
bp.before_request(supervisor_required(lambda: None))


@bp.before_request
def _no_nul() -> None:
    """PostgreSQL text holds no NUL: a path or field carrying one is a clear 400, never a database error."""
    if any("\x00" in str(v) for v in [*(request.view_args or {}).values(), *request.form.values()]):
        abort(400, gettext("Remove the control characters from this field (they cannot be printed)."))


def _storage():
    return current_app.extensions["hq.storage"]


def _done(action, message: str, status: str = "held"):
    try:
        action()
        flash(message)
    except payout_holds.HoldError as err:
        flash(translated(err.args[0]), "error")
    return redirect(url_for("hq_admin.payout_run", status=status), 303)


@bp.post("/<tradein_uuid>/approve")
def approve(tradein_uuid: str):
    return _done(lambda: payout_holds.approve(_storage(), tradein_uuid, g.hq_staff["name"]),
                 gettext("Approved: it goes into the next file."))


@bp.post("/<tradein_uuid>/holder")
def correct_holder(tradein_uuid: str):
    holder = request.form.get("holder", "")
    return _done(lambda: payout_holds.correct_holder(_storage(), tradein_uuid, holder, g.hq_staff["name"]),
                 gettext("Holder's name corrected: it goes into the next file."))


@bp.post("/<tradein_uuid>/reject")
def reject(tradein_uuid: str):
    reason = request.form.get("reason", "")
    return _done(lambda: payout_holds.reject(_storage(), tradein_uuid, reason, g.hq_staff["name"]),
                 gettext("Rejected: the store is told, with your reason."))


@bp.post("/<tradein_uuid>/late-cancel")
def settle_late_cancel(tradein_uuid: str):
    note = request.form.get("note", "")
    return _done(lambda: payout_holds.settle_late_cancel(_storage(), tradein_uuid, note, g.hq_staff["name"]),
                 gettext("Marked handled."), "sent")


@bp.post("/policy")
def policy():
    store_id, cap = request.form.get("store_id", ""), request.form.get("cap", "")
    before_receipt, daily = request.form.get("before_receipt") == "on", request.form.get("daily", "")
    return _done(lambda: payout_holds.set_policy(_storage(), store_id, cap, before_receipt, daily),
                 gettext("Payout policy saved."), "pending")
