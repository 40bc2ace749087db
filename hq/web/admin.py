"""HQ supervisor pages for going live: the store registry (profile, enrolment code, revoke) and the seller
payout run (pending transfers, SEPA file export, sent, re-queue)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext

from core import jurisdiction
from core.store_profile import FIELDS, VAT_REGIMES, ProfileInvalid
from hq.services import devices, enrolment, payout_holds, payouts, register_anchors
from hq.web.auth import supervisor_required
from hq.web.i18n import money, translated

bp = Blueprint("hq_admin", __name__, url_prefix="/hq")
bp.before_request(supervisor_required(lambda: None))


def _storage():
    return current_app.extensions["hq.storage"]


def _store_form(store: dict | None, errors: dict | None = None, status: int = 200):
    # A new store's market and regime are left blank: its jurisdiction's are taken (core.store_profile).
    values = {f: request.form.get(f, "") for f in FIELDS} if request.method == "POST" else (
        store or {"jurisdiction": jurisdiction.DEFAULT})
    language = str(get_locale().language) if get_locale() else "en"
    return render_template("hq/store_form.html", store=store, values=values, errors=errors or {},
                           regimes=VAT_REGIMES, jurisdictions={name: pack.named(language) for name, pack in
                                                               jurisdiction.PACKS.items()}), status


@bp.get("/stores")
def stores():
    return render_template("hq/stores.html", stores=enrolment.profiles(_storage()),
                           forks=register_anchors.all_forks(_storage()),
                           fiscal_forks=register_anchors.all_forks(_storage(), "fiscal"))


@bp.route("/stores/new", methods=["GET", "POST"])
def new_store():
    if request.method == "GET":
        return _store_form(None)
    try:
        store_id, code = enrolment.add_store(_storage(), request.form, current_app.config["ENROLMENT_HOURS"])
    except ProfileInvalid as err:
        return _store_form(None, err.errors, 422)
    return _code_page(store_id, code)


def _code_page(store_id: str, code: str):
    """The code is shown once (HQ keeps only its hash)."""
    store = enrolment.profile(_storage(), store_id) or {}
    return render_template("hq/enrolment_code.html", store_id=store_id, code=code, store_name=store.get("trading_name"),
                           hours=current_app.config["ENROLMENT_HOURS"], hq_url=request.host_url.rstrip("/"))


@bp.route("/stores/<store_id>", methods=["GET", "POST"])
def edit_store(store_id: str):
    store = enrolment.profile(_storage(), store_id)
    if store is None:
        abort(404)
    if request.method == "GET":
        return _store_form(store)
    try:
        enrolment.update_profile(_storage(), store_id, request.form)
    except ProfileInvalid as err:
        return _store_form(store, err.errors, 422)
    flash(gettext("Profile saved: terminals receive it at their next enrolment."))
    return redirect(url_for(".stores"), 303)


@bp.post("/stores/<store_id>/code")
def store_code(store_id: str):
    try:
        return _code_page(store_id, enrolment.issue_code(_storage(), store_id, current_app.config["ENROLMENT_HOURS"]))
    except LookupError:
        abort(404)


@bp.post("/stores/<store_id>/revoke")
def revoke_store(store_id: str):
    try:
        enrolment.revoke(_storage(), store_id)
    except LookupError:
        abort(404)
    flash(gettext("Revoked: the store's terminals can no longer sync. Give a new enrolment code to bring one "
                  "back."))
    return redirect(url_for(".stores"), 303)


@bp.get("/payouts")
def payout_run():
    status = request.args.get("status", "pending")
    return render_template("hq/payouts.html", payouts=payouts.payouts(_storage(), status), status=status,
                           statuses=payouts.STATUSES, exports=payouts.exports(_storage()),
                           debtor_set=bool(current_app.config["PAYOUT_IBAN"]), ready=payouts.ready_count(_storage()),
                           late_cancels=payout_holds.late_cancels(_storage()),
                           policies=payout_holds.policies(_storage()))


@bp.post("/payouts/export")
def export_payouts():
    debtor = {"name": current_app.config["PAYOUT_NAME"], "iban": current_app.config["PAYOUT_IBAN"],
              "bic": current_app.config["PAYOUT_BIC"]}
    try:
        done = payouts.export_pending(_storage(), debtor, g.hq_staff["name"])
    except payouts.PayoutError as err:
        flash(translated(err), "error")
        return redirect(url_for(".payout_run"), 303)
    if done["id"]:
        flash(gettext("SEPA file %(file)s: %(count)s payout(s), %(total)s. Download it and send it to the bank, "
                      "then mark it sent.", file=done["id"], count=done["payouts"], total=money(done["total_minor"])))
    else:
        flash(gettext("No payout is waiting: nothing was exported."), "error")
    if done["held"]:  # one bad record never blocks the others: set aside, said, and fixed or rejected on the page
        flash(gettext("%(count)s payout(s) set aside: the file cannot carry them. See “held” to correct or reject "
                      "them.", count=done["held"]), "error")
    return redirect(url_for(".payout_run"), 303)


@bp.get("/payouts/exports/<export_id>.xml")
def download_export(export_id: str):
    xml = payouts.export_file(_storage(), export_id)
    if xml is None:
        abort(404)
    return Response(xml, mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{export_id}.xml"'})


@bp.post("/payouts/exports/<export_id>/sent")
def mark_sent(export_id: str):
    try:
        count = payouts.mark_sent(_storage(), export_id, g.hq_staff["name"])
        flash(gettext("%(count)s payout(s) marked sent.", count=count))
    except payouts.PayoutError as err:
        flash(translated(err), "error")
    return redirect(url_for(".payout_run", status="sent"), 303)


@bp.post("/payouts/<tradein_uuid>/requeue")
def requeue(tradein_uuid: str):
    try:
        payouts.requeue(_storage(), tradein_uuid, request.form.get("reason", ""), g.hq_staff["name"])
        flash(gettext("Re-queued: it goes into the next file."))
    except payouts.PayoutError as err:
        flash(translated(err), "error")
    return redirect(url_for(".payout_run"), 303)


@bp.post("/tradeins/<tradein_uuid>/resold")
def mark_resold(tradein_uuid: str):
    """The refurbished device was sold outside the stores' tills (e.g. online): its new owner may trade it in."""
    marked = devices.mark_tradein_resold(_storage(), tradein_uuid, g.hq_staff["name"])
    if marked is None:
        abort(404)
    flash(gettext("Marked resold: the device may be traded in again.") if marked else gettext("Already marked resold."))
    return redirect(url_for("hq_web.tradein", tradein_uuid=tradein_uuid), 303)
