"""The staff trade-in flow: identify -> device -> checklist -> quote -> seller & accept -> receipt."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

from flask import Blueprint, current_app, flash, render_template, request, url_for
from flask_babel import gettext

from core import dealer_record, serials
from core.codes import classify
from core.dates import date_example
from core.grading import AnswerError
from core.imei import IDENTIFIER_FOR_KIND, IdentifierError, parse_identifier, takes
from core.jurisdiction import pack_for
from core.markets import payout_methods, payout_note
from core.pricing import PricingError
from core.receipts import privacy_notice
from core.seller import FORM_FIELDS, SellerErrors, parse_seller
from core.states import UNQUOTED, IllegalTransition
from kiosk.auth import login_required
from kiosk.compliance.dealer_record import DealerRecordIncomplete
from kiosk.compliance.staff import StaffAuthError
from kiosk.formatting import current_store, money
from kiosk.hq_link import hq_device_gates, hq_secret
from kiosk.i18n import database_trouble, translated
from kiosk.store.connection import get_db
from kiosk.till import vouchers
from kiosk.tradein import (
    acceptance,
    catalog,
    estimates,
    printing,
    seller_form_memory,
    tradeins,
)
from kiosk.tradein import approvals as early_approvals
from kiosk.views.today import today_context
from kiosk.web import current_actor, load_tradein, page_or_fragment, second_imei, see_other, small_int, wants_fragment
from kiosk.web.approvals import accept_approval_reasons, approval_context, approver_from_form, parse_amount
from kiosk.web.receipt_printing import print_after_commit
from kiosk.web.scan_routing import lead_elsewhere
from kiosk.web.start import begin, identifier_field_takes

bp = Blueprint("tradein", __name__, url_prefix="/tradeins")
bp.before_request(login_required(lambda: None))  # every page of the flow is staff-only

# Refusals the clerk can act on: shown on the page with a 422, never a 500.
FlowError = (tradeins.TradeInError, IllegalTransition, PricingError, AnswerError, vouchers.VoucherError,
             DealerRecordIncomplete)


def _spec():
    return current_app.extensions["kiosk.spec"]


def _cipher():
    return current_app.extensions["kiosk.cipher"]


def _receipt(tradein_uuid: str):
    return printing.tradein_receipt(get_db(), tradein_uuid, _spec(), current_app.config["CANCEL_WINDOW"], _cipher(),
                                    current_app.config["TRACKING_URL"])


def _questions(ti: dict):
    return _spec().questions_for(ti["device_kind"])


@bp.post("")
def start():
    kind = request.form.get("device_kind", "")
    raw = request.form.get("identifier", "")
    scanned = classify(raw)
    if scanned.kind == "estimate_ticket":  # the customer's ticket typed into the IMEI field
        return see_other(url_for("handoff.show", code=scanned.value))
    led = lead_elsewhere(scanned, identifier_field_takes(kind), lambda reason: _start_refused(reason, raw, kind))
    if led is not None:  # a trade-in code, a voucher, a product...: where /scan would take it, said on the page
        return led
    if scanned.kind == "serial":  # a serial scanned with "Phone" still chosen: its format may say the kind
        kind = serials.kind_for(scanned.value, kind) or ""
        if not kind:
            return _start_refused(gettext(serials.ASK_KIND), raw, "")
    if kind not in IDENTIFIER_FOR_KIND:
        kind = "phone"
    try:
        imei, serial = parse_identifier(kind, raw)
    except IdentifierError as err:
        return _start_refused(translated(err), raw, kind)
    return begin(kind, imei, serial, lambda reason: _start_refused(reason, raw, kind))


def _start_refused(reason: str, raw: str, kind: str):
    context = today_context(error=reason, value=raw[:64], kind=kind)
    return page_or_fragment("today/today.html", "today/_start_form.html", 422, **context)


def _device_page(ti: dict, status: int = 200, error: str | None = None, chosen_id: int | None = None,
                 doubted: tuple[str, catalog.CatalogDevice] | None = None):
    db = get_db()
    chosen = catalog.get_device(db, chosen_id or ti["device_id"]) if (chosen_id or ti["device_id"]) else None
    context = {"ti": ti, "chosen": chosen, "error": error, "suggested": bool(ti["device_id"]) and chosen_id is None,
               "doubted": doubted, "kept": second_imei.kept()}
    if wants_fragment():
        return render_template("tradein/_storage_choice.html", **context), status
    identifier = "imei" if ti["imei"] else "serial"
    # The kind chosen at the start first, then the other kinds this identifier may belong to, each in its group.
    kinds = sorted((k for k in IDENTIFIER_FOR_KIND if takes(k, identifier)), key=lambda k: k != ti["device_kind"])
    groups = [(kind, catalog.devices_of_kind(db, kind)) for kind in kinds]
    return render_template("tradein/device.html", groups=[g for g in groups if g[1]], **context), status


@bp.route("/<tradein_uuid>/device", methods=["GET", "POST"])
def device(tradein_uuid: str):
    ti = load_tradein(tradein_uuid)
    if request.method == "GET":
        chosen = small_int(request.args.get("device_id"))
        return _device_page(ti, chosen_id=chosen)
    device_id = small_int(request.form.get("device_id"))
    storage = small_int(request.form.get("storage_gb"))
    if device_id is None:
        return _device_page(ti, 422, gettext("Choose the model."))
    shown = {**ti, "storage_gb": storage or ti["storage_gb"]}  # the storage chosen stays chosen on the page again
    raw_imei2 = request.form.get("imei2", "").strip() or second_imei.kept() or ""  # a kept one when none typed
    if doubted := second_imei.doubted(ti, device_id, raw_imei2):  # before the storage: a scanner's Enter sends none
        return _device_page(shown, 422, chosen_id=device_id, doubted=doubted)
    if storage is None:
        return _device_page(shown, 422, gettext("Choose the storage."), chosen_id=device_id)
    try:
        imei2 = second_imei.checked(ti, raw_imei2)
        tradeins.set_device(get_db(), current_actor(), tradein_uuid, device_id, storage, imei2)
    except (*FlowError, IdentifierError) as err:
        return _device_page(shown, 422, translated(err), chosen_id=device_id)
    return see_other(url_for("counter.checklist_page", tradein_uuid=tradein_uuid))


def _question_page(ti: dict, step: int, status: int = 200, error: str | None = None):
    questions = _questions(ti)
    answers = tradeins.answers_of(get_db(), ti["uuid"])
    estimate = estimates.get(get_db(), ti["estimate_uuid"]) if ti["estimate_uuid"] else None
    context = {"ti": ti, "step": step, "total": len(questions), "question": questions[step - 1],
               "current": answers.get(questions[step - 1].id), "error": error,
               "said": estimate["answers"].get(questions[step - 1].id) if estimate else None}
    return page_or_fragment("tradein/question.html", "tradein/_question.html", status, **context)


@bp.route("/<tradein_uuid>/checklist/<int:step>", methods=["GET", "POST"])
def question(tradein_uuid: str, step: int):
    ti = load_tradein(tradein_uuid)
    questions = _questions(ti)
    if ti["device_id"] is None:
        return see_other(url_for(".device", tradein_uuid=tradein_uuid))
    if not 1 <= step <= len(questions):
        return see_other(url_for(".question", tradein_uuid=tradein_uuid, step=1))
    if request.method == "GET":
        return _question_page(ti, step)
    try:
        result = tradeins.save_answer(get_db(), current_actor(), _spec(), tradein_uuid, questions[step - 1].id,
                                      request.form.get("answer", ""))
        if step < len(questions) or result.missing:
            first_missing = next((i + 1 for i, q in enumerate(questions) if q.id in result.missing), step + 1)
            next_step = step + 1 if step < len(questions) else first_missing
            return see_other(url_for(".question", tradein_uuid=tradein_uuid, step=next_step))
        gates = hq_device_gates(ti["imei"] or ti["serial"])
        estimates.quote_with_handoff(get_db(), current_actor(), _spec(), tradein_uuid, date.today(), gates)
    except FlowError as err:
        return _question_page(load_tradein(tradein_uuid), step, 422, translated(err))
    return see_other(url_for(".quote", tradein_uuid=tradein_uuid))


@bp.get("/<tradein_uuid>/quote")
def quote(tradein_uuid: str):
    ti = load_tradein(tradein_uuid)
    if ti["state"] in UNQUOTED:
        return see_other(url_for("counter.checklist_page", tradein_uuid=tradein_uuid))
    return _quote_page(ti)


def _quote_page(ti: dict, status: int = 200, error: str | None = None, approval_error: str | None = None):
    answers = tradeins.answers_of(get_db(), ti["uuid"])
    summary = [(q, q.label_of(answers[q.id])) for q in _questions(ti) if q.id in answers]
    handoff = estimates.handoff_rows(get_db(), _spec(), ti, gettext, lambda minor: money(minor, ti["currency"]))
    return render_template("tradein/quote.html", ti=ti, summary=summary, gates=json.loads(ti["gate_reasons"] or "[]"),
                           handoff=handoff,
                           bonuses=json.loads(ti["bonuses"] or "[]"), error=error,
                           device=catalog.get_device(get_db(), ti["device_id"]), approval_error=approval_error,
                           approval_reason=" and ".join(accept_approval_reasons(ti, None)) if ti["state"] == "quoted"
                           else "", **approval_context()), status


def _seller_page(ti: dict, status: int = 200, errors: dict | None = None, message: str | None = None,
                 reasons: list[str] | None = None, form: dict | None = None, notice: str | None = None):
    reasons = accept_approval_reasons(ti, None) if reasons is None else reasons
    # The first field in error takes the focus (in the form's order); else the document number (it finds a
    # returning seller), or the Accept button once a returning seller's details are shown.
    focus = next((name for name in FORM_FIELDS if name in (errors or {})), "accept" if notice else "id_doc_number")
    # What was typed before the clerk went Back to the quote comes back with the page.
    if form is None:
        form = request.form if request.method == "POST" else seller_form_memory.typed(get_db(), _cipher(), ti["uuid"])
    pack = pack_for(current_store())  # the store's jurisdiction: its documents and its notice at collection
    return render_template("tradein/seller.html", ti=ti, errors=errors or {}, message=message, form=form,
                           notice=notice, usual_document=pack.usual_document,
                           focus=focus, date_example=date_example(current_store()["locale"]),
                           doc_types=pack.documents, payouts=payout_methods(pack.currency),
                           payout_note=payout_note(pack.currency), dealer_record=dealer_record.keeps_record(pack),
                           identifier_choices=dealer_record.IDENTIFIER_ALTERED, approval_reason=" and ".join(reasons),
                           privacy_notice=privacy_notice(pack=pack), transfer_days=current_app.config["TRANSFER_DAYS"],
                           **approval_context()), status


@bp.post("/<tradein_uuid>/seller/keep")
def keep_seller(tradein_uuid: str):
    """"Back to the quote" from the seller form: what was typed is kept (sealed) for when the clerk returns."""
    ti = load_tradein(tradein_uuid)
    if ti["state"] == "quoted":
        seller_form_memory.keep(get_db(), _cipher(), ti["uuid"], request.form)
    return see_other(url_for(".quote", tradein_uuid=ti["uuid"]))


@bp.route("/<tradein_uuid>/seller", methods=["GET", "POST"])
def seller(tradein_uuid: str):
    ti = load_tradein(tradein_uuid)
    if ti["state"] != "quoted":
        return see_other(url_for(".detail", tradein_uuid=tradein_uuid) if ti["accepted_at"]
                         else url_for(".quote", tradein_uuid=tradein_uuid))
    if request.method == "GET":
        return _seller_page(ti)
    reasons: list[str] = []
    try:
        seller = parse_seller(request.form, date.today(), current_store()["locale"], pack_for(current_store()))
        approved_on_quote = early_approvals.approver_of(get_db(), ti)
        reasons = accept_approval_reasons(ti, seller, approved_on_quote is not None)
        approved_by = approver_from_form(" and ".join(reasons)) if reasons else approved_on_quote
        job_id = acceptance.accept(get_db(), current_actor(), tradein_uuid, seller, date.today(), _cipher(),
                                 approved_by, current_app.config["TRANSFER_DAYS"], hq_secret(current_app.config),
                                 dealer_answers=request.form)
    except SellerErrors as err:
        return _seller_page(ti, 422, err.errors, gettext("Some details are missing or wrong: nothing was saved."))
    except (*FlowError, StaffAuthError) as err:
        return _seller_page(ti, 422, None, gettext("%(reason)s Nothing was saved.", reason=translated(err)), reasons)
    except sqlite3.OperationalError as err:  # busy, disk full, I/O error: the transaction was rolled back
        return _seller_page(ti, 503, None, gettext("The trade-in was NOT saved.") + " " + database_trouble(err))
    flash(gettext("Trade-in accepted and saved."))
    print_after_commit(tradein_uuid, job_id)
    return see_other(url_for(".detail", tradein_uuid=tradein_uuid))


@bp.post("/<tradein_uuid>/override")
def override(tradein_uuid: str):
    """A manager changes the offer, with a reason (kept on the receipt and in the audit log)."""
    ti = load_tradein(tradein_uuid)
    try:
        amount = parse_amount(request.form.get("new_total", ""))
        approved_by = approver_from_form(gettext("a price change"))
        tradeins.override_price(get_db(), current_actor(), tradein_uuid, amount, request.form.get("reason", ""),
                                approved_by)
    except (ValueError, StaffAuthError) as err:  # TradeInError is a ValueError too
        return _quote_page(ti, 422, gettext("Price not changed: %(reason)s", reason=translated(err)))
    flash(gettext("New price saved, approved by the manager."))
    return see_other(url_for(".quote", tradein_uuid=tradein_uuid))
