"""The counter's short path through a trade-in: the whole checklist on one screen, and the manager's approval asked
on the quote when the rules already know they need it (an offer above the limit), not after the seller form fails."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext

from kiosk.auth import login_required
from kiosk.compliance.staff import StaffAuthError
from kiosk.diagnostics import results as diagnostic_results
from kiosk.hq_link import hq_device_gates
from kiosk.i18n import translated
from kiosk.store.connection import get_db
from kiosk.tradein import approvals as early_approvals
from kiosk.tradein import checklist, estimates, tradeins
from kiosk.views.diagnostics import device_results
from kiosk.views.tradein import FlowError, _questions, _quote_page, _spec
from kiosk.web import current_actor, load_tradein, page_or_fragment, see_other
from kiosk.web.approvals import accept_approval_reasons, approver_from_form

bp = Blueprint("counter", __name__, url_prefix="/tradeins")
bp.before_request(login_required(lambda: None))


def _checklist_page(ti: dict, form: dict | None = None, errors: dict | None = None, status: int = 200):
    questions = _questions(ti)
    saved = tradeins.answers_of(get_db(), ti["uuid"])
    estimate = estimates.get(get_db(), ti["estimate_uuid"]) if ti["estimate_uuid"] else None
    said = estimate["answers"] if estimate else {}
    tested = device_results(ti)  # the phone's own test, when the customer ran it (kiosk.diagnostics)
    device = diagnostic_results.pre_answers(get_db(), ti["uuid"], tested)
    chosen = form if form is not None else checklist.starting_answers(questions, saved, said, device)
    # The focus: the first question in error, else the first one that must be typed (battery health), else the first.
    focus = next((q.id for q in questions if q.id in (errors or {})), None) \
        or next((q.id for q in questions if q.kind == "percent" and not chosen.get(q.id)), questions[0].id)
    return page_or_fragment("tradein/checklist.html", "tradein/_checklist.html", status, ti=ti, questions=questions,
                            chosen=chosen, said=said, errors=errors or {}, focus=focus, tested=tested)


@bp.route("/<tradein_uuid>/checklist", methods=["GET", "POST"])
def checklist_page(tradein_uuid: str):
    """Every question of the device's kind on one screen, each starting at its "fine" answer."""
    ti = load_tradein(tradein_uuid)
    if ti["device_id"] is None:
        return see_other(url_for("tradein.device", tradein_uuid=tradein_uuid))
    if request.method == "GET":
        return _checklist_page(ti)
    questions = _questions(ti)
    typed = {q.id: str(request.form.get(q.id) or "")[:16] for q in questions}
    try:
        answers = checklist.read_form(questions, request.form)
        tested = diagnostic_results.of_tradein(get_db(), tradein_uuid)  # what the device said, kept beside the answer
        checklist.save_all(get_db(), current_actor(), _spec(), tradein_uuid, answers,
                           diagnostic_results.audit_detail(tested.evidence, answers) if tested else None)
        gates = hq_device_gates(ti["imei"] or ti["serial"])
        estimates.quote_with_handoff(get_db(), current_actor(), _spec(), tradein_uuid, date.today(), gates)
    except checklist.ChecklistErrors as err:
        errors = {qid: translated(message) for qid, message in err.errors.items()}
        return _checklist_page(ti, typed, errors, 422)
    except FlowError as err:
        return _checklist_page(load_tradein(tradein_uuid), typed, {"": translated(err)}, 422)
    return see_other(url_for("tradein.quote", tradein_uuid=tradein_uuid))


@bp.post("/<tradein_uuid>/approve")
def approve(tradein_uuid: str):
    """The manager approves the offer on the quote screen, before the seller form: the accept then asks no PIN
    for that reason, as long as the offer is the one approved."""
    ti = load_tradein(tradein_uuid)
    reasons = accept_approval_reasons(ti, None)
    if ti["state"] != "quoted" or not reasons:
        return see_other(url_for("tradein.quote", tradein_uuid=tradein_uuid))
    try:
        approver = approver_from_form(" and ".join(reasons))
    except StaffAuthError as err:
        return _quote_page(ti, 422, approval_error=translated(err))
    early_approvals.record(get_db(), current_actor(), ti, approver)
    flash(gettext("Approved by the manager: the seller's details are next."))
    return see_other(url_for("tradein.seller", tradein_uuid=tradein_uuid))

