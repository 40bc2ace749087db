"""A trade-in's own page once it exists: its detail and receipt, reprints, and the state changes a clerk makes
from there (discard, decline, cancel). Routes of the trade-in blueprint (kiosk.views.tradein)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, flash, render_template, url_for
from flask_babel import gettext

from core.grading import grade
from core.states import IllegalTransition
from hardware.receipt_png import render_png
from kiosk.compliance.staff import StaffAuthError
from kiosk.i18n import translated
from kiosk.store.connection import get_db
from kiosk.tradein import acceptance, drafts, printing, shipping, tradeins
from kiosk.views.tradein import FlowError, _receipt, _spec, bp
from kiosk.web import current_actor, load_tradein, see_other
from kiosk.web.approvals import approval_context, approver_from_form
from kiosk.web.receipt_printing import print_after_commit


@bp.get("/<tradein_uuid>")
def detail(tradein_uuid: str):
    ti = load_tradein(tradein_uuid)
    db = get_db()
    receipt = _receipt(tradein_uuid) if ti["accepted_at"] else None
    result = grade(tradeins.answers_of(db, tradein_uuid), _spec(), ti["device_kind"])
    return render_template("tradein/detail.html", ti=ti, receipt=receipt, jobs=printing.jobs_for(db, tradein_uuid),
                           hq_updates=shipping.updates_of(db, tradein_uuid),
                           grade=result, can_cancel=_can_cancel(ti),
                           cancel_needs_approval=tradeins.cancel_needs_approval(ti), **approval_context())


def _can_cancel(ti: dict) -> bool:
    if tradeins.transfer_ordered(get_db(), ti["uuid"]):
        return False
    try:
        tradeins.check_cancellable(ti, datetime.now(UTC), current_app.config["CANCEL_WINDOW"])
    except IllegalTransition:
        return False
    return True


@bp.get("/<tradein_uuid>/receipt")
def receipt(tradein_uuid: str):
    ti = load_tradein(tradein_uuid)
    if not ti["accepted_at"]:
        return render_template("error.html", title="No receipt", message="This trade-in was not accepted."), 404
    return render_template("tradein/receipt.html", ti=ti, receipt=_receipt(tradein_uuid))


@bp.get("/<tradein_uuid>/receipt.png")
def receipt_png(tradein_uuid: str):
    ti = load_tradein(tradein_uuid)
    if not ti["accepted_at"]:
        return render_template("error.html", title="No receipt", message="This trade-in was not accepted."), 404
    return current_app.response_class(render_png(_receipt(tradein_uuid)), mimetype="image/png")


@bp.post("/<tradein_uuid>/reprint")
def reprint(tradein_uuid: str):
    load_tradein(tradein_uuid)
    try:
        job_id = acceptance.queue_reprint(get_db(), current_actor(), tradein_uuid)
    except FlowError as err:
        flash(translated(err), "error")
        return see_other(url_for(".detail", tradein_uuid=tradein_uuid))
    if print_after_commit(tradein_uuid, job_id)["status"] == "printed":
        flash(gettext("Receipt printed again."))
    return see_other(url_for(".detail", tradein_uuid=tradein_uuid))


@bp.post("/<tradein_uuid>/discard")
def discard(tradein_uuid: str):
    """A trade-in in progress thrown away (scanned by mistake, customer gone): nothing was bought."""
    load_tradein(tradein_uuid)
    try:
        drafts.discard(get_db(), current_actor(), tradein_uuid)
        flash(gettext("Trade-in discarded: nothing was bought."))
    except FlowError as err:
        flash(translated(err), "error")
    return see_other(url_for("today.today"))


@bp.post("/<tradein_uuid>/decline")
def decline(tradein_uuid: str):
    return _state_action(tradein_uuid, lambda: tradeins.decline(get_db(), current_actor(), tradein_uuid),
                         gettext("Trade-in declined: nothing was bought."))


@bp.post("/<tradein_uuid>/cancel")
def cancel(tradein_uuid: str):
    ti = load_tradein(tradein_uuid)

    def cancel_it():
        needs_approval = tradeins.cancel_needs_approval(ti)
        approved_by = approver_from_form(gettext("cancelling after printing")) if needs_approval else None
        tradeins.cancel(get_db(), current_actor(), tradein_uuid, datetime.now(UTC),
                        current_app.config["CANCEL_WINDOW"], approved_by)

    return _state_action(tradein_uuid, cancel_it,
                         gettext("Trade-in cancelled: give the device back and take back the payment."))


def _state_action(tradein_uuid: str, action, done_message: str):
    load_tradein(tradein_uuid)
    try:
        action()
        flash(done_message)
    except (*FlowError, StaffAuthError) as err:
        flash(translated(err), "error")
    return see_other(url_for(".detail", tradein_uuid=tradein_uuid))
