"""After-sales at the till: a sale found by its receipt or a device's IMEI, here or at HQ; a return of another
store's sale; a warranty claim (intake ticket printed, synced to HQ, its status shown back)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, render_template, request, url_for
from flask_babel import gettext

from core import returns_policy
from core.claim_receipt import build_claim_ticket
from kiosk.auth import login_required
from kiosk.compliance import staff as staff_accounts
from kiosk.formatting import current_store, local_datetime
from kiosk.hq_link import hq_client
from kiosk.i18n import translated
from kiosk.store.connection import get_db
from kiosk.till import elsewhere, returns, sales
from kiosk.translations import catalogue
from kiosk.views.pos import Refusal, _print
from kiosk.web import current_actor, see_other, send_paper, small_int
from kiosk.web.aftersales import LookupOffline, find_sale, late_approval, method_choices, store_today
from kiosk.web.approvals import approval_context
from sync.client import HQRefused, HQUnavailable

bp = Blueprint("aftersales", __name__, url_prefix="/pos/aftersales")
bp.before_request(login_required(lambda: None))


def _found_or_refusal(key: str):
    try:
        found = find_sale(key)
    except LookupOffline:
        return None, gettext("HQ cannot be reached: a sale of another store can only be looked up online. This "
                             "store's own sales are still found by receipt or IMEI; ask the customer to come back "
                             "later or to go to the store that sold it.")
    if found is None:
        return None, gettext("No sale with this receipt number or device, here or at HQ.")
    return found, None


def _page(found: dict, status: int = 200, error: str | None = None):
    db = get_db()
    if found.get("own"):
        left, available = {x["line_no"]: x["quantity"] - x["returned"] for x in found["lines"]}, []
    else:
        left, available = elsewhere.remaining(db, found)
    offered, checked = method_choices(available, returns_policy.POLICY.elsewhere_methods)
    day_sold = returns.sold_on(db, current_store()["id"], found["sold_at"])
    found = {**found, "last_day": min(returns_policy.last_return_day(day_sold, "device" if x.get("imei") else
                                                                     "accessory") for x in found["lines"])}
    return render_template("pos/aftersales.html", found=found, left=left, offered=offered,
                           checked=request.form.get("refund_method") or checked, error=error, today=store_today(),
                           form=request.form, **approval_context()), status


@bp.get("/<key>")
def show(key: str):
    found, refusal = _found_or_refusal(key)
    if found is None:
        return render_template("pos/returns.html", error=refusal), 422
    return _page(found)


@bp.post("/<key>/return")
def take_back(key: str):
    found, refusal = _found_or_refusal(key)
    if found is None or found.get("own"):
        return render_template("pos/returns.html", error=refusal or gettext("Return it from the sale's page.")), 422
    quantities = {x["line_no"]: small_int(request.form.get(f"qty-{x['line_no']}"), 99) or 0 for x in found["lines"]}
    try:
        back = elsewhere.record_return(get_db(), current_actor(), found, quantities, store_today(),
                                       request.form.get("refund_method") or None, late_approval())
    except Refusal as err:
        return _page(found, 422, translated(err))
    _print(back, open_drawer=any(t.kind == "cash" for t in sales.sale_tenders(get_db(), back["uuid"])))
    return see_other(url_for("pos.sale", key=back["uuid"]))


@bp.post("/<key>/warranty")
def claim(key: str):
    found, refusal = _found_or_refusal(key)
    if found is None:
        return render_template("pos/returns.html", error=refusal), 422
    try:
        made = elsewhere.open_claim(get_db(), current_actor(), found, small_int(request.form.get("line_no"), 999) or 0,
                                    request.form.get("problem", "")[:600], request.form.get("condition", "")[:600],
                                    store_today())
    except Refusal as err:
        return _page(found, 422, translated(err))
    _print_claim(made)
    return see_other(url_for(".claim_page", claim_uuid=made["uuid"]))


def _print_claim(made: dict) -> None:
    store = current_store()
    ticket = build_claim_ticket(store, staff_accounts.name_of(get_db(), made["staff_id"]),
                                local_datetime(made["created_at"]), made, catalogue(store["locale"]).gettext)
    if reason := send_paper(ticket, made["number"]):
        flash(gettext("Warranty claim %(number)s recorded, but its ticket did not print: %(reason)s",
                      number=made["number"], reason=reason), "error")
    else:
        flash(gettext("Warranty claim %(number)s recorded and printed.", number=made["number"]))


@bp.get("/warranty/<claim_uuid>")
def claim_page(claim_uuid: str):
    """The claim and HQ's status: asked of HQ now when it answers, else the last one seen (or "not yet at HQ")."""
    db = get_db()
    found = elsewhere.get_claim(db, g.staff["store_id"], claim_uuid[:64])
    if found is None:
        abort(404)
    client, live = hq_client(current_app.config), False
    try:
        if client and (status := client.warranty_claim(found["uuid"])):
            elsewhere.note_status(db, found["uuid"], status)
            found, live = elsewhere.get_claim(db, g.staff["store_id"], claim_uuid), True
    except (HQUnavailable, HQRefused):
        pass
    return render_template("pos/claim.html", claim=found, live=live)
